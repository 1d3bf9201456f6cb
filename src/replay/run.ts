// One replay run, start to end: ingest the traces, drive the engine, write the
// final tables. The `replay` command adds the store and the printing; tests
// call this with an in-memory output.

import { Ingest, type IngestOptions } from '../ingest/open.js';
import { DEFAULT_REPLAY_OPTIONS, ReplayEngine, type ReplayOptions } from './engine.js';
import { writeAgreement, writeIngestStats, writeObjects, writeProcesses } from './final-tables.js';
import type { TableOutput } from './output.js';

export interface RunOptions extends IngestOptions, Partial<Omit<ReplayOptions, 'models' | 'knobs'>> {
  readonly models: ReplayOptions['models'];
  readonly knobs: ReplayOptions['knobs'];
  /** called between input batches (progress display) */
  readonly onProgress?: (ingest: Ingest, engine: ReplayEngine) => void;
}

export interface RunResult {
  ingest: Ingest;
  engine: ReplayEngine;
  seconds: number;
}

/** Replay `paths`; `ingest` (made with the same options) owns the dictionaries the output resolves ids with. */
export async function replayTraces(paths: readonly string[], options: RunOptions, out: TableOutput, ingest = new Ingest(options)): Promise<RunResult> {
  const started = performance.now();
  const engine = new ReplayEngine(ingest, out, { ...DEFAULT_REPLAY_OPTIONS, ...options });
  for await (const batch of ingest.events(paths)) {
    engine.batch(batch);
    options.onProgress?.(ingest, engine);
    await out.flush();
  }
  engine.finish();
  writeObjects(engine.registry, out);
  writeProcesses(engine.processes, out);
  writeIngestStats(ingest.files, ingest.strings, out);
  writeAgreement(engine.agreement, ingest.strings, out);
  await out.flush();
  return { ingest, engine, seconds: (performance.now() - started) / 1000 };
}
