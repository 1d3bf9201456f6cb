// The store's side of its writer thread (writer-thread.ts): one proxy per
// table with the surface of a TableFile. A batch is copied column by column
// and the copies transferred, so write() returns at once and the caller may
// refill its batch; the string and address entries the thread has not seen
// go with it. `pending` counts the batches the thread has not yet taken.

import type { Worker } from 'node:worker_threads';
import type { Dictionaries } from '../columns/dictionaries.js';
import type { ColumnBatch, ColumnSpec, TableSpec } from '../columns/table.js';
import { moduleWorker, siblingModule } from '../common/module-worker.js';
import type { TableSink } from './table-file.js';
import { type FromWriter, fromWire, type ToWriter } from './writer-protocol.js';

type AnyTable = TableSpec<readonly ColumnSpec[]>;
type AnyBatch = ColumnBatch<readonly ColumnSpec[]>;

export class WriterThread {
  private readonly worker: Worker;
  private readonly tables = new Map<string, RemoteTable>();
  private sentStrings = 0;
  private sentAddresses = 0;
  private ended = false;

  constructor(private readonly dicts: Dictionaries) {
    this.worker = moduleWorker(siblingModule(import.meta, 'writer-thread'));
    this.worker.on('message', (m: FromWriter) => this.tables.get(m.table)?.hear(m));
    this.worker.on('error', (e) => {
      for (const t of this.tables.values()) t.lost(e);
    });
    this.worker.on('exit', (code) => {
      if (!this.ended) for (const t of this.tables.values()) t.lost(new Error(`store: the writer thread stopped (exit code ${code})`));
    });
  }

  /** A table written by the thread into `path`. */
  table(path: string, spec: AnyTable, createdBy: string): RemoteTable {
    const columns = spec.columns.map((c) => ({ name: c.name, kind: c.kind, ...(c.enum && { labels: c.enum.labels }) }));
    const t = new RemoteTable(this, spec);
    this.tables.set(spec.name, t);
    this.post({ type: 'open', table: spec.name, path, columns, createdBy });
    return t;
  }

  /** Post `m`; a write carries the dictionary entries added since the last one. */
  post(m: ToWriter, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  /** Dictionary entries the thread has not been sent yet. */
  newEntries(): { strings: string[]; addresses: Uint32Array } {
    const { strings, addresses } = this.dicts;
    const s: string[] = [];
    for (let id = this.sentStrings; id < strings.size; id++) s.push(strings.get(id) ?? '');
    const a = new Uint32Array(2 * (addresses.size - this.sentAddresses));
    for (let id = this.sentAddresses, i = 0; id < addresses.size; id++, i += 2) {
      a[i] = addresses.high(id);
      a[i + 1] = addresses.low(id);
    }
    this.sentStrings = strings.size;
    this.sentAddresses = addresses.size;
    return { strings: s, addresses: a };
  }

  /** Stop the thread (every table closed or abandoned). */
  async end(): Promise<void> {
    this.ended = true;
    await this.worker.terminate();
  }
}

export class RemoteTable implements TableSink {
  private written = 0;
  private unanswered = 0;
  private failure: { readonly error: unknown } | null = null;
  private readonly waiting: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private finish: { resolve: (rows: number) => void; reject: (e: unknown) => void } | null = null;

  constructor(
    private readonly thread: WriterThread,
    readonly spec: AnyTable,
  ) {}

  get rowCount(): number {
    return this.written;
  }

  get pending(): number {
    return this.unanswered;
  }

  get failed(): unknown {
    return this.failure?.error;
  }

  /** Settles when the thread takes its next batch (at once when it has them all). */
  oldest(): Promise<void> {
    if (this.unanswered === 0 || this.failure) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject })).then(
      () => {},
      () => {},
    );
  }

  write(batch: AnyBatch): void {
    const n = batch.length;
    if (n === 0) return;
    const columns = this.spec.columns.map((c) => batch.column(c.name).slice(0, c.kind === 'u64' ? 2 * n : n));
    const { strings, addresses } = this.thread.newEntries();
    this.thread.post({ type: 'write', table: this.spec.name, length: n, columns, strings, addresses }, [
      ...columns.map((c) => c.buffer as ArrayBuffer),
      addresses.buffer as ArrayBuffer,
    ]);
    this.unanswered++;
    this.written += n;
  }

  close(): Promise<void> {
    return this.settle('close');
  }

  abandon(): Promise<void> {
    return this.settle('abandon').catch(() => {});
  }

  /** A message from the thread about this table. */
  hear(m: FromWriter): void {
    if (m.type === 'taken') {
      this.unanswered--;
      for (const w of this.waiting.splice(0)) w.resolve(); // every waiter hears of the progress
    } else if (m.type === 'failed') {
      this.lost(fromWire(m.error));
    } else {
      this.finish?.resolve(m.rows);
      this.finish = null;
    }
  }

  /** The table cannot be written: every waiter hears of it. */
  lost(error: unknown): void {
    this.failure ??= { error };
    for (const w of this.waiting.splice(0)) w.reject(error);
    this.finish?.reject(this.failure.error);
    this.finish = null;
  }

  private async settle(type: 'close' | 'abandon'): Promise<void> {
    if (this.failure && type === 'close') throw this.failure.error;
    const rows = await new Promise<number>((resolve, reject) => {
      this.finish = { resolve, reject };
      this.thread.post({ type, table: this.spec.name });
    });
    if (type === 'close' && rows !== this.written) throw new Error(`store: ${this.spec.name}.parquet has ${rows} rows, ${this.written} were written`);
  }
}
