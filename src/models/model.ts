// The one small interface every locking model implements. A model is a pure
// decision procedure: given the facts of one operation it tells the LockLog,
// step by step, what it would lock, release, upgrade, back down from or
// restart; it keeps no state between operations. To add a model, write one
// file with a LockingModel and add one line to the registry, src/models/index.ts.

import type { FaultFacts, ObjRef, SiteOp } from './facts.js';
import type { LinuxFaultFacts } from './linux-facts.js';

export type Mode = 'S' | 'X';

/** Back-down rules: B1-B4 of the new vm_fault (spec, "new model" step 4), and exec_map_page's S-to-X retry. */
export type BackdownRule = 'B1' | 'B2' | 'B3' | 'B4' | 'exec_map_page';

export interface Knobs {
  /** the sysctl vm.shared_fault */
  readonly sharedFault: boolean;
  /** Linux: the kernel version whose per-VMA rules apply (major * 100 + minor); default the capture's */
  readonly linuxVersion?: number;
}

export interface LockLog {
  /** Start the next attempt of this operation (the first call starts attempt 1). */
  attempt(): void;
  /**
   * Acquire o's token. Recursion is allowed when the thread holds it X. Asking
   * X while holding it only S is a livelock: the log records a hazard, counts
   * no acquisition and returns false; the model must stop the operation.
   */
  take(o: ObjRef, mode: Mode, site: string, reason: string): boolean;
  /** Acquire o's chain lock; a no-op on objects other than DEFAULT and SWAP. */
  chain(o: ObjRef, mode: Mode, site: string, reason: string): void;
  /** Release the thread's most recent hold of o's token. */
  drop(o: ObjRef): void;
  /** vm_object_upgrade: release the S hold, then acquire X (reason `upgrade`). */
  upgrade(o: ObjRef, site: string): boolean;
  /** Release every token and chain lock the operation holds (but the first token hold of `keep`). */
  releaseAll(keep?: ObjRef): void;
  /** Pager I/O on o: the thread sleeps, its tokens are released meanwhile. */
  io(o: ObjRef): void;
  /** A back-down: the attempt gives up its locks and the fault restarts. */
  backdown(rule: BackdownRule, o: ObjRef, depth: number): void;
  /** A recorded retry replayed as a restart (busy page, memory, map change, ...). */
  restart(why: string): void;
  /** The burst: `full` is vm_prefault (with locks), otherwise the lock-free quick prefault. */
  prefault(full: boolean): void;
  /** How the operation ended: `map`, `cow_copy`, `readonly`, `zero_fill`, `hazard`, `incomplete`, ... */
  outcome(what: string, depth: number): void;
  /** A rule that cannot proceed safely (other than the token livelock `take` detects). */
  hazard(kind: string, o: ObjRef, site: string, detail: string): void;
  /** The model needed the object behind `o` and neither the trace nor the registry knew it. */
  unknownLink(o: ObjRef): void;
}

/** What a Linux model tells the log of one fault: its attempts, the mm and VMA locks it takes, and why it left its VMA lock. */
export interface LinuxLockLog {
  /** Start the next attempt of the fault (the first call starts attempt 1). */
  attempt(): void;
  /** Acquire the mm lock (`mm`: mmap_lock) or a VMA lock (`vma`) of o. */
  lock(o: ObjRef, cls: 'mm' | 'vma', mode: Mode, site: string, reason: string): void;
  /** The fault leaves its VMA lock for mmap_lock, for `reason`. */
  fallback(reason: string): void;
  /** Release every lock the fault holds (but the first hold of `keep`). */
  releaseAll(keep?: ObjRef): void;
  /** A retry replayed as a restart (VM_FAULT_RETRY). */
  restart(why: string): void;
  /** How the fault ended: `vma`, `mmap`, `bad_area`. */
  outcome(what: string, depth: number): void;
}

/** The kernel family a model belongs to: its traces, its facts and its baseline. */
export type Family = 'dragonfly' | 'linux';

/** Who a model is: what the command line, the tables and the saved_* columns call it. */
export interface ModelIdentity {
  /** the name used on the command line and in the tables */
  readonly name: string;
  readonly description: string;
  /** default `dragonfly` */
  readonly family?: Family;
  /** the model of the same family its savings are measured against (its own name for the baseline); default the family's baseline */
  readonly baseline?: string;
  /** the model in column names: x_<slug> (mm_<slug> for Linux) in the saved_* views; default the name, lower case, runs of other characters as `_` */
  readonly slug?: string;
  /** the saving in column names: saved_x_<savedSlug>, or saved_x when empty; default the slug */
  readonly savedSlug?: string;
}

/** A DragonFly model: faults as object-chain walks, and the other vm_object lock sites. */
export interface DragonFlyModel extends ModelIdentity {
  readonly family?: 'dragonfly';
  fault(f: FaultFacts, knobs: Knobs, log: LockLog): void;
  site(op: SiteOp, knobs: Knobs, log: LockLog): void;
}

/** A Linux model: which of the mm lock and a VMA lock one page fault takes (no other lock sites). */
export interface LinuxModel extends ModelIdentity {
  readonly family: 'linux';
  fault(f: LinuxFaultFacts, knobs: Knobs, log: LinuxLockLog): void;
}

export type LockingModel = DragonFlyModel | LinuxModel;

export const isLinuxModel = (m: LockingModel): m is LinuxModel => m.family === 'linux';
