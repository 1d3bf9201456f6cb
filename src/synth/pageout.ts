// Memory pressure, as the pageout daemon applies it: anonymous pages written
// to swap (their object becomes OBJT_SWAP, the process loses the mapping),
// mappings removed from pages that stay resident (the next touch is a soft
// fault), and file pages dropped from the page cache (the next touch reads
// the file again). The daemon's own object locking is not in the vocabulary,
// so it logs nothing: the trace sees its effects in later faults.

import { PG_RESIDENT, PG_SWAP } from './objects.js';
import type { Timer } from './sched.js';
import type { World } from './world.js';

export type Pressure = 'none' | 'low' | 'high';
export const PRESSURES: readonly Pressure[] = ['none', 'low', 'high'];

/** Pages per daemon pass. */
const RATES: Record<Pressure, { swapOut: number; deactivate: number; evict: number }> = {
  none: { swapOut: 0, deactivate: 1, evict: 0 },
  low: { swapOut: 2, deactivate: 3, evict: 2 },
  high: { swapOut: 12, deactivate: 8, evict: 6 },
};

/** Mean time between daemon passes, ns. */
const PERIOD_NS = 250_000;

export class PageoutDaemon implements Timer {
  due: number;

  constructor(
    private readonly w: World,
    private readonly pressure: Pressure,
    start: number,
  ) {
    this.due = start + PERIOD_NS;
  }

  run(now: number): void {
    const rate = RATES[this.pressure];
    this.due = now + Math.round(PERIOD_NS * this.w.rng.between(0.5, 1.5));
    for (let i = 0; i < rate.swapOut; i++) this.swapOut(now);
    for (let i = 0; i < rate.deactivate; i++) this.deactivate(now);
    for (let i = 0; i < rate.evict; i++) this.evict(now);
  }

  /**
   * Write a run of private anonymous pages of some process to swap (the
   * pager clusters neighbours into one write, and swap-in reads them back
   * together).
   */
  private swapOut(now: number): void {
    const { rng, procs } = this.w;
    if (procs.length === 0) return;
    const p = rng.pick(procs);
    const e = rng.pick(p.space.entries.length ? p.space.entries : [null]);
    const o = e?.object;
    if (!e || !o?.anonymous || o.ref !== 1 || e.shared || e.pages === 0) return;
    const first = e.start + rng.below(e.pages);
    const run = Math.min(rng.int(1, 8), e.start + e.pages - first);
    for (let vpn = first; vpn < first + run; vpn++) {
      const pidx = e.pindex(vpn);
      if (!(o.bitsOf(pidx) & PG_RESIDENT) || o.busyUntil(pidx) > now) continue;
      o.setPage(pidx, PG_SWAP, 0);
      o.type = 'swap';
      p.space.mapped.delete(vpn);
    }
  }

  /** Remove one mapping; the page stays where it is. */
  private deactivate(now: number): void {
    const { rng, procs } = this.w;
    if (procs.length === 0) return;
    const p = rng.pick(procs);
    const e = rng.pick(p.space.entries.length ? p.space.entries : [null]);
    if (!e || e.pages === 0) return;
    const vpn = e.start + rng.below(e.pages);
    if (e.object && e.object.busyUntil(e.pindex(vpn)) > now) return;
    p.space.mapped.delete(vpn);
  }

  /** Drop one page of a file that few processes map from the page cache. */
  private evict(now: number): void {
    const { rng, vnodeList } = this.w;
    if (vnodeList.length === 0) return;
    const v = rng.pick(vnodeList);
    if (v.ref > 8 || v.size === 0) return;
    const pidx = rng.below(v.size);
    if (v.busyUntil(pidx) > now) return;
    v.pages.delete(pidx);
  }
}
