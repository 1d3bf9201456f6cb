// The raw records of the framings that must see their records in time order
// before they decode them: ktrdump without -s prints each CPU's ring in turn,
// and perf.data writes each CPU's buffer in turn, so a record can be earlier
// than records a whole buffer before it. The records are held as raw bytes
// (cheaper than decoded rows) and put in order by the ingest's one merge
// sorter (merge-sorter.ts: runs of non-decreasing time merged, ties in
// arrival order). Each record may carry a few integers of its own (`width`,
// e.g. where its cells were found), so it need not be parsed again when it
// goes out.
//
// (Decoded events are put in order by sorter.ts, with the same merge sorter.)

import { widen } from '../../columns/typed.js';
import { MergeSorter } from './merge-sorter.js';

/** `tags[at, at + width)` are the integers the row was held with. */
export type HeldRow = (buf: Uint8Array, start: number, end: number, lineNo: number, ts: number, tags: Int32Array, at: number) => void;

export class RecordMerger {
  private readonly order = new MergeSorter();
  private arena: Uint8Array = new Uint8Array(1 << 20);
  private used = 0;
  private offsets: Float64Array = new Float64Array(1024);
  private lineNos: Float64Array = new Float64Array(1024);
  private tags: Int32Array;
  // Where drainUpTo() hands on and keeps rows (made once: no closure per drain).
  private emit: HeldRow = () => {};
  private heldRows = 0;
  private kept = 0;
  private readonly visit = (row: number): void => {
    this.emit(this.arena, this.offsets[row]!, this.rowEnd(row), this.lineNos[row]!, this.order.timeOf(row), this.tags, row * this.width);
  };
  private readonly moved = (from: number, to: number): void => {
    const start = this.offsets[from]!;
    const end = this.rowEnd(from);
    this.arena.copyWithin(this.kept, start, end);
    this.offsets[to] = this.kept;
    this.lineNos[to] = this.lineNos[from]!;
    if (this.width > 0) this.tags.copyWithin(to * this.width, from * this.width, (from + 1) * this.width);
    this.kept += end - start;
  };

  constructor(private readonly width = 0) {
    this.tags = new Int32Array(1024 * width);
  }

  get size(): number {
    return this.order.size;
  }

  /** Bytes of the rows held. */
  get bytesHeld(): number {
    return this.used;
  }

  /** Hold row buf[start, end) with its line number, time (not NaN) and `width` tags (from the returned index on, to be filled by the caller). */
  add(buf: Uint8Array, start: number, end: number, lineNo: number, ts: number): number {
    const n = this.order.push(ts);
    if (n === this.offsets.length) this.growRows();
    const len = end - start;
    if (this.used + len > this.arena.length) this.growArena(len);
    // a plain view: Buffer.subarray would build a Buffer (a JS constructor) per row
    this.arena.set(new Uint8Array(buf.buffer, buf.byteOffset + start, len), this.used);
    this.offsets[n] = this.used;
    this.used += len;
    this.lineNos[n] = lineNo;
    return n * this.width;
  }

  /** The tags of the held rows, to fill at the index add() returned. */
  get heldTags(): Int32Array {
    return this.tags;
  }

  /** The time of the last row held (0 when none is): an untimed record takes it, so it keeps its place. */
  get lastTime(): number {
    const n = this.order.size;
    return n > 0 ? this.order.timeOf(n - 1) : 0;
  }

  /** The times of the held rows, in arrival order (a copy). */
  heldTimes(): Float64Array {
    return this.order.heldTimes();
  }

  /** Hand every held row to `emit` in time order (ties in arrival order), then forget them. */
  drain(emit: HeldRow): void {
    this.drainUpTo(Infinity, emit);
  }

  /** Hand every held row with time <= limit to `emit` in time order (ties in arrival order); keep the rest, in arrival order. */
  drainUpTo(limit: number, emit: HeldRow): void {
    this.emit = emit;
    this.heldRows = this.order.size;
    this.kept = 0;
    this.order.drainUpTo(limit, this.visit, this.moved);
    this.used = this.kept;
    this.emit = () => {};
  }

  /** Where row `row` ends in the arena (rows are moved to the front in arrival order, so the next row's start is still in place). */
  private rowEnd(row: number): number {
    return row + 1 < this.heldRows ? this.offsets[row + 1]! : this.used;
  }

  private growRows(): void {
    this.offsets = widen(this.offsets, this.offsets.length * 2);
    this.lineNos = widen(this.lineNos, this.lineNos.length * 2);
    this.tags = widen(this.tags, this.tags.length * 2);
  }

  private growArena(need: number): void {
    this.arena = widen(this.arena, Math.max(this.arena.length * 2, this.used + need));
  }
}
