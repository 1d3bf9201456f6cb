// `old`: DragonFly just before 501747bf (parent a66fe2e3). Rules as numbered
// in docs/models.md, "old model: vm_fault", and the `old`
// column of "Other sites".

import { CollapseCase, OT, PG, hasChainLock } from '../events/vocabulary.js';
import {
  type AttemptEnd,
  burstAllowed,
  chainRelease,
  deallocateLocked,
  isValid,
  needsUnswap,
  outcomeOf,
  pagerFinds,
  prefault,
  recordedRestart,
  runFault,
  VNODE_PAGER_REFERENCE_SITES,
  vnodePagerLock,
} from './common.js';
import type { FaultFacts, ObjRef, Phase, SiteOp } from './facts.js';
import type { DragonFlyModel, Knobs, LockLog } from './model.js';

export const oldModel: DragonFlyModel = {
  name: 'old',
  family: 'dragonfly',
  baseline: 'old',
  slug: 'old',
  description: 'DragonFly just before 501747bf (parent a66fe2e3): exclusive first object, terminal vnode shared, quick path',
  fault(f, knobs, log) {
    runFault(f, log, (phase) => attempt(f, phase, knobs, log));
  },
  site(op, knobs, log) {
    site(op, knobs, log);
  },
};

function attempt(f: FaultFacts, phase: Phase, knobs: Knobs, log: LockLog): AttemptEnd {
  const levels = phase.levels;
  const F = levels[0]!;

  // 1. Quick path: a terminal first object of any type, normal entry, user map.
  if (knobs.sharedFault && F.hasBacking === 0 && !f.vpagetable && !f.kernelMap) {
    log.take(F, 'S', 'vm_fault', 'quick');
    if (isValid(F) && !needsUnswap(f, F)) {
      if (recordedRestart(phase, log)) return 'restart';
      log.outcome('map', 0);
      if (burstAllowed(f)) log.prefault(false); // vm_prefault_quick: no extra locks
      log.releaseAll();
      return 'done';
    }
    log.drop(F); // a miss falls through; not a retry
  }

  // 2. Slow path: X(F), the vnode pager lock walk, chain X on F.
  log.take(F, 'X', 'vm_fault', 'first');
  vnodePagerLock(f, phase, log);
  log.chain(F, 'X', 'vm_fault', 'first');

  // 3-4. Walk the chain; a terminal vnode backing object is held S and
  // upgraded in place when its page needs I/O.
  const path: ObjRef[] = [F];
  let heldShared = false;
  let found = -1; // depth where the page was found; -1: zero fill in F
  for (let depth = 0; ; depth++) {
    const O = levels[depth];
    if (!O) {
      log.outcome('incomplete', depth);
      log.releaseAll();
      return 'done';
    }
    if (depth > 0) {
      heldShared = knobs.sharedFault && O.otype === OT.vnode && O.hasBacking === 0;
      log.take(O, heldShared ? 'S' : 'X', 'vm_fault', 'backing');
      if (!heldShared) log.chain(O, 'X', 'vm_fault', 'backing');
      if (depth > 1) log.drop(levels[depth - 1]!);
      path.push(O);
    }
    if (O.page === PG.busy) {
      // 5. Busy page: release the chain (rule 6) down to O, release
      // everything, sleep, restart from the map lookup.
      chainRelease(path, log);
      log.releaseAll();
      return 'restart';
    }
    if (isValid(O)) {
      found = depth;
      break;
    }
    if (heldShared) {
      log.upgrade(O, 'vm_fault');
      heldShared = false;
    }
    if (pagerFinds(f, O, log)) {
      found = depth;
      break;
    }
    if (O.hasBacking !== 1) break; // end of chain: zero fill in F
  }

  // 6. Chain release: transient X on every intermediate object (the path
  // ends where the walk stopped), on every way out of the walk, a recorded
  // KERN_TRY_AGAIN (rule 5) included.
  chainRelease(path, log);
  if (recordedRestart(phase, log)) return 'restart';
  log.outcome(outcomeOf(f, found), found);

  // 8. A DIRTY write mapping a swapped page in F: recursive X (F is held X).
  if (found === 0 && needsUnswap(f, F)) log.take(F, 'X', 'swap_pager_unswapped', 'unswap');

  // 7. Burst: vm_prefault, except when the walk ended on a terminal vnode
  // held S: the kernel then clears the BURST flag, no prefault of any kind.
  log.releaseAll(F);
  if (burstAllowed(f) && !heldShared) prefault(f, phase, log, true);
  log.releaseAll();
  return 'done';
}

function site(op: SiteOp, knobs: Knobs, log: LockLog): void {
  log.attempt();
  switch (op.kind) {
    case 'exec_page':
      // X on the vnode object, the nested page grab's recursive X, I/O until valid.
      log.take(op.obj, 'X', 'exec_map_page', 'first');
      log.take(op.obj, 'X', 'vm_page_grab', 'recursive');
      if (op.page !== PG.valid && op.page !== PG.busy) log.io(op.obj);
      log.outcome(op.page === PG.valid || op.page === PG.busy ? 'map' : 'io', 0);
      break;
    case 'page_grab':
      log.take(op.obj, 'X', 'vm_page_grab', 'first');
      log.outcome(op.page === PG.absent ? 'alloc' : 'found', 0);
      break;
    case 'load_section':
      // S iff shared_fault (vm_object_hold_maybe_shared on a terminal vnode
      // object); vm_fault_object_page upgrades in place when the bss page needs it.
      log.take(op.obj, knobs.sharedFault ? 'S' : 'X', 'load_section', 'first');
      if (op.page !== null && op.page !== PG.valid) {
        if (knobs.sharedFault) log.upgrade(op.obj, 'load_section');
        log.io(op.obj);
      }
      log.outcome('map', 0);
      break;
    case 'reference':
      log.take(op.obj, 'X', op.site !== null && VNODE_PAGER_REFERENCE_SITES.has(op.site) ? op.site : 'vm_object_reference', 'first');
      log.outcome('ref', 0);
      break;
    case 'deallocate':
      deallocateLocked(op.obj, op.ref, op.backing, log);
      break;
    case 'shadow':
      log.take(op.source, 'X', 'vm_object_shadow', 'source');
      log.outcome('shadow', 0);
      break;
    case 'map_split':
      log.take(op.obj, 'X', 'vm_map_split', 'first');
      log.chain(op.obj, 'X', 'vm_map_split', 'first');
      log.outcome('split', 0);
      break;
    case 'collapse':
      // X on the backing object before its type is checked.
      log.take(op.backing, 'X', 'vm_object_collapse', 'backing');
      if (hasChainLock(op.backing.otype)) {
        log.chain(op.backing, 'X', 'vm_object_collapse', 'backing');
        if (op.backing2 && (op.collapseCase === CollapseCase.codes.collapse || op.collapseCase === CollapseCase.codes.bypass)) {
          log.take(op.backing2, 'X', 'vm_object_collapse', 'bbobj');
        }
      }
      log.outcome('collapse', 0);
      break;
  }
  log.releaseAll();
}
