// What the main thread and the ingest worker say to each other. The worker
// posts batches (their columns transferred, not copied), each with what the
// run must know by the time it takes that batch: the dictionary entries and
// the files' stats changed since the batch before, and the progress. The main
// thread acknowledges each batch it has taken, and the worker keeps at most
// MAX_IN_FLIGHT unacknowledged: memory is bounded by the batches in flight,
// never by the length of the trace. A worker reads one run's traces at a
// time and may then be given the next run's (client.ts keeps it for reuse).

import type { FileStatsChanges } from '../common/stats.js';
import type { IngestOptions, IngestProgress } from '../options.js';
import type { DictionaryDelta } from './dictionary-sync.js';

export const MAX_IN_FLIGHT = 4;

/** One run's reading, asked of a worker. */
export interface ReadJob {
  readonly paths: readonly string[];
  readonly options: Pick<IngestOptions, 'format' | 'strict' | 'sortWindowNs' | 'batchRows'>;
  /** post progress after each piece of input (the main thread has an onRead) */
  readonly progress: boolean;
}

/** What changed since the last message, taken over before the message's batch (or end, or error). */
export interface Handover {
  readonly dictionary: DictionaryDelta;
  readonly files: FileStatsChanges[];
  readonly progress: IngestProgress;
}

/** An error as it crosses threads: InputError and UsageError are rebuilt as themselves. */
export type ThreadError =
  | { readonly kind: 'input'; readonly file: string; readonly line: number; readonly reason: string }
  | { readonly kind: 'usage'; readonly message: string }
  | { readonly kind: 'other'; readonly name: string; readonly message: string; readonly stack: string | undefined };

export type FromWorker =
  | (Handover & { readonly type: 'batch'; readonly length: number; readonly capacity: number; readonly columns: ArrayBufferView[] })
  | (Handover & { readonly type: 'end' })
  | (Handover & { readonly type: 'error'; readonly error: ThreadError })
  | { readonly type: 'progress'; readonly progress: IngestProgress };

export type ToWorker = { readonly type: 'read'; readonly job: ReadJob } | { readonly type: 'ack' };
