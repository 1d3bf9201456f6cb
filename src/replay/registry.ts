// The object registry and process table, built from the events in time order.
// Models ask it for the chain below the levels a fault examined (the vnode
// pager lock and the prefault walk objects a fault never looked at), and the
// store writes it out as the `objects` and `processes` tables.

import type { ObjRef } from '../models/facts.js';
import { NULL_ENUM, NULL_I32, NULL_ID } from '../columns/table.js';
import { IntMap, widen } from '../columns/typed.js';
import type { EventBatch } from '../events/schema.js';
import { CollapseCase, K, OT, hasChainLock } from '../events/vocabulary.js';

const NULL_TYPE = NULL_ENUM;

/** Registry values for a backing link. */
export const NO_BACKING = -1;
export const UNKNOWN_BACKING = -2;

export class ObjectRegistry {
  otype = new Uint8Array(1024).fill(NULL_TYPE);
  backing = new Int32Array(1024).fill(UNKNOWN_BACKING);
  shadows = new Int32Array(1024);
  ref = new Int32Array(1024).fill(-1);
  maxRef = new Int32Array(1024).fill(-1);
  name = new Int32Array(1024).fill(NULL_ID);
  firstTs = new Float64Array(1024).fill(NaN);
  lastTs = new Float64Array(1024).fill(NaN);
  events = new Float64Array(1024);
  faultsFirst = new Float64Array(1024);
  /** highest object id seen + 1 */
  count = 0;

  private grow(id: number): void {
    if (id < this.count) return;
    this.count = id + 1;
    if (id < this.otype.length) return;
    let n = this.otype.length;
    while (n <= id) n *= 2;
    this.otype = widen(this.otype, n, NULL_TYPE);
    this.backing = widen(this.backing, n, UNKNOWN_BACKING);
    this.shadows = widen(this.shadows, n);
    this.ref = widen(this.ref, n, -1);
    this.maxRef = widen(this.maxRef, n, -1);
    this.name = widen(this.name, n, NULL_ID);
    this.firstTs = widen(this.firstTs, n, NaN);
    this.lastTs = widen(this.lastTs, n, NaN);
    this.events = widen(this.events, n);
    this.faultsFirst = widen(this.faultsFirst, n);
  }

  /** An event names `obj` (with its type when the event says it). */
  touch(obj: number, otype: number, ts: number): void {
    this.grow(obj);
    if (otype !== NULL_ENUM) {
      // A new type at a known address is a new object (the address was freed
      // and reused): what the registry knew about the old one no longer holds.
      const was = this.otype[obj]!;
      if (was !== NULL_TYPE && was !== otype) this.link(obj, UNKNOWN_BACKING);
      this.otype[obj] = otype;
    }
    if (!(this.firstTs[obj]! <= ts)) this.firstTs[obj] = ts;
    if (!(this.lastTs[obj]! >= ts)) this.lastTs[obj] = ts;
    this.events[obj]!++;
  }

  /** `obj` is backed by `backing` (an object id, or NO_BACKING). */
  link(obj: number, backing: number): void {
    this.grow(obj);
    const old = this.backing[obj]!;
    if (old === backing) return;
    if (old >= 0) this.shadows[old]!--;
    this.backing[obj] = backing;
    if (backing >= 0) {
      this.grow(backing);
      this.shadows[backing]!++;
    }
  }

  setRef(obj: number, ref: number): void {
    this.grow(obj);
    this.ref[obj] = ref;
    if (ref > this.maxRef[obj]!) this.maxRef[obj] = ref;
  }

  typeOf(obj: number): number {
    return obj < this.count ? this.otype[obj]! : NULL_TYPE;
  }

  /** The object behind `obj`: an ObjRef, null when it has none, undefined when not known. */
  below(obj: number): ObjRef | null | undefined {
    if (obj >= this.count) return undefined;
    const b = this.backing[obj]!;
    if (b === NO_BACKING) return null;
    if (b === UNKNOWN_BACKING) {
      // Only DEFAULT and SWAP objects shadow others: any other type is terminal.
      const t = this.otype[obj]!;
      return t !== NULL_TYPE && !hasChainLock(t) ? null : undefined;
    }
    const otype = this.otype[b]!;
    return otype === NULL_TYPE ? undefined : { obj: b, otype };
  }

  /** Whether anything shadows `obj`: 1 / 0 as far as the registry knows, -1 when it never saw obj. */
  shadowed(obj: number): -1 | 0 | 1 {
    if (obj >= this.count) return -1;
    return this.shadows[obj]! > 0 ? 1 : 0;
  }

  /** Apply what row `i` of `b` says about objects. */
  apply(b: EventBatch, i: number): void {
    const c = b.cols;
    const obj = c.obj[i]!;
    if (obj === NULL_ID) return;
    const ts = c.ts[i]!;
    this.touch(obj, c.otype[i]!, ts);
    switch (c.kind[i]) {
      case K.fault_obj:
        if (c.has_backing[i] === 0) this.link(obj, NO_BACKING);
        if (c.ref[i] !== NULL_I32) this.setRef(obj, c.ref[i]!);
        break;
      case K.obj_shadow: {
        const source = c.backing_obj[i]!;
        this.touch(source, c.backing_otype[i]!, ts);
        if (this.otype[obj] === NULL_TYPE) this.otype[obj] = OT.default;
        this.link(obj, source);
        this.setRef(obj, 1);
        break;
      }
      case K.obj_collapse: {
        const backing = c.backing_obj[i]!;
        this.touch(backing, c.backing_otype[i]!, ts);
        const bb = c.backing2_obj[i]!;
        if (bb !== NULL_ID) this.touch(bb, c.backing2_otype[i]!, ts);
        const kase = c.collapse_case[i]!;
        if (bb !== NULL_ID && (kase === CollapseCase.codes.collapse || kase === CollapseCase.codes.bypass)) this.link(obj, bb);
        else this.link(obj, backing);
        break;
      }
      case K.obj_ref: {
        const after = c.ref[i]! + c.delta[i]!;
        this.setRef(obj, Math.max(after, 0));
        // A drop to zero terminates the object: its address may be reused.
        if (after <= 0) {
          this.link(obj, UNKNOWN_BACKING);
          this.ref[obj] = -1;
        }
        break;
      }
      case K.obj_name:
        if (c.text[i] !== NULL_ID) this.name[obj] = c.text[i]!;
        break;
    }
  }
}

/**
 * The processes the events name, one slot per pid in order of first mention,
 * and the process of each thread. A long trace names hundreds of thousands of
 * processes (the generated fork/exec workload: about 4,600 per million
 * events), so their fields live in typed columns and the two lookups in typed
 * hash tables: about 100 bytes a process, where arrays and Maps of numbers took
 * 150 on the JavaScript heap.
 */
export class ProcessRegistry {
  pids = new Int32Array(256);
  parent = new Int32Array(256);
  comm = new Int32Array(256);
  path = new Int32Array(256);
  firstTs = new Float64Array(256);
  lastTs = new Float64Array(256);
  exited = new Uint8Array(256);
  faults = new Float64Array(256);
  maxThreads = new Int32Array(256);
  /** processes known: slots 0 .. count-1 */
  count = 0;
  /** pid -> slot */
  private readonly index = new IntMap(-1);
  /** tid -> pid */
  private readonly tidPid = new IntMap(NULL_I32);

  private slot(pid: number, ts: number): number {
    let k = this.index.get(pid);
    if (k < 0) {
      k = this.count++;
      if (k === this.pids.length) this.grow();
      this.index.set(pid, k);
      this.pids[k] = pid;
      this.parent[k] = NULL_I32;
      this.comm[k] = NULL_ID;
      this.path[k] = NULL_ID;
      this.firstTs[k] = ts;
      this.lastTs[k] = ts;
      this.maxThreads[k] = NULL_I32;
    }
    if (!(this.firstTs[k]! <= ts)) this.firstTs[k] = ts;
    if (!(this.lastTs[k]! >= ts)) this.lastTs[k] = ts;
    return k;
  }

  private grow(): void {
    const n = 2 * this.pids.length;
    this.pids = widen(this.pids, n);
    this.parent = widen(this.parent, n);
    this.comm = widen(this.comm, n);
    this.path = widen(this.path, n);
    this.firstTs = widen(this.firstTs, n);
    this.lastTs = widen(this.lastTs, n);
    this.exited = widen(this.exited, n);
    this.faults = widen(this.faults, n);
    this.maxThreads = widen(this.maxThreads, n);
  }

  /** The process of thread `tid`, as far as any event said. */
  pidOf(tid: number): number {
    return this.tidPid.get(tid);
  }

  apply(b: EventBatch, i: number): void {
    const c = b.cols;
    const pid = c.pid[i]!;
    const tid = c.tid[i]!;
    if (pid === NULL_I32) return;
    if (tid !== NULL_I32) this.tidPid.set(tid, pid);
    const k = this.slot(pid, c.ts[i]!);
    switch (c.kind[i]) {
      case K.fault_begin:
        this.faults[k]!++;
        if (c.nthreads[i] !== NULL_I32 && c.nthreads[i]! > this.maxThreads[k]!) this.maxThreads[k] = c.nthreads[i]!;
        if (c.comm[i] !== NULL_ID) this.comm[k] = c.comm[i]!;
        break;
      case K.proc_fork: {
        const child = this.slot(c.child[i]!, c.ts[i]!);
        this.parent[child] = pid;
        this.comm[child] = this.comm[k]!;
        break;
      }
      case K.proc_exec:
        if (c.text[i] !== NULL_ID) this.path[k] = c.text[i]!;
        if (c.comm[i] !== NULL_ID) this.comm[k] = c.comm[i]!;
        break;
      case K.proc_exit:
        this.exited[k] = 1;
        break;
    }
  }
}
