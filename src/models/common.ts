// Pieces every vm_fault model shares: the fault-flag tests, the vnode pager
// lock walk, vm_prefault, and the loop that replays recorded attempts.

import { FaultFlag, FaultType, OT, PG } from '../events/vocabulary.js';
import type { FaultFacts, Level, ObjRef, Phase } from './facts.js';
import type { LockLog } from './model.js';

export const isWrite = (f: FaultFacts): boolean => (f.ftype & FaultType.W) !== 0;
export const isDirty = (f: FaultFacts): boolean => (f.fflags & FaultFlag.DIRTY) !== 0;
export const isWiringFault = (f: FaultFacts): boolean => (f.fflags & FaultFlag.WIRE_MASK) !== 0;

/** TRYPAGER(O): O is not DEFAULT, and the fault is not a wiring fault on an unwired entry. */
export const tryPager = (f: FaultFacts, o: ObjRef): boolean => o.otype !== OT.default && (!isWiringFault(f) || f.wired);

/** A burst may prefault: BURST set, not a wiring fault, entry not wired, not a vpagetable entry. */
export const burstAllowed = (f: FaultFacts): boolean => (f.fflags & FaultFlag.BURST) !== 0 && !isWiringFault(f) && !f.wired && !f.vpagetable;

/** A DIRTY write that maps a page marked swapped in F needs X on F (swap_pager_unswapped). */
export const needsUnswap = (f: FaultFacts, F: Level): boolean => isWrite(f) && isDirty(f) && F.swapped;

export const isValid = (l: Level): boolean => l.page === PG.valid;

/**
 * References taken by the vnode pager (vnode_pager_alloc, vnode_pager_reference):
 * X on the object in every model, untouched by the commit.
 */
export const VNODE_PAGER_REFERENCE_SITES: ReadonlySet<string> = new Set(['vnode_pager_alloc', 'vnode_pager_reference']);

/**
 * The pager step at O once the modes it needs are held: a TRYPAGER object
 * gets pager I/O; true when the pager had the page (found at O).
 */
export function pagerFinds(f: FaultFacts, o: Level, log: LockLog): boolean {
  if (!tryPager(f, o)) return false;
  log.io(o);
  return o.pager === 1;
}

/**
 * A recorded attempt that the captured kernel restarted (memory, map change,
 * ...) ends in a restart whatever the model found; true when it did.
 */
export function recordedRestart(phase: Phase, log: LockLog): boolean {
  if (phase.retry === null) return false;
  log.releaseAll();
  return true;
}

/** How one attempt ended, for runFault. */
export type AttemptEnd =
  | 'done' // the fault completed (or stopped for good: hazard, incomplete)
  | 'backdown' // the model backed down: replay the same recorded attempt with its new modes
  | 'restart'; // the attempt restarts from the map lookup (busy page or a recorded retry)

/**
 * Replay a fault's recorded attempts. A back-down replays the same recorded
 * page states again; a restart moves on to the next recorded attempt.
 */
export function runFault(f: FaultFacts, log: LockLog, attempt: (phase: Phase) => AttemptEnd): void {
  let p = 0;
  for (let tries = 0; tries < 64; tries++) {
    const phase = f.phases[p]!;
    log.attempt();
    const end = attempt(phase);
    if (end === 'done') return;
    if (end === 'backdown') continue;
    log.restart(phase.retry ?? 'busy');
    if (++p >= f.phases.length) {
      log.outcome('incomplete', -1);
      return;
    }
  }
  log.outcome('incomplete', -1);
}

/**
 * Longest chain a walk follows: a registry link that loops (a freed object's
 * address reused further up its old chain) must not walk forever.
 */
export const MAX_CHAIN = 64;

/**
 * The object behind level `depth` of `phase`: the next recorded level, else
 * the registry. null: none; undefined: not known.
 */
export function objectBelow(f: FaultFacts, phase: Phase, depth: number, o: ObjRef): ObjRef | null | undefined {
  const here = phase.levels[depth];
  if (here && here.obj === o.obj) {
    if (here.hasBacking === 0) return null;
    const next = phase.levels[depth + 1];
    if (next) return next;
  }
  return f.chain.below(o.obj);
}

/**
 * vnode_pager_lock: from F down the backing chain, a brief S on each backing
 * object until the VNODE object (whose vnode lock is not an object token).
 */
export function vnodePagerLock(f: FaultFacts, phase: Phase, log: LockLog): void {
  let cur: ObjRef = phase.levels[0]!;
  for (let depth = 0; cur.otype !== OT.vnode; depth++) {
    if (depth === MAX_CHAIN) return log.unknownLink(cur);
    const next = objectBelow(f, phase, depth, cur);
    if (next === undefined) return log.unknownLink(cur);
    if (next === null) return;
    log.take(next, 'S', 'vnode_pager_lock', 'vnode_pager_lock');
    log.drop(next);
    cur = next;
  }
}

/**
 * vm_prefault, counted as one walk (spec "Prefault"): X and chain X on F, then
 * while the current object is DEFAULT, X and chain X on the next one. `old`
 * adds the chain release's transient X on each object strictly between F and
 * where the walk stopped. The caller holds F; everything else is released.
 */
export function prefault(f: FaultFacts, phase: Phase, log: LockLog, oldChainRelease: boolean): void {
  const F = phase.levels[0]!;
  log.prefault(true);
  log.take(F, 'X', 'vm_prefault', 'prefault');
  log.chain(F, 'X', 'vm_prefault', 'prefault');
  const walked: ObjRef[] = [F];
  for (let cur: ObjRef = F, depth = 0; cur.otype === OT.default; depth++) {
    const next = depth === MAX_CHAIN ? undefined : objectBelow(f, phase, depth, cur);
    if (next === undefined) {
      log.unknownLink(cur);
      break;
    }
    if (next === null) break;
    log.take(next, 'X', 'vm_prefault', 'prefault');
    log.chain(next, 'X', 'vm_prefault', 'prefault');
    if (walked.length > 1) log.drop(walked[walked.length - 1]!);
    walked.push(next);
    cur = next;
  }
  if (oldChainRelease) chainRelease(walked, log);
}

/** OLD vm_object_chain_release_all: a transient X on every object strictly between the ends. */
export function chainRelease(path: readonly ObjRef[], log: LockLog): void {
  for (let i = 1; i < path.length - 1; i++) {
    log.take(path[i]!, 'X', 'chain_release', 'chain_release');
    log.drop(path[i]!);
  }
}

/** How a successful fault ended, from the depth its page came from (-1 zero fill). */
export function outcomeOf(f: FaultFacts, found: number): string {
  if (found < 0) return 'zero_fill';
  if (found === 0) return 'map';
  return (f.ftype & 2) !== 0 ? 'cow_copy' : 'readonly';
}

/**
 * vm_object_deallocate's locked logic: X on the object; a drop from 1 to 0
 * also takes X on the backing object when the registry knows it.
 */
export function deallocateLocked(obj: ObjRef, ref: number, backing: ObjRef | null | undefined, log: LockLog): void {
  log.take(obj, 'X', 'vm_object_deallocate', 'first');
  if (ref === 1) {
    if (backing) log.take(backing, 'X', 'vm_object_deallocate', 'terminate');
    else if (backing === undefined) log.unknownLink(obj);
  }
  log.outcome('deallocate', 0);
}
