// Puts one file's events in time order. Framings that log per-CPU buffers
// (ktrdump without -s, dtrace) interleave CPUs out of order; the sorter holds
// rows until no earlier row can still arrive: `window` nanoseconds behind the
// latest timestamp seen (Infinity: until the end, for a ring-buffer dump whose
// size bounds it), and orders them with the ingest's one merge sorter
// (merge-sorter.ts: the per-CPU runs merged, ties in arrival order). A row
// that arrives later than that is emitted as it comes and counted as late.
//
// The window is also capped in rows (`maxRows`): a dense trace (millions of
// events per second of trace time) would otherwise hold seconds' worth of
// rows, and memory would grow with the event rate instead of staying bounded
// by it. Past the cap the earliest rows go on even if the time window would
// keep them; a row that then arrives behind them is counted as late.
//
// Memory: the held rows live in one set of columns, a ring reused for the
// whole file (RowRing), not in the batches they came in, so a pushed batch is
// free again when push() returns and the batches handed on are cut from the
// ring one at a time, as the reader asks for them (take()). The ring grows to
// the most rows ever held and is given back to the system as soon as the last
// row is taken, not when a garbage collection gets to it: a dense trace holds
// about 280 MB here, which would otherwise stay allocated through the end of a
// run (where the store builds its tables).

import { type EventBatch, EVENTS, newEventBatch } from '../../events/schema.js';
import { MergeSorter } from './merge-sorter.js';
import type { FileStats } from './stats.js';

/** Rows the sorter may hold before the earliest go regardless of the time window (about 280 MB of events). */
export const DEFAULT_SORT_MAX_ROWS = 1 << 21;

/** A run of consecutive rows that is handed on (or held) as one: a pushed batch, or what one sort kept back. */
interface Segment {
  rows: number;
  /** the last timestamp of the segment's rows that is not NaN (NaN if none) */
  lastTs: number;
}

export class Sorter {
  private readonly ring: RowRing;
  /** released rows not yet taken, at the front of the ring, as segments cut into batches by take() */
  private readonly ready: number[] = [];
  private readyRows = 0;
  /** held rows, after the released ones */
  private held: Segment[] = [];
  private pendingRows = 0;
  private inOrder = true;
  private lastPushedTs = -Infinity;
  private maxTs = -Infinity;
  private lastEmittedTs = -Infinity;
  /** the earliest row held back by the last sort (nothing goes before the watermark passes it) */
  private keptMinTs = -Infinity;
  private sortAt: number;
  private finished = false;

  constructor(
    public window: number,
    private readonly stats: FileStats,
    private readonly batchRows: number,
    private readonly maxRows = DEFAULT_SORT_MAX_ROWS,
  ) {
    this.sortAt = 4 * batchRows;
    this.ring = new RowRing(Number.isFinite(maxRows) ? maxRows + 4 * batchRows : 1 << 22);
  }

  /** Take a batch's rows (copied: the batch is the caller's again when this returns). */
  push(batch: EventBatch): void {
    const ts = batch.cols.ts;
    for (let i = 0; i < batch.length; i++) {
      const t = ts[i]!;
      if (Number.isNaN(t)) continue;
      if (t < this.lastPushedTs) this.inOrder = false;
      this.lastPushedTs = t;
      if (t > this.maxTs) this.maxTs = t;
    }
    this.ring.append(batch);
    this.held.push({ rows: batch.length, lastTs: lastTs(ts, 0, batch.length) });
    this.pendingRows += batch.length;
    this.release(false);
  }

  /** The input ended: every held row may go. */
  finish(): void {
    this.finished = true;
    this.release(true);
    if (this.ring.rows === 0) this.ring.free();
  }

  /** The next batch of rows in time order, or null while none may go yet. */
  take(): EventBatch | null {
    if (this.ready.length === 0) return null;
    const rows = Math.min(this.ready[0]!, this.batchRows);
    const b = newEventBatch(Math.max(rows, this.batchRows));
    this.ring.shift(b, rows);
    this.readyRows -= rows;
    if ((this.ready[0]! -= rows) === 0) this.ready.shift();
    if (this.finished && this.ring.rows === 0) this.ring.free();
    return b;
  }

  /** Every batch that may go now, in order, cut from the ring as the caller asks for the next. */
  *drain(): Generator<EventBatch> {
    for (let b = this.take(); b; b = this.take()) yield b;
  }

  /** Bytes the ring holds (for tests and measurements). */
  get bytesHeld(): number {
    return this.ring.bytes;
  }

  private release(all: boolean): void {
    const watermark = all ? Infinity : this.maxTs - this.window;
    // Over the row cap, pass on at least enough to get back to half of it.
    const atLeast = this.pendingRows > this.maxRows ? this.pendingRows - (this.maxRows >> 1) : 0;
    if (this.inOrder) return this.releaseInOrder(watermark, atLeast);
    // Out of order: sort once enough is held that the work pays for itself,
    // and only when some row can go (re-sorting rows that must all stay, as
    // with an infinite window, made long traces quadratic). What a sort keeps
    // back must double before the next one, so sorting stays O(n log n).
    if (!all && !atLeast && this.pendingRows < this.sortAt) return;
    if (!all && !atLeast && !(watermark >= this.keptMinTs)) return;
    this.releaseSorted(watermark, atLeast);
  }

  /** Pass on whole segments up to the watermark, and at least `atLeast` rows. */
  private releaseInOrder(watermark: number, atLeast: number): void {
    let released = 0;
    let k = 0;
    for (; k < this.held.length; k++) {
      const s = this.held[k]!;
      if (!(s.lastTs <= watermark) && watermark !== Infinity && released >= atLeast) break;
      released += s.rows;
      this.ready.push(s.rows);
      if (!Number.isNaN(s.lastTs)) this.lastEmittedTs = Math.max(this.lastEmittedTs, s.lastTs);
    }
    if (k > 0) this.held.splice(0, k);
    this.readyRows += released;
    this.pendingRows -= released;
  }

  /** Sort what is held; pass on the rows up to the watermark, and at least the `atLeast` earliest. */
  private releaseSorted(watermark: number, atLeast: number): void {
    // Key every held row by time (an untimed row keeps its place behind the
    // row before it) and order them by key, then arrival.
    const n = this.pendingRows;
    const first = this.readyRows;
    const keys = new Float64Array(n);
    this.ring.times(first, n, keys);
    let prev = this.lastEmittedTs;
    for (let k = 0; k < n; k++) {
      if (Number.isNaN(keys[k]!)) keys[k] = prev;
      prev = keys[k]!;
    }
    const merge = new MergeSorter(n);
    for (let k = 0; k < n; k++) merge.push(keys[k]!);
    const order = merge.order();
    if (atLeast > 0) watermark = Math.max(watermark, keys[order[Math.min(atLeast, n) - 1]!]!);
    // The rows up to the watermark go, the rest are held back: in key order, a prefix.
    let go = 0;
    const cpus = this.ring.cpus(first, n);
    for (; go < n && keys[order[go]!]! <= watermark; go++) {
      const t = keys[order[go]!]!;
      if (t < this.lastEmittedTs) {
        this.stats.late++;
        this.stats.cpu(cpus[order[go]!]!).late++;
      } else this.lastEmittedTs = t;
    }
    this.ring.permute(first, order);
    for (let left = go; left > 0; left -= this.batchRows) this.ready.push(Math.min(left, this.batchRows));
    this.readyRows += go;
    const kept = n - go;
    this.keptMinTs = kept > 0 ? keys[order[go]!]! : -Infinity;
    const keptTs = new Float64Array(kept);
    this.ring.times(first + go, kept, keptTs);
    this.held = kept > 0 ? [{ rows: kept, lastTs: lastTs(keptTs, 0, kept) }] : [];
    this.pendingRows = kept;
    this.sortAt = Math.max(4 * this.batchRows, 2 * kept);
    this.inOrder = true;
    this.lastPushedTs = kept > 0 ? keptTs[kept - 1]! : this.lastEmittedTs;
  }
}

function lastTs(ts: Float64Array, start: number, end: number): number {
  for (let i = end - 1; i >= start; i--) if (!Number.isNaN(ts[i]!)) return ts[i]!;
  return NaN;
}

type Column = Float64Array | Int32Array | Int16Array | Int8Array | Uint32Array | Uint8Array;
type ColumnCtor = new (buffer: ArrayBuffer) => Column;
/** ArrayBuffer.prototype.resize (ES2024): shrinking gives the pages back to the system at once. */
interface Resizable extends ArrayBuffer {
  readonly maxByteLength: number;
  resize(byteLength: number): void;
}
const newResizable = (maxByteLength: number): Resizable =>
  new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => Resizable)(0, { maxByteLength });

/**
 * Event rows in a ring of columns, one resizable buffer per column of the
 * events table: rows go in at the back (append) and out at the front (shift),
 * with no allocation once the ring has grown to the most rows held at once.
 * Logical row i is physical row (head + i) mod capacity.
 */
class RowRing {
  private readonly names = EVENTS.columns.map((c) => c.name);
  /** values per row of each column (2 for a u64: two u32 halves) */
  private readonly width = EVENTS.columns.map((c) => (c.kind === 'u64' ? 2 : 1));
  private readonly ctors: ColumnCtor[];
  /** bytes per row of each column */
  private readonly rowBytes: number[];
  private readonly buffers: Resizable[] = [];
  private cols: Column[] = [];
  /** scratch for permute(): one column's held values at a time */
  private scratch: Resizable | null = null;
  private capacity = 0;
  private head = 0;
  rows = 0;

  constructor(private reserveRows: number) {
    const template = newEventBatch(1);
    this.ctors = this.names.map((name) => template.column(name).constructor as ColumnCtor);
    this.rowBytes = this.names.map((name, c) => this.width[c]! * template.column(name).BYTES_PER_ELEMENT);
  }

  get bytes(): number {
    return this.buffers.reduce((n, b) => n + b.byteLength, 0) + (this.scratch?.byteLength ?? 0);
  }

  /** Copy the batch's rows in at the back. */
  append(b: EventBatch): void {
    const n = b.length;
    if (n === 0) return;
    this.ensure(this.rows + n);
    const start = (this.head + this.rows) % this.capacity;
    const first = Math.min(n, this.capacity - start);
    this.names.forEach((name, c) => {
      const w = this.width[c]!;
      const src = b.column(name);
      const dst = this.cols[c]!;
      dst.set(src.subarray(0, first * w), start * w);
      if (first < n) dst.set(src.subarray(first * w, n * w), 0);
    });
    this.rows += n;
  }

  /** Move the first `n` rows into the empty batch `b`. */
  shift(b: EventBatch, n: number): void {
    const first = Math.min(n, this.capacity - this.head);
    this.names.forEach((name, c) => {
      const w = this.width[c]!;
      const src = this.cols[c]!;
      const dst = b.column(name);
      dst.set(src.subarray(this.head * w, (this.head + first) * w), 0);
      if (first < n) dst.set(src.subarray(0, (n - first) * w), first * w);
    });
    b.length = n;
    this.head = (this.head + n) % this.capacity;
    this.rows -= n;
  }

  /** The timestamps of logical rows [from, from + n) into `out`. */
  times(from: number, n: number, out: Float64Array): void {
    this.read(this.names.indexOf('ts'), from, n, out);
  }

  /** The CPUs of logical rows [from, from + n), as a new array. */
  cpus(from: number, n: number): Int32Array {
    const out = new Int32Array(n);
    this.read(this.names.indexOf('cpu'), from, n, out);
    return out;
  }

  /** Reorder logical rows [from, from + order.length): the row at from + k becomes the one that was at from + order[k]. */
  permute(from: number, order: Uint32Array): void {
    const n = order.length;
    if (n === 0) return;
    const bytes = 8 * n; // the widest column: 8 bytes a row
    if (!this.scratch || this.scratch.maxByteLength < bytes) this.scratch = newResizable(bytes);
    this.scratch.resize(bytes);
    const cap = this.capacity;
    const base = this.head + from;
    this.cols.forEach((col, c) => {
      const w = this.width[c]!;
      const tmp = new this.ctors[c]!(this.scratch!);
      for (let k = 0; k < n; k++) {
        const p = ((base + order[k]!) % cap) * w;
        tmp[k * w] = col[p]!;
        if (w === 2) tmp[k * w + 1] = col[p + 1]!;
      }
      this.write(c, from, n, tmp);
    });
    this.scratch.resize(0);
  }

  /** Give the memory back (the ring is empty and stays so). */
  free(): void {
    for (const b of this.buffers) b.resize(0);
    this.scratch?.resize(0);
    this.capacity = 0;
    this.head = 0;
  }

  private read(c: number, from: number, n: number, out: Column): void {
    if (n === 0) return;
    const w = this.width[c]!;
    const col = this.cols[c]!;
    const start = (this.head + from) % this.capacity;
    const first = Math.min(n, this.capacity - start);
    out.set(col.subarray(start * w, (start + first) * w), 0);
    if (first < n) out.set(col.subarray(0, (n - first) * w), first * w);
  }

  private write(c: number, from: number, n: number, src: Column): void {
    if (n === 0) return;
    const w = this.width[c]!;
    const col = this.cols[c]!;
    const start = (this.head + from) % this.capacity;
    const first = Math.min(n, this.capacity - start);
    col.set(src.subarray(0, first * w), start * w);
    if (first < n) col.set(src.subarray(first * w, n * w), 0);
  }

  /** Room for `rows` rows: grow (doubling) and unwrap the rows that wrapped past the old end. */
  private ensure(rows: number): void {
    if (rows <= this.capacity) return;
    const old = this.capacity;
    // Doubling, but never past the reserve unless the rows need it: the ring
    // of a dense trace ends at the row cap (and a few batches), not at twice it.
    const capacity = Math.max(rows, Math.min(2 * old, this.reserveRows), 1024);
    if (capacity > this.reserveRows || this.buffers.length === 0) {
      // (Re)reserve: new buffers, the rows copied over unwrapped.
      this.reserveRows = Math.max(this.reserveRows, capacity);
      const buffers = this.names.map((_, c) => newResizable(this.reserveRows * this.rowBytes[c]!));
      const cols = buffers.map((b, c) => new this.ctors[c]!(b));
      buffers.forEach((b, c) => b.resize(capacity * this.rowBytes[c]!));
      if (this.rows > 0) cols.forEach((col, c) => this.read(c, 0, this.rows, col));
      for (const b of this.buffers) b.resize(0);
      this.buffers.splice(0, this.buffers.length, ...buffers);
      this.cols = cols;
      this.head = 0;
      this.capacity = capacity;
      return;
    }
    this.buffers.forEach((b, c) => b.resize(capacity * this.rowBytes[c]!));
    const wrapped = this.head + this.rows - old;
    if (wrapped > 0) {
      this.cols.forEach((col, c) => {
        const w = this.width[c]!;
        col.copyWithin(old * w, 0, wrapped * w);
      });
    }
    this.capacity = capacity;
  }
}
