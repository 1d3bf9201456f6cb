// Records what a model does with one operation: every acquisition with the
// step it happened at and the step it was released at, I/O sleeps, back-downs,
// restarts, hazards. It also tracks what the thread holds, so it catches a
// model asking for X on a token it holds only S (the livelock) whatever rule
// led there. One log is reused for every operation of every model.

import { NULL_ENUM } from '../columns/table.js';
import type { StringTable } from '../columns/strings.js';
import { LockClass, LockMode, hasChainLock } from '../events/vocabulary.js';
import type { ObjRef } from '../models/facts.js';
import type { BackdownRule, LinuxLockLog, LockLog, Mode } from '../models/model.js';
import { widen } from '../columns/typed.js';

const TOKEN = LockClass.codes.token;
const CHAIN = LockClass.codes.chain;
const MM = LockClass.codes.mm;
const VMA = LockClass.codes.vma;
const S = LockMode.codes.S;
const X = LockMode.codes.X;

export interface HazardRecord {
  kind: string;
  obj: number;
  otype: number;
  site: string;
  detail: string;
  attempt: number;
  step: number;
}

export interface BackdownRecord {
  rule: BackdownRule;
  obj: number;
  otype: number;
  depth: number;
  attempt: number;
  step: number;
}

export class RecordingLockLog implements LockLog, LinuxLockLog {
  // Acquisitions, in order (struct of arrays).
  n = 0;
  obj: number[] = [];
  otype: number[] = [];
  cls: number[] = [];
  mode: number[] = [];
  site: number[] = [];
  reason: number[] = [];
  attemptOf: number[] = [];
  step: number[] = [];
  /** step at which it was released (-1: still held) */
  releasedAt: number[] = [];
  recursive: boolean[] = [];

  /** steps so far; each acquisition and each I/O sleep is one step */
  steps = 0;
  /** for each step below `steps`: 1 when it is an I/O sleep */
  ioStep: number[] = [];
  ioSleeps = 0;
  xTokens = 0;
  sTokens = 0;
  xChain = 0;
  sChain = 0;
  attempts = 0;
  restarts = 0;
  upgrades = 0;
  unknownLinks = 0;
  /** Linux: mm lock and VMA lock acquisitions, and why the fault left its VMA lock (null: it did not) */
  mmLocks = 0;
  vmaLocks = 0;
  fallbackReason: string | null = null;
  /** Linux: why the fault first took the mm lock (a fallback, or the anon_vma trylock), null when it did not */
  mmReason: string | null = null;
  prefaulted: 'full' | 'quick' | null = null;
  result = 'incomplete';
  foundDepth = -1;
  readonly backdowns: BackdownRecord[] = [];
  readonly hazards: HazardRecord[] = [];
  /** acquisitions still held, oldest first */
  private held = new Int32Array(64);
  private nHeld = 0;
  private readonly siteIds = new Map<string, number>();
  // Sites and reasons are a few dozen literals, met twice per acquisition: a
  // direct-mapped cache in front of the map (slot from length, first and last character).
  private readonly cachedName: string[] = new Array<string>(64).fill('');
  private readonly cachedId = new Int32Array(64).fill(-1);

  constructor(private readonly strings: StringTable) {}

  reset(): void {
    this.n = 0;
    this.steps = 0;
    this.ioSleeps = 0;
    this.xTokens = 0;
    this.sTokens = 0;
    this.xChain = 0;
    this.sChain = 0;
    this.attempts = 0;
    this.restarts = 0;
    this.upgrades = 0;
    this.unknownLinks = 0;
    this.mmLocks = 0;
    this.vmaLocks = 0;
    this.fallbackReason = null;
    this.mmReason = null;
    this.prefaulted = null;
    this.result = 'incomplete';
    this.foundDepth = -1;
    if (this.backdowns.length) this.backdowns.length = 0;
    if (this.hazards.length) this.hazards.length = 0;
    this.nHeld = 0;
  }

  attempt(): void {
    this.attempts++;
  }

  take(o: ObjRef, mode: Mode, site: string, reason: string): boolean {
    const want = mode === 'X' ? X : S;
    let holdsX = false;
    let holdsS = false;
    for (let k = 0; k < this.nHeld; k++) {
      const a = this.held[k]!;
      if (this.obj[a] !== o.obj || this.cls[a] !== TOKEN) continue;
      if (this.mode[a] === X) holdsX = true;
      else holdsS = true;
    }
    if (want === X && holdsS && !holdsX) {
      this.hazard('token_livelock', o, site, `${site} asks X on a token this thread holds only S`);
      return false;
    }
    this.record(o, TOKEN, want, site, reason, holdsX || holdsS);
    return true;
  }

  chain(o: ObjRef, mode: Mode, site: string, reason: string): void {
    if (!hasChainLock(o.otype)) return;
    this.record(o, CHAIN, mode === 'X' ? X : S, site, reason, false);
  }

  drop(o: ObjRef): void {
    for (let k = this.nHeld - 1; k >= 0; k--) {
      const a = this.held[k]!;
      if (this.obj[a] === o.obj && this.cls[a] === TOKEN) {
        this.release(k);
        return;
      }
    }
  }

  upgrade(o: ObjRef, site: string): boolean {
    this.drop(o);
    this.upgrades++;
    return this.take(o, 'X', site, 'upgrade');
  }

  releaseAll(keep?: ObjRef): void {
    let kept = false;
    for (let k = this.nHeld - 1; k >= 0; k--) {
      const a = this.held[k]!;
      // Keep the first (outermost) token hold of `keep`.
      if (keep && !kept && this.obj[a] === keep.obj && this.cls[a] === TOKEN && this.isOutermost(a, k)) {
        kept = true;
        continue;
      }
      this.release(k);
    }
  }

  io(_o: ObjRef): void {
    this.ioStep[this.steps++] = 1;
    this.ioSleeps++;
  }

  backdown(rule: BackdownRule, o: ObjRef, depth: number): void {
    this.backdowns.push({ rule, obj: o.obj, otype: o.otype, depth, attempt: this.attempts, step: this.steps });
  }

  restart(_why: string): void {
    this.restarts++;
  }

  prefault(full: boolean): void {
    this.prefaulted = full ? 'full' : 'quick';
  }

  outcome(what: string, depth: number): void {
    this.result = what;
    this.foundDepth = depth;
  }

  hazard(kind: string, o: ObjRef, site: string, detail: string): void {
    this.hazards.push({ kind, obj: o.obj, otype: o.otype, site, detail, attempt: this.attempts, step: this.steps });
  }

  unknownLink(_o: ObjRef): void {
    this.unknownLinks++;
  }

  lock(o: ObjRef, cls: 'mm' | 'vma', mode: Mode, site: string, reason: string): void {
    if (cls === 'mm') {
      this.mmLocks++;
      this.mmReason ??= reason;
    } else this.vmaLocks++;
    this.record(o, cls === 'mm' ? MM : VMA, mode === 'X' ? X : S, site, reason, false);
  }

  fallback(reason: string): void {
    this.fallbackReason ??= reason;
  }

  private record(o: ObjRef, cls: number, mode: number, site: string, reason: string, recursive: boolean): void {
    const a = this.n++;
    this.obj[a] = o.obj;
    this.otype[a] = o.otype === undefined ? NULL_ENUM : o.otype;
    this.cls[a] = cls;
    this.mode[a] = mode;
    this.site[a] = this.intern(site);
    this.reason[a] = this.intern(reason);
    this.attemptOf[a] = this.attempts;
    this.step[a] = this.steps;
    this.ioStep[this.steps++] = 0;
    this.releasedAt[a] = -1;
    this.recursive[a] = recursive;
    if (cls === TOKEN) {
      if (mode === X) this.xTokens++;
      else this.sTokens++;
    } else if (cls === CHAIN) {
      if (mode === X) this.xChain++;
      else this.sChain++;
    }
    if (this.nHeld === this.held.length) this.held = widen(this.held, this.held.length * 2);
    this.held[this.nHeld++] = a;
  }

  private release(k: number): void {
    const a = this.held[k]!;
    this.releasedAt[a] = this.steps - 1;
    this.held.copyWithin(k, k + 1, this.nHeld);
    this.nHeld--;
  }

  private isOutermost(a: number, k: number): boolean {
    for (let j = 0; j < k; j++) {
      const b = this.held[j]!;
      if (this.obj[b] === this.obj[a] && this.cls[b] === this.cls[a]) return false;
    }
    return true;
  }

  private intern(s: string): number {
    const slot = (s.length + s.charCodeAt(0) + s.charCodeAt(s.length - 1)) & 63;
    if (this.cachedName[slot] === s && this.cachedId[slot]! >= 0) return this.cachedId[slot]!;
    let id = this.siteIds.get(s);
    if (id === undefined) {
      id = this.strings.intern(s);
      this.siteIds.set(s, id);
    }
    this.cachedName[slot] = s;
    this.cachedId[slot] = id;
    return id;
  }
}
