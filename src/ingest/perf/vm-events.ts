// The events a DragonFly kernel would log for what the VM model infers:
// obj_ref, obj_shadow, map_split, obj_collapse, plus obj_name for each file
// the first time it is mapped. Every one is marked `inferred=event,...`: a
// Linux trace implies these operations but never logs them.

import { type EventOut, KEY, OTYPE, WORD, inferred } from './emit.js';
import type { VmLog, VmObject } from './vm-model.js';

const SITE_REFERENCE = 'vm_object_reference';
const SITE_DEALLOCATE = 'vm_object_deallocate';
const SITE_SHADOW = 'vm_object_shadow';

const INF_EVENT = inferred('event');
const INF_REF = inferred('event', 'ref');
/** an anonymous object's identity and type are the model's, not observed */
const INF_ANON = inferred('obj', 'otype');

export class VmEvents implements VmLog {
  private tid = -1;

  constructor(private readonly out: EventOut) {}

  /** The thread the next events belong to. */
  actor(tid: number): void {
    this.tid = tid;
  }

  /** Run `body` with its events attributed to thread `tid` (a fork's copy made on another thread's line). */
  asThread(tid: number, body: () => void): void {
    const saved = this.tid;
    this.tid = tid;
    try {
      body();
    } finally {
      this.tid = saved;
    }
  }

  /** obj_name for a file the first time it is seen. */
  name(o: VmObject, nameInferred = false): void {
    if (o.named || o.name === null) return;
    o.named = true;
    this.start('obj_name')
      .hex(KEY.obj, o.addr.hi, o.addr.lo)
      .word(KEY.otype, OTYPE[o.kind])
      .str(KEY.name, o.name)
      .int(KEY.tid, this.tid)
      .inferred(nameInferred ? inferred('name') : 0)
      .end();
  }

  reference(o: VmObject, before: number): void {
    this.ref(o, before, 1, SITE_REFERENCE);
  }

  deallocate(o: VmObject, before: number): void {
    this.ref(o, before, -1, SITE_DEALLOCATE);
  }

  shadow(shadow: VmObject, source: VmObject): void {
    this.start('obj_shadow')
      .int(KEY.tid, this.tid)
      .hex(KEY.obj, shadow.addr.hi, shadow.addr.lo)
      .hex(KEY.source, source.addr.hi, source.addr.lo)
      .word(KEY.stype, OTYPE[source.kind])
      .word(KEY.site, SITE_SHADOW_BYTES)
      .inferred(INF_EVENT | inferred('obj') | (source.anonymous ? inferred('source', 'stype') : 0))
      .end();
  }

  split(o: VmObject): void {
    this.start('map_split')
      .int(KEY.tid, this.tid)
      .hex(KEY.obj, o.addr.hi, o.addr.lo)
      .word(KEY.otype, OTYPE[o.kind])
      .inferred(INF_EVENT | (o.anonymous ? INF_ANON : 0))
      .end();
  }

  collapse(into: VmObject, gone: VmObject, behind: VmObject | null): void {
    const e = this.start('obj_collapse')
      .int(KEY.tid, this.tid)
      .hex(KEY.obj, into.addr.hi, into.addr.lo)
      .hex(KEY.backing, gone.addr.hi, gone.addr.lo)
      .word(KEY.btype, OTYPE[gone.kind]);
    if (behind) e.hex(KEY.bbobj, behind.addr.hi, behind.addr.lo).word(KEY.bbtype, OTYPE[behind.kind]);
    e.word(KEY.case, WORD.collapse)
      .inferred(INF_EVENT | inferred('obj', 'btype', 'case') | (behind ? inferred('bbobj', 'bbtype') : 0))
      .end();
  }

  private ref(o: VmObject, before: number, delta: 1 | -1, site: string): void {
    this.start('obj_ref')
      .int(KEY.tid, this.tid)
      .hex(KEY.obj, o.addr.hi, o.addr.lo)
      .word(KEY.otype, OTYPE[o.kind])
      .int(KEY.ref, before)
      .int(KEY.delta, delta)
      .word(KEY.site, site === SITE_REFERENCE ? SITE_REFERENCE_BYTES : SITE_DEALLOCATE_BYTES)
      .inferred(INF_REF | (o.anonymous ? INF_ANON : 0))
      .end();
  }

  private start(name: Parameters<EventOut['event']>[0]): EventOut {
    return this.out.event(name);
  }
}

const SITE_REFERENCE_BYTES = Buffer.from(SITE_REFERENCE, 'latin1');
const SITE_DEALLOCATE_BYTES = Buffer.from(SITE_DEALLOCATE, 'latin1');
const SITE_SHADOW_BYTES = Buffer.from(SITE_SHADOW, 'latin1');
