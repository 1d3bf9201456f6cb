// The trace vocabulary as the generator logs it. Each method stamps an event
// with the logging thread's CPU and clock; events wait in a time-ordered heap
// until no CPU can log anything earlier (the scheduler moves the watermark),
// so the output is in time order although CPUs run ahead of each other. A
// vnode object gets its `obj_name` just before the first event that names it.

import type { FieldValue, TextEvent } from '../ingest/writer.js';
import { MinHeap } from './heap.js';
import type { Seen, SimObject } from './objects.js';
import type { Thread } from './process.js';

type Fields = [string, FieldValue][];

interface Pending extends TextEvent {
  key: number;
  seq: number;
}

const PAGE_WORD = ['valid', 'invalid', 'busy', 'absent'] as const;

export type FaultAction = 'map' | 'cow_copy' | 'zero_fill' | 'readonly';
export type GrabPage = 'present' | 'absent' | 'busy';
export type CollapseCase = 'collapse' | 'bypass' | 'none';

export class Emitter {
  /** Nothing is logged while silent (before the trace window opens). */
  silent = true;
  /** events logged (pushed), by name */
  readonly counts = new Map<string, number>();
  total = 0;
  private readonly heap = new MinHeap<Pending>();
  private seq = 0;
  private lastTs = -Infinity;
  private readonly named = new Set<SimObject>();

  constructor(private readonly out: (e: TextEvent) => void) {}

  /**
   * Write out every event at or before `ts`: nothing earlier can come any
   * more. Written timestamps are made strictly increasing (a tie moves by
   * 1 ns), so any reader's time sort gives back exactly this order.
   */
  flush(ts: number): void {
    for (let e = this.heap.peek(); e && e.key <= ts; e = this.heap.peek()) {
      this.heap.pop();
      if (e.ts <= this.lastTs) e.ts = this.lastTs + 1;
      this.lastTs = e.ts;
      this.out(e);
    }
  }

  flushAll(): void {
    this.flush(Infinity);
  }

  /** Events logged but not yet written. */
  get pending(): number {
    return this.heap.size;
  }

  private off(t: Thread): boolean {
    return this.silent || t.muted;
  }

  /** Start of the scheduler step now running: an event logged at another time is out of step. */
  clock = 0;
  /** events logged at a time other than their step's start (the simulation lost time order) */
  outOfStep = 0;

  private push(ts: number, cpu: number, name: string, fields: Fields): void {
    if (ts !== this.clock) this.outOfStep++;
    const e: Pending = { ts: Math.round(ts), cpu, name, fields, key: Math.round(ts), seq: this.seq++ };
    this.heap.push(e);
    this.total++;
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  private log(t: Thread, name: string, fields: Fields): void {
    this.push(t.cpu.now, t.cpu.id, name, fields);
  }

  /** obj_name before the first event naming a vnode object. */
  private name(t: Thread, obj: SimObject): void {
    if (obj.name === null || this.named.has(obj)) return;
    this.named.add(obj);
    this.log(t, 'obj_name', [
      ['obj', obj.addr],
      ['otype', obj.type],
      ['name', obj.name],
    ]);
  }

  /** The object is gone: a new object at its address gets its own obj_name. */
  forget(obj: SimObject): void {
    this.named.delete(obj);
  }

  /** Any event, unconditionally (the synthetic-trace marker). */
  raw(ts: number, cpu: number, name: string, fields: Fields): void {
    this.push(ts, cpu, name, fields);
  }

  procFork(t: Thread, child: number): void {
    if (this.off(t)) return;
    this.log(t, 'proc_fork', [
      ['pid', t.proc.pid],
      ['child', child],
      ['tid', t.tid],
    ]);
  }

  procExec(t: Thread, path: string, comm: string): void {
    if (this.off(t)) return;
    this.log(t, 'proc_exec', [
      ['pid', t.proc.pid],
      ['path', path],
      ['comm', comm],
      ['tid', t.tid],
    ]);
  }

  procExit(t: Thread): void {
    if (this.off(t)) return;
    this.log(t, 'proc_exit', [
      ['pid', t.proc.pid],
      ['tid', t.tid],
    ]);
  }

  faultBegin(t: Thread, va: bigint, ftype: string, fflags: number): void {
    if (this.off(t)) return;
    this.log(t, 'fault_begin', [
      ['tid', t.tid],
      ['pid', t.proc.pid],
      ['va', va],
      ['ftype', ftype],
      ['fflags', '0x' + fflags.toString(16)],
      ['nthreads', t.proc.nthreads],
      ['comm', t.proc.comm],
    ]);
  }

  /** One level of the chain the fault examined; `pager` only where the pager was asked. */
  faultObj(t: Thread, depth: number, obj: SimObject, seen: Seen, swapped: boolean, pager: 'has' | 'none' | null): void {
    if (this.off(t)) return;
    this.name(t, obj);
    const f: Fields = [
      ['tid', t.tid],
      ['depth', depth],
      ['obj', obj.addr],
      ['otype', obj.type],
      ['page', PAGE_WORD[seen]],
      ['backing', obj.backing ? 1 : 0],
    ];
    if (depth === 0) f.push(['shadowed', obj.shadows.size > 0 ? 1 : 0]);
    if (obj.anonymous) f.push(['swapped', swapped ? 1 : 0]);
    if (pager) f.push(['pager', pager]);
    f.push(['ref', obj.ref]);
    this.log(t, 'fault_obj', f);
  }

  faultRetry(t: Thread, why: string): void {
    if (this.off(t)) return;
    this.log(t, 'fault_retry', [
      ['tid', t.tid],
      ['why', why],
    ]);
  }

  faultEnd(t: Thread, depth: number, action: FaultAction, ioNs: number): void {
    if (this.off(t)) return;
    const f: Fields = [
      ['tid', t.tid],
      ['rc', 0],
      ['depth', depth],
      ['action', action],
      ['io', ioNs > 0 ? 1 : 0],
    ];
    if (ioNs > 0) f.push(['io_ns', Math.round(ioNs)]);
    this.log(t, 'fault_end', f);
  }

  objRef(t: Thread, obj: SimObject, refBefore: number, delta: 1 | -1, site: string): void {
    if (this.off(t)) return;
    this.name(t, obj);
    this.log(t, 'obj_ref', [
      ['tid', t.tid],
      ['obj', obj.addr],
      ['otype', obj.type],
      ['ref', refBefore],
      ['delta', delta],
      ['site', site],
    ]);
  }

  objShadow(t: Thread, shadow: SimObject, source: SimObject, site: string): void {
    if (this.off(t)) return;
    this.name(t, source);
    this.log(t, 'obj_shadow', [
      ['tid', t.tid],
      ['obj', shadow.addr],
      ['source', source.addr],
      ['stype', source.type],
      ['site', site],
    ]);
  }

  mapSplit(t: Thread, obj: SimObject): void {
    if (this.off(t)) return;
    this.name(t, obj);
    this.log(t, 'map_split', [
      ['tid', t.tid],
      ['obj', obj.addr],
      ['otype', obj.type],
    ]);
  }

  execPage(t: Thread, obj: SimObject, seen: Seen): void {
    if (this.off(t)) return;
    this.name(t, obj);
    this.log(t, 'exec_page', [
      ['tid', t.tid],
      ['obj', obj.addr],
      ['page', PAGE_WORD[seen]],
    ]);
  }

  /** ELF load_section: `seen` is the state of the partial page it reads (null: none). */
  loadSection(t: Thread, obj: SimObject, seen: Seen | null): void {
    if (this.off(t)) return;
    this.name(t, obj);
    const f: Fields = [
      ['tid', t.tid],
      ['obj', obj.addr],
    ];
    if (seen !== null) f.push(['page', PAGE_WORD[seen]]);
    this.log(t, 'load_section', f);
  }

  pageGrab(t: Thread, obj: SimObject, page: GrabPage, site: string): void {
    if (this.off(t)) return;
    this.log(t, 'page_grab', [
      ['tid', t.tid],
      ['obj', obj.addr],
      ['page', page],
      ['site', site],
    ]);
  }

  objCollapse(t: Thread, obj: SimObject, backing: SimObject, bbobj: SimObject | null, kase: CollapseCase): void {
    if (this.off(t)) return;
    this.name(t, backing);
    if (bbobj) this.name(t, bbobj);
    const f: Fields = [
      ['tid', t.tid],
      ['obj', obj.addr],
      ['backing', backing.addr],
      ['btype', backing.type],
    ];
    if (bbobj) f.push(['bbobj', bbobj.addr], ['bbtype', bbobj.type]);
    f.push(['case', kase]);
    this.log(t, 'obj_collapse', f);
  }
}
