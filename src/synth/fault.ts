// vm_fault as the trace records it: fault_begin, the shadow vm_map_lookup
// creates on the first write through a copy-on-write entry, each object level
// examined in chain order, the restarts (a busy page; on a new kernel also its
// own back-downs, after which the levels come again), and fault_end with where
// the page came from. The fault also does what it does to the world: pages
// read in (with read-ahead), copied up, zero-filled, unswapped; the pmap
// mapping; a page-table page when the 2 MiB region had none.

import { FaultFlag } from '../events/vocabulary.js';
import type { FaultAction } from './emit.js';
import { PG_RAM, PG_RESIDENT, PG_SWAP, Seen, type SimObject } from './objects.js';
import { type SimMapEntry, PAGE_SHIFT, PT_SHIFT, SLEEP, type Thread, type ThreadBody } from './process.js';
import type { World } from './world.js';

export type Access = 'R' | 'W' | 'X';

interface Level {
  obj: SimObject;
  pidx: number;
  seen: Seen;
}

/** The two mode flags 501747bf's vm_fault keeps for one call (both start as vm.shared_fault=1). */
interface SharedFlags {
  first: boolean;
  backing: boolean;
}

/** Fault `vpn` of `entry` for `access`; `user` faults carry BURST (a kernel copyout does not). */
export function* fault(w: World, t: Thread, entry: SimMapEntry, vpn: number, access: Access, user = true): ThreadBody {
  const write = access === 'W';
  yield 0; // let the other CPUs catch up to this thread's clock first
  yield* w.waitMap(t, t.proc.space);
  w.beginOp(t);
  t.inFault = true;
  const offset = BigInt(w.rng.below(512) * 8);
  w.emit.faultBegin(t, (BigInt(vpn) << BigInt(PAGE_SHIFT)) | offset, access, (user ? FaultFlag.BURST : 0) | (write ? FaultFlag.DIRTY : 0));
  yield w.cost(150, 400);
  // vm_map_lookup: anonymous memory gets its object on first use; the first
  // write through a copy-on-write entry shadows the entry's object.
  if (!entry.object) {
    entry.object = w.anon();
    entry.needsCopy = false;
  } else if (write && entry.needsCopy) {
    w.shadow(t, entry);
    yield w.cost(300, 900);
  }
  const flags: SharedFlags = { first: true, backing: true };
  for (;;) {
    // One attempt: walk the chain, logging each level as it is examined.
    const first = entry.object;
    if (w.kernel === 'new' && first.backing && first.shadows.size === 0 && t.proc.nthreads === 1) flags.first = false; // H1
    const levels: Level[] = [];
    let retry: 'busy' | 'backdown' | null = null;
    for (let obj = first, pidx = entry.pindex(vpn), depth = 0; ; depth++) {
      const seen = obj.seen(pidx, t.cpu.now);
      levels.push({ obj, pidx, seen });
      obj.walkers++;
      if (seen === Seen.Busy) retry = 'busy';
      else if (w.kernel === 'new' && backsDown(depth, obj, seen, flags)) retry = 'backdown';
      // The pager is asked only on the attempt that goes on, at a level it serves.
      const asked = retry === null && obj.type !== 'default' && (seen === Seen.Absent || seen === Seen.Invalid);
      w.emit.faultObj(t, depth, obj, seen, obj.swapped(pidx), asked ? (obj.pagerHas(pidx) ? 'has' : 'none') : null);
      yield w.cost(80, 250);
      if (retry || seen !== Seen.Absent || (asked && obj.pagerHas(pidx)) || !obj.backing) break;
      pidx += obj.backingOffset;
      obj = obj.backing;
    }
    if (retry) for (const level of levels) level.obj.walkers--;
    if (retry === 'busy') {
      // Sleep until the other fault unbusies the page, then start over.
      w.emit.faultRetry(t, 'busy');
      const last = levels[levels.length - 1]!;
      t.readyAt = Math.max(last.obj.busyUntil(last.pidx), t.cpu.now) + Math.round(w.rng.between(500, 3000));
      yield SLEEP;
      yield w.cost(200, 600);
      continue;
    }
    if (retry === 'backdown') {
      w.emit.faultRetry(t, 'backdown');
      yield w.cost(300, 900);
      continue;
    }
    yield* resolve(w, t, entry, vpn, write, user, levels);
    for (const level of levels) level.obj.walkers--;
    break;
  }
  t.inFault = false;
  t.muted = false;
  w.endOp(t);
}

/**
 * Whether 501747bf's vm_fault backs down at this level (updating its flags):
 * B1/B3 at the first object while it is held shared, B2/B4 below it while
 * backing objects are.
 */
function backsDown(depth: number, obj: SimObject, seen: Seen, flags: SharedFlags): boolean {
  if (seen === Seen.Valid) return false;
  const tryPager = obj.type !== 'default';
  const missing = seen === Seen.Absent || (seen === Seen.Invalid && tryPager);
  if (!missing) return false;
  if (depth === 0) {
    if (!flags.first) return false;
    flags.first = false; // B1 (absent, whatever the type) or B3 (invalid, pager-backed)
    return true;
  }
  if (!flags.backing || !tryPager) return false;
  flags.first = false; // B2 / B4
  flags.backing = false;
  return true;
}

function* resolve(w: World, t: Thread, entry: SimMapEntry, vpn: number, write: boolean, user: boolean, levels: Level[]): ThreadBody {
  const { rng } = w;
  const first = levels[0]!;
  const last = levels[levels.length - 1]!;
  const d = levels.length - 1;
  const paged = last.seen === Seen.Invalid || (last.seen === Seen.Absent && last.obj.type !== 'default' && last.obj.pagerHas(last.pidx));
  const depth = last.seen === Seen.Valid || paged ? d : -1;
  const action: FaultAction = depth < 0 ? 'zero_fill' : depth === 0 ? 'map' : write ? 'cow_copy' : 'readonly';
  const cpuNs = Math.round(rng.between(...CPU_NS[action]));
  let ioNs = 0;
  if (paged) ioNs = Math.round(last.seen === Seen.Invalid ? rng.logBetween(5_000, 40_000) : rng.logBetween(20_000, 200_000));
  const start = t.cpu.now;
  const ioEnd = start + ioNs;
  const endAt = ioEnd + cpuNs;

  // The pages this fault works on are busy until it is done.
  if (paged) pageIn(last.obj, last.pidx, last.seen, ioEnd, endAt);
  else if (depth >= 0) last.obj.setPage(last.pidx, last.obj.bitsOf(last.pidx), endAt);
  const F = first.obj;
  if (depth < 0 || (write && depth > 0))
    F.setPage(first.pidx, PG_RESIDENT, endAt); // zero fill / copy up
  else if (write) F.setPage(first.pidx, (F.bitsOf(first.pidx) | PG_RESIDENT) & ~(PG_SWAP | PG_RAM), endAt); // DIRTY: unswapped

  let slept = 0;
  if (ioNs > 0) {
    t.readyAt = ioEnd;
    yield SLEEP;
    slept = t.cpu.now - start;
  }
  yield Math.max(0, cpuNs - 300);

  const space = t.proc.space;
  const region = vpn >> PT_SHIFT;
  if (!space.ptPages.has(region)) {
    space.ptPages.add(region);
    w.emit.pageGrab(t, space.pteobj, 'absent', 'pmap_allocpte');
    yield w.cost(200, 600);
  }
  const ownPage = depth <= 0 && F.anonymous && !entry.needsCopy;
  space.map(vpn, entry.writable && (write || ownPage || entry.shared), t.cpu.now);
  if (user && depth >= 0) prefault(space, entry, vpn, t.cpu.now);
  yield w.cost(150, 300);
  // A fault that ran later than planned keeps its pages busy until it really ends.
  if (depth >= 0) holdBusy(last.obj, last.pidx, t.cpu.now);
  if (depth < 0 || write) holdBusy(F, first.pidx, t.cpu.now);
  w.emit.faultEnd(t, depth, action, slept);
}

function holdBusy(obj: SimObject, pidx: number, until: number): void {
  if (obj.busyUntil(pidx) < until) obj.setPage(pidx, obj.bitsOf(pidx), until);
}

/** CPU time of the fault's own work, by how it resolved (ns). */
const CPU_NS: Record<FaultAction, [number, number]> = {
  map: [600, 1600],
  readonly: [700, 1800],
  cow_copy: [1500, 3800],
  zero_fill: [1200, 3200],
};

/** The pager brings the page in; a file read brings a read-ahead window, swap a cluster. */
function pageIn(obj: SimObject, pidx: number, seen: Seen, ioEnd: number, endAt: number): void {
  if (obj.type === 'vnode') {
    obj.setPage(pidx, PG_RESIDENT, endAt);
    // Read-ahead: the next pages come in with the same read; one of them is
    // marked so that touching it starts the next window.
    const from = seen === Seen.Invalid ? 4 : 1;
    for (let k = from; k < from + 8 && pidx + k < obj.size; k++) {
      if (obj.bitsOf(pidx + k) & PG_RESIDENT) continue;
      obj.setPage(pidx + k, PG_RESIDENT | (k === from + 4 ? PG_RAM : 0), ioEnd);
    }
    return;
  }
  obj.setPage(pidx, PG_RESIDENT | PG_SWAP, endAt);
  // Swap-in reads a cluster: the neighbours come back resident, still with
  // their swap copy (PG_SWAPPED), and mapped by nobody.
  for (let k = -3; k <= 3; k++) {
    const q = pidx + k;
    if (k !== 0 && q >= 0 && obj.bitsOf(q) === PG_SWAP) obj.setPage(q, PG_RESIDENT | PG_SWAP, ioEnd);
  }
}

/** Burst: map resident neighbours read-only without faults (vm_prefault / prefault_quick). */
function prefault(space: Thread['proc']['space'], entry: SimMapEntry, vpn: number, now: number): void {
  for (const k of PREFAULT_OFFSETS) {
    const v = vpn + k;
    if (!entry.contains(v) || space.mapped.has(v)) continue;
    if (entry.object && residentInChain(entry.object, entry.pindex(v), now)) space.map(v, false, now);
  }
}

const PREFAULT_OFFSETS = [1, 2, 3, -1, 4, -2, 5, 6];

function residentInChain(first: SimObject, pidx: number, now: number): boolean {
  for (let o: SimObject | null = first, p = pidx; o; p += o.backingOffset, o = o.backing) {
    const seen = o.seen(p, now);
    if (seen === Seen.Valid) return true;
    if (seen !== Seen.Absent || o.pagerHas(p)) return false;
  }
  return false;
}
