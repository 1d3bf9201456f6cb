// `new` (501747bf as committed) and `new-fixed` (plus 61dac052: DIRTY and
// UNSWAP faults take the first object exclusive). Rules as numbered in
// docs/models.md, "new model (501747bf): vm_fault", and the
// `new` column of "Other sites".

import { CollapseCase, FaultFlag, OT, PG, hasChainLock } from '../events/vocabulary.js';
import {
  type AttemptEnd,
  burstAllowed,
  deallocateLocked,
  isValid,
  needsUnswap,
  outcomeOf,
  pagerFinds,
  prefault,
  recordedRestart,
  runFault,
  tryPager,
  VNODE_PAGER_REFERENCE_SITES,
  vnodePagerLock,
} from './common.js';
import type { FaultFacts, Phase, SiteOp } from './facts.js';
import type { DragonFlyModel, LockLog, Mode } from './model.js';

export const newModel = makeNewModel('new', false);
export const newFixedModel = makeNewModel('new-fixed', true);

function makeNewModel(name: string, fixed: boolean): DragonFlyModel {
  return {
    name,
    family: 'dragonfly',
    baseline: 'old',
    slug: fixed ? 'new_fixed' : 'new',
    savedSlug: fixed ? 'fixed' : '',
    description: fixed
      ? '501747bf + 61dac052: as new, but DIRTY/UNSWAP faults take the first object exclusive'
      : '501747bf as committed: shared first and backing objects with back-downs (has the DIRTY livelock)',
    fault(f, knobs, log) {
      // Both flags live for the whole vm_fault call and are only ever cleared.
      const flags = { firstShared: knobs.sharedFault, shared: knobs.sharedFault };
      runFault(f, log, (phase) => attempt(f, phase, flags, fixed, log));
    },
    site(op, _knobs, log) {
      site(op, log);
    },
  };
}

interface Flags {
  firstShared: boolean;
  shared: boolean;
}

const mode = (shared: boolean): Mode => (shared ? 'S' : 'X');

function attempt(f: FaultFacts, phase: Phase, flags: Flags, fixed: boolean, log: LockLog): AttemptEnd {
  const levels = phase.levels;
  const F = levels[0]!;

  // 1. H1: a private shadow of a single-threaded process goes exclusive at once.
  if (flags.firstShared && F.hasBacking === 1 && F.shadowed !== 1 && f.nthreads === 1) flags.firstShared = false;
  // 2. new-fixed: DIRTY or UNSWAP faults take F exclusive.
  if (fixed && (f.fflags & (FaultFlag.DIRTY | FaultFlag.UNSWAP)) !== 0) flags.firstShared = false;

  // 3. F in first_shared mode, the vnode pager lock, F's chain lock in `shared` mode.
  log.take(F, mode(flags.firstShared), 'vm_fault', 'first');
  vnodePagerLock(f, phase, log);
  log.chain(F, mode(flags.shared), 'vm_fault', 'first');

  // 4. Walk.
  let found = -1; // -1: zero fill in F
  for (let depth = 0; ; depth++) {
    const O = levels[depth];
    if (!O) {
      log.outcome('incomplete', depth);
      log.releaseAll();
      return 'done';
    }
    const atFirst = depth === 0;
    if (!atFirst) {
      log.take(O, mode(flags.shared), 'vm_fault', 'backing');
      log.chain(O, mode(flags.shared), 'vm_fault', 'backing');
      if (depth > 1) log.drop(levels[depth - 1]!);
    }
    if (isValid(O)) {
      found = depth;
      break;
    }
    if (O.page === PG.busy) {
      log.releaseAll();
      return 'restart';
    }
    const pager = tryPager(f, O);
    const absent = O.page === PG.absent;
    if (atFirst) {
      // B1: page absent in F while first_shared (any type). B3: resident but
      // invalid or read-ahead-marked, while first_shared and TRYPAGER(F).
      if (flags.firstShared && (absent || pager)) {
        log.releaseAll();
        log.backdown(absent ? 'B1' : 'B3', O, depth);
        flags.firstShared = false;
        return 'backdown';
      }
      if (flags.firstShared) {
        // An invalid page in a DEFAULT first object held S becomes first_m and
        // the walk goes on: the kernel later asserts first_shared == 0.
        log.hazard('first_m_shared', O, 'vm_fault', 'invalid page in a shared DEFAULT first object (KKASSERT first_shared == 0)');
        log.outcome('hazard', depth);
        log.releaseAll();
        return 'done';
      }
    } else if (flags.shared && pager) {
      // B2 (absent) / B4 (invalid): a backing object that needs its pager while shared.
      log.releaseAll();
      log.backdown(absent ? 'B2' : 'B4', O, depth);
      flags.firstShared = false;
      flags.shared = false;
      return 'backdown';
    }
    // Needed modes are exclusive here (or O is DEFAULT and we only pass through).
    if (pagerFinds(f, O, log)) {
      found = depth;
      break;
    }
    if (O.hasBacking !== 1) break; // end of chain: zero fill in F
  }

  if (recordedRestart(phase, log)) return 'restart';
  // 5. Found below F: a write copies the page up (rename needs both flags
  // clear, otherwise it copies; no back-down); a read maps it read-only.
  log.outcome(outcomeOf(f, found), found);

  // 7 / 10. A DIRTY write mapping a swapped page in F needs X on F: recursive
  // when F is held X, a livelock (hazard, the fault stops) when held S.
  if (found === 0 && needsUnswap(f, F)) {
    if (!log.take(F, 'X', 'swap_pager_unswapped', 'unswap')) {
      log.outcome('hazard', 0);
      log.releaseAll();
      return 'done';
    }
  }

  // 8. Burst: vm_prefault only when both flags are clear; 9. no chain-release tokens.
  log.releaseAll(F);
  if (burstAllowed(f)) {
    if (!flags.firstShared && !flags.shared) prefault(f, phase, log, false);
    else log.prefault(false);
  }
  log.releaseAll();
  return 'done';
}

function site(op: SiteOp, log: LockLog): void {
  log.attempt();
  switch (op.kind) {
    case 'exec_page':
      // S first; a valid page (after at most one busy wait) is done with S only.
      log.take(op.obj, 'S', 'exec_map_page', 'first');
      if (op.page === PG.valid || op.page === PG.busy) {
        log.outcome('map', 0);
        break;
      }
      // Otherwise release S and do the old X path; the nested page grab takes
      // S (recursive under X) and upgrades when the page is absent.
      log.drop(op.obj);
      log.backdown('exec_map_page', op.obj, 0);
      log.take(op.obj, 'X', 'exec_map_page', 'backdown-retry');
      log.take(op.obj, 'S', 'vm_page_grab', 'recursive');
      if (op.page === PG.absent) log.upgrade(op.obj, 'vm_page_grab');
      log.io(op.obj);
      log.outcome('io', 0);
      break;
    case 'page_grab':
      log.take(op.obj, 'S', 'vm_page_grab', 'first');
      if (op.page === PG.absent) log.upgrade(op.obj, 'vm_page_grab');
      log.outcome(op.page === PG.absent ? 'alloc' : 'found', 0);
      break;
    case 'load_section':
      // S always; vm_fault_object_page upgrades the caller's hold when the bss page needs it.
      log.take(op.obj, 'S', 'load_section', 'first');
      if (op.page !== null && op.page !== PG.valid) {
        log.upgrade(op.obj, 'load_section');
        log.io(op.obj);
      }
      log.outcome('map', 0);
      break;
    case 'reference':
      if (op.site !== null && VNODE_PAGER_REFERENCE_SITES.has(op.site)) {
        log.take(op.obj, 'X', op.site, 'first'); // the vnode pager's own reference: unchanged
        log.outcome('ref', 0);
      } else if (op.obj.otype === OT.vnode)
        log.outcome('lockless', 0); // vm_object_reference_quick
      else {
        log.take(op.obj, 'X', 'vm_object_reference', 'first');
        log.outcome('ref', 0);
      }
      break;
    case 'deallocate':
      if (op.ref >= 4)
        log.outcome('lockless', 0); // atomic compare-and-swap
      else deallocateLocked(op.obj, op.ref, op.backing, log);
      break;
    case 'shadow':
      if (op.source.otype === OT.vnode) log.outcome('lockless', 0);
      else {
        log.take(op.source, 'X', 'vm_object_shadow', 'source');
        log.outcome('shadow', 0);
      }
      break;
    case 'map_split':
      if (!hasChainLock(op.obj.otype)) log.outcome('lockless', 0);
      else {
        log.take(op.obj, 'X', 'vm_map_split', 'first');
        log.chain(op.obj, 'X', 'vm_map_split', 'first');
        log.outcome('split', 0);
      }
      break;
    case 'collapse':
      // A backing object that is not DEFAULT/SWAP is never locked.
      if (hasChainLock(op.backing.otype)) {
        log.take(op.backing, 'X', 'vm_object_collapse', 'backing');
        log.chain(op.backing, 'X', 'vm_object_collapse', 'backing');
        if (op.backing2 && (op.collapseCase === CollapseCase.codes.collapse || op.collapseCase === CollapseCase.codes.bypass)) {
          log.take(op.backing2, op.backing2.otype === OT.vnode ? 'S' : 'X', 'vm_object_collapse', 'bbobj');
        }
      }
      log.outcome('collapse', 0);
      break;
  }
  log.releaseAll();
}
