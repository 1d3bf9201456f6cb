// Puts one file's events in time order. Framings that log per-CPU buffers
// (ktrdump without -s, dtrace) interleave CPUs out of order; the sorter holds
// rows until no earlier row can still arrive: `window` nanoseconds behind the
// latest timestamp seen (Infinity: until the end, for a ring-buffer dump whose
// size bounds it). A row that arrives later than that is emitted as it comes
// and counted as late. Rows already in order pass through without copying.
//
// The window is also capped in rows (`maxRows`): a dense trace (millions of
// events per second of trace time) would otherwise hold seconds' worth of
// rows, and memory would grow with the event rate instead of staying bounded
// by it. Past the cap the earliest rows go on even if the time window would
// keep them; a row that then arrives behind them is counted as late.

import { type EventBatch, newEventBatch } from '../../events/schema.js';
import type { FileStats } from './stats.js';

/** Rows the sorter may hold before the earliest go regardless of the time window (about 280 MB of events). */
export const DEFAULT_SORT_MAX_ROWS = 1 << 21;

export class Sorter {
  private pending: EventBatch[] = [];
  private pendingRows = 0;
  private inOrder = true;
  private lastPushedTs = -Infinity;
  private maxTs = -Infinity;
  private lastEmittedTs = -Infinity;
  /** the earliest row held back by the last sort (nothing goes before the watermark passes it) */
  private keptMinTs = -Infinity;
  private sortAt: number;

  constructor(
    public window: number,
    private readonly stats: FileStats,
    private readonly batchRows: number,
    private readonly maxRows = DEFAULT_SORT_MAX_ROWS,
  ) {
    this.sortAt = 4 * batchRows;
  }

  /** Take a batch; returns the batches now safe to pass on, in order. */
  push(batch: EventBatch): EventBatch[] {
    const ts = batch.cols.ts;
    for (let i = 0; i < batch.length; i++) {
      const t = ts[i]!;
      if (Number.isNaN(t)) continue;
      if (t < this.lastPushedTs) this.inOrder = false;
      this.lastPushedTs = t;
      if (t > this.maxTs) this.maxTs = t;
    }
    this.pending.push(batch);
    this.pendingRows += batch.length;
    return this.release(false);
  }

  finish(): EventBatch[] {
    return this.release(true);
  }

  private release(all: boolean): EventBatch[] {
    const watermark = all ? Infinity : this.maxTs - this.window;
    // Over the row cap, pass on at least enough to get back to half of it.
    const atLeast = this.pendingRows > this.maxRows ? this.pendingRows - (this.maxRows >> 1) : 0;
    if (this.inOrder) return this.releaseInOrder(watermark, atLeast);
    // Out of order: sort once enough is held that the work pays for itself,
    // and only when some row can go (re-sorting rows that must all stay, as
    // with an infinite window, made long traces quadratic). What a sort keeps
    // back must double before the next one, so sorting stays O(n log n).
    if (!all && !atLeast && this.pendingRows < this.sortAt) return [];
    if (!all && !atLeast && !(watermark >= this.keptMinTs)) return [];
    return this.releaseSorted(watermark, atLeast);
  }

  /** Pass on whole batches up to the watermark, and at least `atLeast` rows. */
  private releaseInOrder(watermark: number, atLeast: number): EventBatch[] {
    const out: EventBatch[] = [];
    let released = 0;
    while (this.pending.length > 0) {
      const b = this.pending[0]!;
      const last = lastTs(b);
      if (!(last <= watermark) && watermark !== Infinity && released >= atLeast) break;
      released += b.length;
      out.push(b);
      this.pending.shift();
      this.pendingRows -= b.length;
      if (!Number.isNaN(last)) this.lastEmittedTs = Math.max(this.lastEmittedTs, last);
    }
    return out;
  }

  /** Sort what is held; pass on the rows up to the watermark, and at least the `atLeast` earliest. */
  private releaseSorted(watermark: number, atLeast: number): EventBatch[] {
    // Index every pending row: (batch, row), ordered by time then arrival.
    const n = this.pendingRows;
    const keys = new Float64Array(n);
    const where = new Uint32Array(n);
    let k = 0;
    let prev = this.lastEmittedTs;
    this.pending.forEach((b, bi) => {
      const ts = b.cols.ts;
      for (let r = 0; r < b.length; r++, k++) {
        const t = Number.isNaN(ts[r]!) ? prev : ts[r]!; // an untimed row keeps its place
        keys[k] = t;
        where[k] = (bi << 20) | r;
        prev = t;
      }
    });
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
    if (atLeast > 0) watermark = Math.max(watermark, keys[order[Math.min(atLeast, n) - 1]!]!);
    const out: EventBatch[] = [];
    const keep = newEventBatch(Math.max(this.batchRows, n));
    let cur = newEventBatch(this.batchRows);
    let keptMinTs = -Infinity;
    for (const i of order) {
      const b = this.pending[where[i]! >>> 20]!;
      const r = where[i]! & 0xfffff;
      const t = keys[i]!;
      if (t <= watermark) {
        if (t < this.lastEmittedTs) {
          this.stats.late++;
          this.stats.cpu(b.cols.cpu[r]!).late++;
        } else this.lastEmittedTs = t;
        cur.copyRowFrom(b, r);
        if (cur.full) {
          out.push(cur);
          cur = newEventBatch(this.batchRows);
        }
      } else {
        if (keep.length === 0) keptMinTs = t;
        keep.copyRowFrom(b, r);
      }
    }
    if (cur.length > 0) out.push(cur);
    this.pending = keep.length > 0 ? [keep] : [];
    this.pendingRows = keep.length;
    this.keptMinTs = keptMinTs;
    this.sortAt = Math.max(4 * this.batchRows, 2 * keep.length);
    this.inOrder = true;
    this.lastPushedTs = keep.length > 0 ? keep.cols.ts[keep.length - 1]! : this.lastEmittedTs;
    return out;
  }
}

function lastTs(b: EventBatch): number {
  for (let i = b.length - 1; i >= 0; i--) if (!Number.isNaN(b.cols.ts[i]!)) return b.cols.ts[i]!;
  return NaN;
}
