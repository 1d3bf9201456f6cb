// The in-process replay for notebooks and scripts: the same run as
// `vmreplay replay`, with models given as values, so a model written in a
// notebook cell replays beside the built-in ones. With `out` the tables and
// the database are written there (open them with openRun); without it the
// rows are dropped as they come and only the figures are returned.

import { THREADS_BY_DEFAULT } from '../common/module-worker.js';
import { SAMPLE_TRACE } from '../common/paths.js';
import { UsageError } from '../common/errors.js';
import type { IngestOptions } from '../ingest/open.js';
import { type ReplayRequest, resolveReplayOptions } from '../replay/options.js';
import type { TableOutput } from '../replay/output.js';
import { replayTraces, type RunProgress, type RunResult } from '../replay/run.js';
import { replayIntoDirectory } from '../store/replay-into.js';

/** What replay() takes: the ingest's options and the replay's (replay/options.ts, defaults applied there), and where to write. */
export interface ReplayOptions extends IngestOptions, ReplayRequest {
  /** write the tables and database here (a new, empty or earlier-run directory); omitted: write nothing */
  readonly out?: string;
  /** called between input batches */
  readonly onProgress?: (progress: RunProgress) => void;
}

export interface ReplayResult extends RunResult {
  /** where the tables were written (absolute), or null */
  readonly out: string | null;
}

/** The bundled sample trace (a generated fork/exec storm; its figures describe a generated workload). */
export const sampleTrace = (): string => SAMPLE_TRACE();

/** Replay `traces` under the models of `options` and return what each model did. */
export async function replay(traces: string | readonly string[], options: ReplayOptions = {}): Promise<ReplayResult> {
  const paths = typeof traces === 'string' ? [traces] : [...traces];
  if (paths.length === 0) throw new UsageError('replay: no trace given');
  if (options.models?.length === 0) throw new UsageError('replay: no model given');
  const runOptions = { ...ingestOptions(options), ...resolveReplayOptions(options), ...(options.onProgress ? { onProgress: options.onProgress } : {}) };
  if (options.out === undefined) return { ...(await replayTraces(paths, runOptions, DISCARD)), out: null };

  const { run, store } = await replayIntoDirectory(paths, options.out, runOptions);
  return { ...run, out: store.outDir };
}

/** The ingest options given; trace files are read in a worker thread unless `worker: false` (see THREADS_BY_DEFAULT). */
function ingestOptions(o: IngestOptions): IngestOptions {
  const { format, strict, sortWindowNs, batchRows, worker = THREADS_BY_DEFAULT } = o;
  return Object.fromEntries(Object.entries({ format, strict, sortWindowNs, batchRows, worker }).filter(([, v]) => v !== undefined));
}

/** Rows are dropped as they come: only the run's figures are kept. */
const DISCARD: TableOutput = {
  write() {},
  async flush() {},
};
