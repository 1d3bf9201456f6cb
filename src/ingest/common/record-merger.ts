// The time-ordering buffer of the framings that must see their records in
// time order before they decode them: per-CPU blocks merged by time. ktrdump
// without -s prints each CPU's ring in turn, and perf.data writes each CPU's
// buffer in turn, so a record can be earlier than records a whole buffer
// before it. Each buffer is already in time order, so the records are held as
// raw bytes (cheaper than decoded rows), as runs of non-decreasing time, and
// merged run by run, O(n log k) for k runs: in time order, ties in arrival
// order. Each record may carry a few integers of its own (`width`, e.g. where
// its cells were found), so it need not be parsed again when it goes out.
//
// (Decoded events, whose order matters only to the tables, are put in order
// by sorter.ts, after decoding.)

import { widen } from '../../columns/typed.js';

/** `tags[at, at + width)` are the integers the row was held with. */
export type HeldRow = (buf: Uint8Array, start: number, end: number, lineNo: number, ts: number, tags: Int32Array, at: number) => void;

export class RecordMerger {
  private arena: Uint8Array = new Uint8Array(1 << 20);
  private used = 0;
  private offsets: Float64Array = new Float64Array(1024);
  private lineNos: Float64Array = new Float64Array(1024);
  private times: Float64Array = new Float64Array(1024);
  private tags: Int32Array;
  private count = 0;
  /** index of the first row of each run of non-decreasing times */
  private runStarts: number[] = [];

  constructor(private readonly width = 0) {
    this.tags = new Int32Array(1024 * width);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes of the rows held. */
  get bytesHeld(): number {
    return this.used;
  }

  /** Hold row buf[start, end) with its line number, time (not NaN) and `width` tags (from the returned index on, to be filled by the caller). */
  add(buf: Uint8Array, start: number, end: number, lineNo: number, ts: number): number {
    const n = this.count;
    if (n === this.times.length) this.growRows();
    if (n === 0 || ts < this.times[n - 1]!) this.runStarts.push(n);
    const len = end - start;
    if (this.used + len > this.arena.length) this.growArena(len);
    // a plain view: Buffer.subarray would build a Buffer (a JS constructor) per row
    this.arena.set(new Uint8Array(buf.buffer, buf.byteOffset + start, len), this.used);
    this.offsets[n] = this.used;
    this.used += len;
    this.lineNos[n] = lineNo;
    this.times[n] = ts;
    this.count = n + 1;
    return n * this.width;
  }

  /** The tags of the held rows, to fill at the index add() returned. */
  get heldTags(): Int32Array {
    return this.tags;
  }

  /** The time of the last row held (0 when none is): an untimed record takes it, so it keeps its place. */
  get lastTime(): number {
    return this.count > 0 ? this.times[this.count - 1]! : 0;
  }

  /** The times of the held rows, in arrival order (a copy). */
  heldTimes(): Float64Array {
    return this.times.slice(0, this.count);
  }

  /** Hand every held row to `emit` in time order (ties in arrival order), then forget them. */
  drain(emit: HeldRow): void {
    this.drainUpTo(Infinity, emit);
  }

  /** Hand every held row with time <= limit to `emit` in time order (ties in arrival order); keep the rest, in arrival order. */
  drainUpTo(limit: number, emit: HeldRow): void {
    const n = this.count;
    if (n === 0) return;
    const runs = this.runStarts.length;
    const next = Int32Array.from(this.runStarts);
    const end = Int32Array.from(this.runStarts, (_, j) => (j + 1 < runs ? this.runStarts[j + 1]! : n));
    // each run is in time order: what may go is a prefix of it
    const stop = Int32Array.from(end);
    if (limit !== Infinity) for (let j = 0; j < runs; j++) while (stop[j]! > next[j]! && this.times[stop[j]! - 1]! > limit) stop[j]!--;
    // A binary min-heap of runs by their next row's (time, run), runs in arrival order.
    const heap = Int32Array.from({ length: runs }, (_, j) => j).filter((j) => next[j]! < stop[j]!);
    let size = heap.length;
    const before = (a: number, b: number): boolean => {
      const ta = this.times[next[a]!]!;
      const tb = this.times[next[b]!]!;
      return ta < tb || (ta === tb && a < b);
    };
    const down = (i: number): void => {
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) return;
        const c = l + 1 < size && before(heap[l + 1]!, heap[l]!) ? l + 1 : l;
        if (!before(heap[c]!, heap[i]!)) return;
        const t = heap[i]!;
        heap[i] = heap[c]!;
        heap[c] = t;
        i = c;
      }
    };
    for (let i = (size >> 1) - 1; i >= 0; i--) down(i);
    while (size > 0) {
      const run = heap[0]!;
      const row = next[run]!;
      emit(this.arena, this.offsets[row]!, this.rowEnd(row), this.lineNos[row]!, this.times[row]!, this.tags, row * this.width);
      if (++next[run]! === stop[run]!) heap[0] = heap[--size]!;
      down(0);
    }
    this.keep(runs, stop, end);
  }

  /** Keep rows stop[j] to end[j] of each run, moved to the front in arrival order; forget the rest. */
  private keep(runs: number, stop: Int32Array, end: Int32Array): void {
    const n = this.count;
    let kept = 0;
    let used = 0;
    this.runStarts = [];
    for (let j = 0; j < runs; j++) {
      for (let row = stop[j]!; row < end[j]!; row++) {
        const from = this.offsets[row]!;
        const to = this.rowEnd(row, n);
        this.arena.copyWithin(used, from, to);
        if (kept === 0 || this.times[row]! < this.times[kept - 1]!) this.runStarts.push(kept);
        this.offsets[kept] = used;
        this.lineNos[kept] = this.lineNos[row]!;
        this.times[kept] = this.times[row]!;
        if (this.width > 0) this.tags.copyWithin(kept * this.width, row * this.width, (row + 1) * this.width);
        used += to - from;
        kept++;
      }
    }
    this.count = kept;
    this.used = used;
  }

  /** Where row `row` ends in the arena (`n` rows held). */
  private rowEnd(row: number, n = this.count): number {
    return row + 1 < n ? this.offsets[row + 1]! : this.used;
  }

  private growRows(): void {
    this.offsets = widen(this.offsets, this.offsets.length * 2);
    this.lineNos = widen(this.lineNos, this.lineNos.length * 2);
    this.times = widen(this.times, this.times.length * 2);
    this.tags = widen(this.tags, this.tags.length * 2);
  }

  private growArena(need: number): void {
    this.arena = widen(this.arena, Math.max(this.arena.length * 2, this.used + need));
  }
}
