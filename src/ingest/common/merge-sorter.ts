// The ingest's one time-ordering core. Trace sources write per-CPU buffers
// in turn (ktrdump's rings, perf.data's buffers, dtrace's per-CPU output), so
// their rows come as runs of non-decreasing time, one queue per buffer, each
// already in order. The merge sorter holds the times of the rows in arrival
// order, as those runs, and merges neighbouring runs pairwise: O(n log k) for
// k runs, in time order, ties in arrival order (a stable sort's order); runs
// too short to be worth merging are sorted by insertion first, as a timsort
// does, so rows in no order at all cost no more than a sort. What it
// holds beside each row (raw bytes, decoded columns) is its holder's:
// record-merger.ts holds raw records for the framings that decode in time
// order (ktr, perf.data), sorter.ts decoded events for every framing.

import { widen } from '../../columns/typed.js';

export class MergeSorter {
  private times: Float64Array;
  private count = 0;
  /** index of the first row of each run of non-decreasing times */
  private runStarts = new Int32Array(64);
  private runs = 0;

  /** `capacity`: the rows it expects to hold (it grows past them). */
  constructor(capacity = 1024) {
    this.times = new Float64Array(Math.max(capacity, 16));
  }

  /** Rows held. */
  get size(): number {
    return this.count;
  }

  /** The time of row `row` (arrival order). */
  timeOf(row: number): number {
    return this.times[row]!;
  }

  /** The times of the held rows, in arrival order (a copy). */
  heldTimes(): Float64Array {
    return this.times.slice(0, this.count);
  }

  /** Hold a row at time `ts` (not NaN); its index in arrival order is returned. */
  push(ts: number): number {
    const n = this.count;
    if (n === this.times.length) this.times = widen(this.times, 2 * n);
    if (n === 0 || ts < this.times[n - 1]!) {
      if (this.runs === this.runStarts.length) this.runStarts = widen(this.runStarts, 2 * this.runs);
      this.runStarts[this.runs++] = n;
    }
    this.times[n] = ts;
    this.count = n + 1;
    return n;
  }

  /** Forget every row. */
  clear(): void {
    this.count = 0;
    this.runs = 0;
  }

  /** Every held row's index in time order (ties in arrival order); the rows stay held. */
  order(): Uint32Array {
    return this.merge(Infinity).rows;
  }

  /**
   * Hand every held row with time <= limit to `visit` in time order (ties in
   * arrival order) and forget it. The rest stay, in arrival order, numbered
   * from 0 again: `moved(from, to)` tells the holder, row by row in arrival
   * order (to <= from), so it can move what it keeps beside each row.
   */
  drainUpTo(limit: number, visit: (row: number) => void, moved?: (from: number, to: number) => void): void {
    if (this.count === 0) return;
    const { rows, stop, end } = this.merge(limit);
    for (let k = 0; k < rows.length; k++) visit(rows[k]!);
    this.keep(stop, end, moved);
  }

  /** The rows with time <= limit in time order (ties in arrival order); each run's first row left (stop) and its end. */
  private merge(limit: number): { rows: Uint32Array; stop: Int32Array; end: Int32Array } {
    const n = this.count;
    const runs = this.runs;
    const times = this.times;
    const start = this.runStarts.slice(0, runs);
    const end = new Int32Array(runs);
    for (let j = 0; j < runs; j++) end[j] = j + 1 < runs ? start[j + 1]! : n;
    // each run is in time order: what may go is a prefix of it
    const stop = end.slice();
    if (limit !== Infinity) for (let j = 0; j < runs; j++) while (stop[j]! > start[j]! && times[stop[j]! - 1]! > limit) stop[j]!--;
    let total = 0;
    for (let j = 0; j < runs; j++) total += stop[j]! - start[j]!;
    // The rows that go, run by run, as blocks each in order: a run's part, or
    // short parts side by side sorted by insertion (as a timsort does).
    let rows = new Uint32Array(total);
    const blocks = [0];
    let at = 0;
    let blockStart = 0;
    const close = (): void => {
      if (at === blockStart) return;
      insertionSort(rows, times, blockStart, at);
      blocks.push(at);
      blockStart = at;
    };
    for (let j = 0; j < runs; j++) {
      const part = stop[j]! - start[j]!;
      if (part === 0) continue;
      if (part >= MIN_BLOCK) close();
      for (let row = start[j]!; row < stop[j]!; row++) rows[at++] = row;
      if (at - blockStart >= MIN_BLOCK) {
        if (part < at - blockStart) insertionSort(rows, times, blockStart, at);
        blocks.push(at);
        blockStart = at;
      }
    }
    close();
    // Merge neighbouring blocks pairwise until one is left: the left one first
    // among equal times, as its rows came first.
    if (blocks.length > 2) {
      let from = rows;
      let to = new Uint32Array(total);
      let bounds = blocks;
      while (bounds.length > 2) {
        const next = [0];
        let i = 0;
        for (; i + 2 < bounds.length; i += 2) {
          mergeInto(from, to, times, bounds[i]!, bounds[i + 1]!, bounds[i + 2]!);
          next.push(bounds[i + 2]!);
        }
        if (i + 1 < bounds.length) {
          to.set(from.subarray(bounds[i]!, bounds[i + 1]!), bounds[i]!);
          next.push(bounds[i + 1]!);
        }
        [from, to] = [to, from];
        bounds = next;
      }
      rows = from;
    }
    return { rows, stop, end };
  }

  /** Keep rows stop[j] to end[j] of each run, moved to the front in arrival order; forget the rest. */
  private keep(stop: Int32Array, end: Int32Array, moved?: (from: number, to: number) => void): void {
    const runs = stop.length;
    const times = this.times;
    let kept = 0;
    this.runs = 0;
    for (let j = 0; j < runs; j++) {
      for (let row = stop[j]!; row < end[j]!; row++) {
        if (kept === 0 || times[row]! < times[kept - 1]!) this.runStarts[this.runs++] = kept;
        moved?.(row, kept);
        times[kept++] = times[row]!;
      }
    }
    this.count = kept;
  }
}

/** Blocks shorter than this are sorted by insertion before the merging starts. */
const MIN_BLOCK = 32;

/** Sort rows[lo, hi) by time, stably (a block of short runs). */
function insertionSort(rows: Uint32Array, times: Float64Array, lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const row = rows[i]!;
    const t = times[row]!;
    let j = i;
    for (; j > lo && times[rows[j - 1]!]! > t; j--) rows[j] = rows[j - 1]!;
    rows[j] = row;
  }
}

/** Merge from[lo, mid) and from[mid, hi), each in time order, into to[lo, hi); the left first among equal times. */
function mergeInto(from: Uint32Array, to: Uint32Array, times: Float64Array, lo: number, mid: number, hi: number): void {
  let a = lo;
  let b = mid;
  let k = lo;
  while (a < mid && b < hi) {
    const ra = from[a]!;
    const rb = from[b]!;
    if (times[rb]! < times[ra]!) {
      to[k++] = rb;
      b++;
    } else {
      to[k++] = ra;
      a++;
    }
  }
  if (a < mid) to.set(from.subarray(a, mid), k);
  else if (b < hi) to.set(from.subarray(b, hi), k);
}
