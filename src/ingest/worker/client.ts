// The main thread's side of the ingest worker: start it on the traces, take
// its batches in order, intern the dictionary entries that come with each
// into the run's dictionaries and rewrite the batch's ids to the run's, keep
// the run's copy of every file's stats up to date, and acknowledge each batch
// once the consumer asks for the next. An error in the worker arrives as the
// same error here (an InputError keeps its file, line and reason); an
// interrupt, an error here or a consumer that stops early ends the worker.
// A worker whose reading ended cleanly is kept for the next run of this
// process: tests and notebooks replay many times, and a worker takes a while
// to start (about a second under tsx, which compiles every module again).

import type { Worker } from 'node:worker_threads';
import type { AddressTable } from '../../columns/addresses.js';
import type { StringTable } from '../../columns/strings.js';
import { type ArrayOf, ColumnBatch, type ColumnKind } from '../../columns/table.js';
import { InputError, UsageError } from '../../common/errors.js';
import { onInterrupt } from '../../common/interrupt.js';
import { moduleWorker, siblingModule } from '../../common/module-worker.js';
import { EVENTS, type EventBatch } from '../../events/schema.js';
import { FileStats } from '../common/stats.js';
import type { IngestOptions, IngestProgress } from '../options.js';
import { DictionaryImport } from './dictionary-sync.js';
import type { FromWorker, ReadJob, ThreadError, ToWorker } from './protocol.js';

/** The worker's module in this build: thread.ts under tsx (tests), thread.js in dist/. */
const THREAD_URL = siblingModule(import.meta, 'thread');

/** What of the run the worker's output goes into. */
export interface WorkerIngestHost {
  /** the run's file stats, one per file in the worker's order (appended as the worker opens them) */
  readonly files: FileStats[];
  readonly strings: StringTable;
  readonly addresses: AddressTable;
  /** told the worker's progress with every message */
  readonly progress: (p: IngestProgress) => void;
}

function startWorker(): Worker {
  const worker = moduleWorker(THREAD_URL);
  worker.on('error', () => {}); // while idle; a run listens for itself
  worker.on('exit', () => {
    const i = idle.indexOf(worker);
    if (i >= 0) idle.splice(i, 1);
  });
  return worker;
}

/** Workers between runs; unreferenced, so they never keep the process alive. */
const idle: Worker[] = [];
const MAX_IDLE = 1;

function takeWorker(): Worker {
  const worker = idle.pop() ?? startWorker();
  worker.ref();
  return worker;
}

function keepWorker(worker: Worker): void {
  if (idle.length >= MAX_IDLE) {
    void worker.terminate();
    return;
  }
  worker.unref();
  idle.push(worker);
}

type Inbound = FromWorker | { readonly type: 'crash'; readonly error: Error } | { readonly type: 'exit'; readonly code: number };

/** Messages in arrival order, taken one at a time. */
class Inbox {
  private readonly queue: Inbound[] = [];
  private waiting: ((m: Inbound) => void) | null = null;

  put(m: Inbound): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w(m);
    } else this.queue.push(m);
  }

  take(): Promise<Inbound> {
    const m = this.queue.shift();
    return m ? Promise.resolve(m) : new Promise((resolve) => (this.waiting = resolve));
  }
}

function rebuilt(e: ThreadError): Error {
  if (e.kind === 'input') return new InputError(e.file, e.line, e.reason);
  if (e.kind === 'usage') return new UsageError(e.message);
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack !== undefined) err.stack = e.stack;
  return err;
}

/** Events of all `paths`, merged in time order, read in a worker thread. */
export async function* eventsInWorker(paths: readonly string[], options: IngestOptions, host: WorkerIngestHost): AsyncGenerator<EventBatch> {
  const { format, strict, sortWindowNs, batchRows, onRead } = options;
  const given = Object.fromEntries(Object.entries({ format, strict, sortWindowNs, batchRows }).filter(([, v]) => v !== undefined));
  const job: ReadJob = { paths: [...paths], options: given, progress: onRead !== undefined };
  const worker = takeWorker();
  const inbox = new Inbox();
  const onMessage = (m: FromWorker) => {
    if (m.type !== 'progress') return inbox.put(m);
    host.progress(m.progress);
    onRead!();
  };
  const onError = (error: Error) => inbox.put({ type: 'crash', error });
  const onExit = (code: number) => inbox.put({ type: 'exit', code });
  worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  const stopOnInterrupt = onInterrupt(() => void worker.terminate());
  const ids = new DictionaryImport(host.strings, host.addresses);
  const ack: ToWorker = { type: 'ack' };
  /** the worker finished the job (its end or its error came): it may read the next */
  let finished = false;
  worker.postMessage({ type: 'read', job } satisfies ToWorker);
  try {
    for (;;) {
      const m = await inbox.take();
      if (m.type === 'crash') throw m.error;
      if (m.type === 'exit') throw new Error(`the ingest worker stopped (exit code ${m.code}) before the end of its input`);
      if (m.type === 'progress') continue; // never queued
      ids.add(m.dictionary);
      for (const c of m.files) (host.files[c.index] ??= new FileStats(c.index, c.path)).apply(c);
      host.progress(m.progress);
      finished = m.type !== 'batch';
      if (m.type === 'end') return;
      if (m.type === 'error') throw rebuilt(m.error);
      const batch = new ColumnBatch(EVENTS, m.capacity, m.columns as ArrayOf<ColumnKind>[]);
      batch.length = m.length;
      ids.rewrite(batch);
      yield batch;
      worker.postMessage(ack);
    }
  } finally {
    stopOnInterrupt();
    worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    if (finished) keepWorker(worker);
    else await worker.terminate();
  }
}
