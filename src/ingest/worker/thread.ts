// The ingest worker: reads the traces of its workerData with an in-thread
// Ingest of its own (own dictionaries, own file stats) and posts each batch to
// the main thread as it is handed on, with what changed since the batch before
// (protocol.ts). Started by client.ts.

import { parentPort, workerData } from 'node:worker_threads';
import { Dictionaries } from '../../columns/dictionaries.js';
import { InputError, UsageError } from '../../common/errors.js';
import type { FileStatsMark } from '../common/stats.js';
import { Ingest } from '../open.js';
import { DictionaryExport } from './dictionary-sync.js';
import { type FromWorker, type Handover, MAX_IN_FLIGHT, type ThreadError, type ToWorker, type WorkerStart } from './protocol.js';

const port = parentPort!;
const start = workerData as WorkerStart;
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

let inFlight = 0;
let acknowledged: (() => void) | null = null;
const onMessage = (m: ToWorker) => {
  if (m.type !== 'ack') return;
  inFlight--;
  acknowledged?.();
  acknowledged = null;
};
port.on('message', onMessage);

const dicts = new Dictionaries();
const newEntries = new DictionaryExport(dicts);
const marks: FileStatsMark[] = [];
const ingest: Ingest = new Ingest(
  { ...start.options, ...(start.progress ? { onRead: () => post({ type: 'progress', progress: ingest.progress() }) } : {}) },
  dicts,
);

function handover(): Handover {
  return {
    dictionary: newEntries.take(),
    files: ingest.files.map((f, i) => f.changesSince((marks[i] ??= { rejects: 0, warnings: 0, notes: 0, rejectedLines: 0 }))),
    progress: ingest.progress(),
  };
}

function threadError(e: unknown): ThreadError {
  if (e instanceof InputError) return { kind: 'input', file: e.file, line: e.line, reason: e.reason };
  if (e instanceof UsageError) return { kind: 'usage', message: e.message };
  const err = e instanceof Error ? e : new Error(String(e));
  return { kind: 'other', name: err.name, message: err.message, stack: err.stack };
}

try {
  for await (const batch of ingest.events(start.paths)) {
    const columns = batch.spec.columns.map((c) => batch.column(c.name));
    const buffers = [...new Set(columns.map((a) => a.buffer as ArrayBuffer))];
    post({ type: 'batch', length: batch.length, capacity: batch.capacity, columns, ...handover() }, buffers);
    if (++inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => (acknowledged = resolve));
  }
  post({ type: 'end', ...handover() });
} catch (e) {
  post({ type: 'error', error: threadError(e), ...handover() });
}
// Nothing more to wait for: let the thread end.
port.off('message', onMessage);
port.unref();
