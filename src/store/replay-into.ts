// Replaying traces into an output directory, the one place that does it (the
// `replay` command and the library's replay() both call it): open the store on
// OUT, replay into it, give the run up if the replay fails (OUT stays as it
// was), else build the tables and the database and write the manifest.

import { statSync } from 'node:fs';
import { THREADS_BY_DEFAULT } from '../common/module-worker.js';
import { Dictionaries } from '../columns/dictionaries.js';
import { replayTraces, type RunOptions, type RunResult } from '../replay/run.js';
import type { BuildProgress } from './database.js';
import { openStore, type StoreOptions, type StoreSummary } from './store.js';
import { writeFailure } from './write-errors.js';

/**
 * What the replay and the store take, in one object: it is handed whole to
 * both, so an option either one learns reaches it without passing through here.
 */
export interface DirectoryReplayOptions extends RunOptions, StoreOptions {
  /** hears of each table as its last row groups are written, then of the database (the close) */
  readonly onBuilding?: (progress: BuildProgress) => void;
}

export interface DirectoryReplay {
  readonly run: RunResult;
  readonly store: StoreSummary;
  /** seconds spent finishing the tables, building the database and writing the manifest after the replay */
  readonly buildSeconds: number;
}

/**
 * Input size from which the tables are written on the store's writer thread
 * (store.ts): about 150k events of text. Below it the thread's start-up costs
 * more than it frees the replay.
 */
export const WRITER_THREAD_BYTES = 16 << 20;

/** Bytes of the trace files (standard input counts as none: its size is not known). */
function inputBytes(traces: readonly string[]): number {
  let n = 0;
  for (const t of traces) {
    try {
      if (t !== '-') n += statSync(t).size;
    } catch {
      // the replay reports a file it cannot read
    }
  }
  return n;
}

/** Replay `traces` under `options.models` into `outDir`, which holds the whole run when this returns and is untouched if it throws. */
export async function replayIntoDirectory(traces: readonly string[], outDir: string, options: DirectoryReplayOptions): Promise<DirectoryReplay> {
  const dicts = new Dictionaries();
  const store = await openStore(outDir, dicts, {
    ...options,
    writerThread: options.writerThread ?? (THREADS_BY_DEFAULT && inputBytes(traces) >= WRITER_THREAD_BYTES),
  });
  let run: RunResult;
  try {
    run = await replayTraces(traces, options, store, dicts);
  } catch (e) {
    await store.abort(); // no half-written run left behind
    throw writeFailure(e, outDir, store.workDir) ?? e;
  }
  const building = performance.now();
  const knobs = {
    shared_fault: options.knobs.sharedFault ? 1 : 0,
    ...(options.knobs.linuxVersion === undefined
      ? {}
      : { linux_version: `${Math.floor(options.knobs.linuxVersion / 100)}.${options.knobs.linuxVersion % 100}` }),
    hold_scale: options.holdScale,
    site_hold_ns: options.siteHoldNs,
  };
  const manifest = { inputs: traces, models: run.models.map((m) => m.model), knobs, synthetic: run.synthetic };
  let summary: StoreSummary;
  try {
    summary = await store.close(manifest, options.onBuilding);
  } catch (e) {
    throw writeFailure(e, outDir, store.workDir) ?? e;
  }
  return { run, store: summary, buildSeconds: (performance.now() - building) / 1000 };
}
