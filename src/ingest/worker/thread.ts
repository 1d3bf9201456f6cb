// The ingest worker: reads the traces of each job it is given with an
// in-thread Ingest of its own (own dictionaries, own file stats) and posts
// each batch to the main thread as it is handed on, with what changed since
// the batch before (protocol.ts); then waits for the next job. Started by
// client.ts.

import { parentPort } from 'node:worker_threads';
import { Dictionaries } from '../../columns/dictionaries.js';
import { InputError, UsageError } from '../../common/errors.js';
import type { FileStatsMark } from '../common/stats.js';
import { Ingest } from '../open.js';
import { DictionaryExport } from './dictionary-sync.js';
import { type FromWorker, type Handover, MAX_IN_FLIGHT, type ReadJob, type ThreadError, type ToWorker } from './protocol.js';

const port = parentPort!;
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

let inFlight = 0;
let acknowledged: (() => void) | null = null;
port.on('message', (m: ToWorker) => {
  if (m.type === 'read') {
    void read(m.job);
    return;
  }
  inFlight--;
  acknowledged?.();
  acknowledged = null;
});

function threadError(e: unknown): ThreadError {
  if (e instanceof InputError) return { kind: 'input', file: e.file, line: e.line, reason: e.reason };
  if (e instanceof UsageError) return { kind: 'usage', message: e.message };
  const err = e instanceof Error ? e : new Error(String(e));
  return { kind: 'other', name: err.name, message: err.message, stack: err.stack };
}

/** Read one job's traces to the end (or to its first error), posting as it goes. */
async function read(job: ReadJob): Promise<void> {
  inFlight = 0;
  const dicts = new Dictionaries();
  const newEntries = new DictionaryExport(dicts);
  const marks: FileStatsMark[] = [];
  const ingest: Ingest = new Ingest(
    { ...job.options, ...(job.progress ? { onRead: () => post({ type: 'progress', progress: ingest.progress() }) } : {}) },
    dicts,
  );
  const handover = (): Handover => ({
    dictionary: newEntries.take(),
    files: ingest.files.map((f, i) => f.changesSince((marks[i] ??= { rejects: 0, warnings: 0, notes: 0, rejectedLines: 0 }))),
    progress: ingest.progress(),
  });
  try {
    for await (const batch of ingest.events(job.paths)) {
      const columns = batch.spec.columns.map((c) => batch.column(c.name));
      const buffers = [...new Set(columns.map((a) => a.buffer as ArrayBuffer))];
      post({ type: 'batch', length: batch.length, capacity: batch.capacity, columns, ...handover() }, buffers);
      if (++inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => (acknowledged = resolve));
    }
    post({ type: 'end', ...handover() });
  } catch (e) {
    post({ type: 'error', error: threadError(e), ...handover() });
  }
}
