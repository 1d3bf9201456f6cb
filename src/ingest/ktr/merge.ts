// Per-CPU blocks merged by time before they are decoded. Without -s ktrdump
// prints each CPU's ring in turn, so a row can be earlier than rows a whole
// ring before it. Each block is already in time order, so the rows are held
// as raw bytes (cheaper than decoded rows) and merged run by run, O(n log k)
// for k runs, instead of sorting every decoded row at the end. Each row may
// carry a few integers of its own (`width`, e.g. where its cells were found),
// so it need not be parsed again when it goes out.

import { widen } from '../../columns/typed.js';

/** `tags[at, at + width)` are the integers the row was held with. */
export type HeldRow = (buf: Uint8Array, start: number, end: number, lineNo: number, ts: number, tags: Int32Array, at: number) => void;

export class RunMerger {
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

  /** Hand every held row to `emit` in time order (ties in arrival order), then forget them. */
  drain(emit: HeldRow): void {
    const n = this.count;
    if (n === 0) return;
    const runs = this.runStarts.length;
    const next = Int32Array.from(this.runStarts);
    const stop = Int32Array.from(this.runStarts, (_, j) => (j + 1 < runs ? this.runStarts[j + 1]! : n));
    // A binary min-heap of runs by their next row's (time, run), runs in arrival order.
    const heap = Int32Array.from({ length: runs }, (_, j) => j);
    let size = runs;
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
      const start = this.offsets[row]!;
      const end = row + 1 < n ? this.offsets[row + 1]! : this.used;
      emit(this.arena, start, end, this.lineNos[row]!, this.times[row]!, this.tags, row * this.width);
      if (++next[run]! === stop[run]!) heap[0] = heap[--size]!;
      down(0);
    }
    this.count = 0;
    this.used = 0;
    this.runStarts = [];
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
