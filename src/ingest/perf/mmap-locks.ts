// Linux's per-address-space lock (mmap_lock) as observed lock events: each
// mmap_lock tracepoint becomes an obj_lock on the mm_struct's own kernel
// address (a real pointer, not a synthetic object) with class `map`, the
// counterpart of BSD's per-map lock. start_locking -> wait_beg (the gap to the
// acquisition is the observed wait), acquire_returned -> acq or try_fail,
// released -> rel. A read acquisition while the thread holds the lock for
// writing is mmap_write_downgrade: rel X then acq S.
//
// They also tell a fork from a vfork: only dup_mmap (fork copying an address
// space) takes a second mm's lock for writing while holding its own.

import { type EventOut, KEY, WORD } from './emit.js';

const latin = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const SITE_LOCK = latin('mmap_lock');
const SITE_TRYLOCK = latin('mmap_trylock');
const SITE_DOWNGRADE = latin('mmap_write_downgrade');

/** One number per mm pointer for the per-thread maps (the low 52 bits are plenty). */
const mmKey = (hi: number, lo: number): number => (hi & 0xfffff) * 2 ** 32 + lo;

export class MmapLocks {
  /** per thread: the lock it started to take (mm key * 2 + write), -1 none */
  private readonly waiting = new Map<number, number>();
  /** per thread: the mm locks it holds for writing */
  private readonly writing = new Map<number, Set<number>>();
  /** threads that nested two mm write locks (dup_mmap) since their last fork */
  private readonly copying = new Set<number>();
  private readonly callers = new Map<string, Uint8Array>();
  events = 0;

  constructor(private readonly out: EventOut) {}

  /** `caller`: the kernel function a call chain named as the taker (else the lock's own name is the site). */
  start(tid: number, hi: number, lo: number, write: boolean, caller: string | null = null): void {
    this.waiting.set(tid, mmKey(hi, lo) * 2 + (write ? 1 : 0));
    this.emit(tid, hi, lo, WORD.wait_beg, write, this.site(caller, SITE_LOCK));
  }

  acquired(tid: number, hi: number, lo: number, write: boolean, success: boolean, caller: string | null = null): void {
    const key = mmKey(hi, lo);
    const started = this.waiting.get(tid) === key * 2 + (write ? 1 : 0);
    if (started) this.waiting.delete(tid);
    const held = this.writing.get(tid);
    if (!write && !started && success && held?.has(key)) {
      held.delete(key);
      this.emit(tid, hi, lo, WORD.rel, true, this.site(caller, SITE_DOWNGRADE));
      this.emit(tid, hi, lo, WORD.acq, false, this.site(caller, SITE_DOWNGRADE));
      return;
    }
    if (success && write) {
      if (held && held.size > 0 && !held.has(key)) this.copying.add(tid);
      if (held) held.add(key);
      else this.writing.set(tid, new Set([key]));
    }
    this.emit(tid, hi, lo, success ? WORD.acq : WORD.try_fail, write, this.site(caller, started ? SITE_LOCK : SITE_TRYLOCK));
  }

  released(tid: number, hi: number, lo: number, write: boolean, caller: string | null = null): void {
    if (write) this.writing.get(tid)?.delete(mmKey(hi, lo));
    this.emit(tid, hi, lo, WORD.rel, write, this.site(caller, SITE_LOCK));
  }

  /** A caller's name as bytes, made once per name. */
  private site(caller: string | null, fallback: Uint8Array): Uint8Array {
    if (caller === null) return fallback;
    let bytes = this.callers.get(caller);
    if (!bytes) this.callers.set(caller, (bytes = latin(caller)));
    return bytes;
  }

  /** Whether the trace logs mmap_lock at all (else nothing can be told from its absence). */
  get observed(): boolean {
    return this.events > 0;
  }

  /** The thread just forked: whether it copied an address space (dup_mmap) since its last fork. */
  takeCopied(tid: number): boolean {
    return this.copying.delete(tid);
  }

  /** A thread is gone: forget its state. */
  forget(tid: number): void {
    this.waiting.delete(tid);
    this.writing.delete(tid);
    this.copying.delete(tid);
  }

  private emit(tid: number, hi: number, lo: number, op: Uint8Array, write: boolean, site: Uint8Array): void {
    this.events++;
    this.out
      .event('obj_lock')
      .int(KEY.tid, tid)
      .hex(KEY.obj, hi, lo)
      .word(KEY.op, op)
      .word(KEY.mode, write ? WORD.X : WORD.S)
      .word(KEY.site, site)
      .word(KEY.class, WORD.map)
      .end();
  }
}
