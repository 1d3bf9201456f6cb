// Checks on a generated event stream, shared by the synth tests: every fault
// well-formed, reference counts consistent and never negative, timestamps and
// names in order. Each returns a list of problems (empty: fine), the first few
// with the event index, so a failure says where.

import type { FieldValue, TextEvent } from '../../src/ingest/writer.js';
import { ArraySink } from '../../src/synth/sink.js';
import { generate, type SynthOptions } from '../../src/synth/generate.js';

export async function synth(options: Partial<SynthOptions> & Pick<SynthOptions, 'workload'>): Promise<TextEvent[]> {
  const sink = new ArraySink();
  await generate({ cpus: 4, events: 3000, seed: 1, kernel: 'new', ...options }, sink);
  return sink.events;
}

export const field = (e: TextEvent, key: string): FieldValue | undefined => e.fields.find(([k]) => k === key)?.[1];
const num = (e: TextEvent, key: string): number => Number(field(e, key));
const addr = (e: TextEvent, key: string): string | null => {
  const v = field(e, key);
  return v === undefined ? null : typeof v === 'bigint' ? '0x' + v.toString(16) : String(v);
};

class Problems {
  readonly list: string[] = [];
  add(i: number, e: TextEvent, what: string): void {
    if (this.list.length < 20) this.list.push(`event ${i} (${e.name} tid=${field(e, 'tid')}): ${what}`);
  }
}

interface OpenFault {
  ftype: string;
  /** next depth expected in this attempt */
  next: number;
  lastPage: string | null;
  lastBacking: number;
  lastPager: string | null;
}

/** Every fault: begin, levels 0..k per attempt (a retry starts them again), end consistent with them. */
export function checkFaults(events: readonly TextEvent[]): string[] {
  const p = new Problems();
  const open = new Map<number, OpenFault>();
  events.forEach((e, i) => {
    const tid = num(e, 'tid');
    const f = open.get(tid);
    switch (e.name) {
      case 'fault_begin': {
        if (f) p.add(i, e, 'fault_begin inside a fault');
        const ftype = String(field(e, 'ftype'));
        const fflags = Number(field(e, 'fflags'));
        if (!['R', 'W', 'X'].includes(ftype)) p.add(i, e, `ftype ${ftype}`);
        if (((fflags & 0x8) !== 0) !== (ftype === 'W')) p.add(i, e, `DIRTY must go with write faults (fflags ${fflags})`);
        if (!(fflags & 0x4) && ftype !== 'W') p.add(i, e, 'a read fault without BURST (only the kernel copyout has none)');
        if (!(num(e, 'nthreads') >= 1)) p.add(i, e, 'nthreads');
        open.set(tid, { ftype, next: 0, lastPage: null, lastBacking: 0, lastPager: null });
        return;
      }
      case 'fault_obj': {
        if (!f) return p.add(i, e, 'level outside a fault');
        const depth = num(e, 'depth');
        if (depth !== f.next) p.add(i, e, `depth ${depth}, expected ${f.next}`);
        if (depth > 0 && (f.lastBacking !== 1 || f.lastPage !== 'absent')) p.add(i, e, 'a deeper level below a level with the page or without backing');
        if (depth === 0 && field(e, 'shadowed') === undefined) p.add(i, e, 'depth 0 without shadowed');
        if (!(num(e, 'ref') >= 1)) p.add(i, e, `ref ${field(e, 'ref')} on an object in use`);
        f.next = depth + 1;
        f.lastPage = String(field(e, 'page'));
        f.lastBacking = num(e, 'backing');
        f.lastPager = (field(e, 'pager') as string | undefined) ?? null;
        return;
      }
      case 'fault_retry': {
        if (!f) return p.add(i, e, 'retry outside a fault');
        const why = field(e, 'why');
        if (f.next === 0) p.add(i, e, 'retry before any level');
        if (why === 'busy' && f.lastPage !== 'busy') p.add(i, e, 'busy retry without a busy page');
        if (why !== 'busy' && why !== 'backdown') p.add(i, e, `retry why=${why}`);
        f.next = 0;
        f.lastPage = null;
        return;
      }
      case 'fault_end': {
        if (!f) return p.add(i, e, 'fault_end without fault_begin');
        open.delete(tid);
        const depth = num(e, 'depth');
        const action = field(e, 'action');
        const last = f.next - 1;
        if (last < 0) p.add(i, e, 'fault_end without levels');
        if (num(e, 'rc') !== 0) p.add(i, e, 'rc');
        if (depth < -1 || depth > last) p.add(i, e, `end depth ${depth} outside the levels 0..${last}`);
        if (depth === -1 && (action !== 'zero_fill' || f.lastPage !== 'absent')) p.add(i, e, `zero fill with action ${action} / page ${f.lastPage}`);
        if (depth >= 0 && depth !== last) p.add(i, e, `page found at ${depth} but the walk went to ${last}`);
        if (depth === 0 && action !== 'map') p.add(i, e, `depth 0 action ${action}`);
        if (depth > 0 && action !== (f.ftype === 'W' ? 'cow_copy' : 'readonly')) p.add(i, e, `depth ${depth} ${f.ftype} action ${action}`);
        if (depth >= 0 && f.lastPage === 'absent' && f.lastPager !== 'has') p.add(i, e, 'page read from a level whose pager does not have it');
        const io = num(e, 'io');
        if (io === 1 && !(num(e, 'io_ns') > 0)) p.add(i, e, 'io without io_ns');
        if (io === 1 && f.lastPage === 'valid') p.add(i, e, 'I/O for a valid page');
        return;
      }
      case 'obj_shadow':
      case 'page_grab':
        return; // logged inside faults (vm_map_lookup, pmap_enter) and outside
      default:
        if (f && field(e, 'tid') !== undefined) p.add(i, e, 'another operation inside a fault');
    }
  });
  for (const tid of open.keys()) p.list.push(`thread ${tid}: fault never ended`);
  return p.list;
}

const anonymous = (otype: string | undefined): boolean => otype === 'default' || otype === 'swap';

/**
 * Reference counts as a replay could follow them: the `ref` of every event
 * equals the count implied by the events before it (obj_ref deltas, map_split
 * and load_section +1, a new shadow at 1, a terminated object's drop on its
 * backing object, collapse), and is never negative.
 */
export function checkRefs(events: readonly TextEvent[], stats = { checked: 0, withRef: 0 }): string[] {
  const p = new Problems();
  const ref = new Map<string, number>();
  const type = new Map<string, string>();
  const backing = new Map<string, string | null>();
  const forget = (o: string): void => {
    ref.delete(o);
    backing.delete(o);
  };
  const cascade = (first: string): void => {
    for (let o: string | null | undefined = first; o; ) {
      const b: string | null | undefined = backing.get(o);
      forget(o);
      // An object from before the trace whose backing object the events never
      // named: some count went down by one, which one is not known.
      if (b === undefined) return ref.clear();
      if (!b || !ref.has(b)) return;
      const n = ref.get(b)! - 1;
      ref.set(b, n);
      if (n > 0 || !anonymous(type.get(b))) return;
      o = b;
    }
  };
  const expect = (i: number, e: TextEvent, o: string, n: number): void => {
    if (n < 0) p.add(i, e, `negative ref ${n}`);
    const known = ref.get(o);
    stats.withRef++;
    if (known !== undefined) stats.checked++;
    if (known !== undefined && known !== n) p.add(i, e, `ref ${n}, but the events so far make it ${known}`);
    ref.set(o, n);
  };
  const last = new Map<number, string>(); // tid -> object of the previous fault level
  events.forEach((e, i) => {
    const o = addr(e, 'obj');
    const otype = field(e, 'otype');
    if (o && typeof otype === 'string') type.set(o, otype);
    switch (e.name) {
      case 'fault_obj': {
        const tid = num(e, 'tid');
        expect(i, e, o!, num(e, 'ref'));
        if (num(e, 'depth') > 0 && last.has(tid)) backing.set(last.get(tid)!, o);
        if (num(e, 'backing') === 0) backing.set(o!, null);
        last.set(tid, o!);
        return;
      }
      case 'obj_ref': {
        const before = num(e, 'ref');
        const delta = num(e, 'delta');
        expect(i, e, o!, before);
        if (before + delta < 0) p.add(i, e, 'drop below zero');
        ref.set(o!, before + delta);
        // A drop to zero ends the object (a vnode object's address may be reused too).
        if (before + delta === 0) {
          if (anonymous(type.get(o!))) cascade(o!);
          else forget(o!);
        }
        return;
      }
      case 'obj_shadow':
        forget(o!);
        ref.set(o!, 1);
        type.set(o!, 'default');
        backing.set(o!, addr(e, 'source'));
        return;
      case 'map_split':
      case 'load_section':
        if (ref.has(o!)) ref.set(o!, ref.get(o!)! + 1);
        return;
      case 'obj_collapse': {
        if (field(e, 'case') !== 'collapse') return;
        const b = addr(e, 'backing')!;
        if (ref.has(b) && ref.get(b) !== 1) p.add(i, e, `collapsed a backing object with ref ${ref.get(b)}`);
        forget(b);
        backing.set(o!, addr(e, 'bbobj'));
        return;
      }
    }
  });
  return p.list;
}

/** Time strictly increasing, the marker first, every vnode object named before it is used. */
export function checkOrder(events: readonly TextEvent[]): string[] {
  const p = new Problems();
  if (events[0]?.name !== 'vmtrace_synthetic') p.list.push(`the first event is ${events[0]?.name}, not the synthetic marker`);
  const named = new Set<string>();
  const tidTs = new Map<number, number>();
  events.forEach((e, i) => {
    if (i > 0 && !(e.ts > events[i - 1]!.ts)) p.add(i, e, `time ${e.ts} not after ${events[i - 1]!.ts}`);
    if (!Number.isInteger(e.ts)) p.add(i, e, 'time not in whole ns');
    if (e.name === 'obj_name') named.add(addr(e, 'obj')!);
    else
      for (const key of ['obj', 'source', 'backing', 'bbobj']) {
        const o = addr(e, key);
        const t = field(e, key === 'obj' ? 'otype' : key === 'source' ? 'stype' : key === 'backing' ? 'btype' : 'bbtype');
        if (o && t === 'vnode' && !named.has(o)) p.add(i, e, `vnode object ${o} used before obj_name`);
      }
    const tid = field(e, 'tid');
    if (typeof tid === 'number') {
      if ((tidTs.get(tid) ?? -1) >= e.ts) p.add(i, e, 'thread events out of order');
      tidTs.set(tid, e.ts);
    }
  });
  return p.list;
}

export function counts(events: readonly TextEvent[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const e of events) c[e.name] = (c[e.name] ?? 0) + 1;
  return c;
}
