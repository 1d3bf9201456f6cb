// The ingest's one time-ordering core. Trace sources write per-CPU buffers
// in turn (ktrdump's rings, perf.data's buffers, dtrace's per-CPU output), so
// their rows come as runs of non-decreasing time, one queue per buffer, each
// already in order. The merge sorter holds the times of the rows in arrival
// order, as those runs, and merges them with a heap of runs: O(n log k) for k
// runs, in time order, ties in arrival order (a stable sort's order). What it
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

  /** Every held row's index in time order (ties in arrival order), as `order[0, size)`; the rows stay held. */
  order(order: Uint32Array): void {
    let k = 0;
    this.merge(Infinity, (row) => {
      order[k++] = row;
    });
  }

  /**
   * Hand every held row with time <= limit to `visit` in time order (ties in
   * arrival order) and forget it. The rest stay, in arrival order, numbered
   * from 0 again: `moved(from, to)` tells the holder, row by row in arrival
   * order (to <= from), so it can move what it keeps beside each row.
   */
  drainUpTo(limit: number, visit: (row: number) => void, moved?: (from: number, to: number) => void): void {
    if (this.count === 0) return;
    const { stop, end } = this.merge(limit, visit);
    this.keep(stop, end, moved);
  }

  /** Visit the rows with time <= limit in order; each run's first row not visited (stop) and its end. */
  private merge(limit: number, visit: (row: number) => void): { stop: Int32Array; end: Int32Array } {
    const n = this.count;
    const runs = this.runs;
    const times = this.times;
    const next = this.runStarts.slice(0, runs);
    const end = new Int32Array(runs);
    for (let j = 0; j < runs; j++) end[j] = j + 1 < runs ? this.runStarts[j + 1]! : n;
    // each run is in time order: what may go is a prefix of it
    const stop = end.slice();
    if (limit !== Infinity) for (let j = 0; j < runs; j++) while (stop[j]! > next[j]! && times[stop[j]! - 1]! > limit) stop[j]!--;
    if (runs === 1) {
      for (let row = next[0]!; row < stop[0]!; row++) visit(row);
      return { stop, end };
    }
    // A binary min-heap of the runs by their next row's (time, run): runs are in arrival order.
    const heap = new Int32Array(runs);
    let size = 0;
    for (let j = 0; j < runs; j++) if (next[j]! < stop[j]!) heap[size++] = j;
    const before = (a: number, b: number): boolean => {
      const ta = times[next[a]!]!;
      const tb = times[next[b]!]!;
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
      visit(next[run]!);
      if (++next[run]! === stop[run]!) heap[0] = heap[--size]!;
      down(0);
    }
    return { stop, end };
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
