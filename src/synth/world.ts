// The simulated system's VM state and its reference counting, with
// DragonFly's semantics (dragonfly-source-notes.md sections 4 and 5):
//
// - each map entry holds one reference on its object, each shadow one on its
//   backing object; vnode objects stay with their vnode when their count
//   reaches 0, anonymous objects are terminated and drop their backing's
//   reference (a cascade inside the same vm_object_deallocate call);
// - vm_object_shadow (first write to a copy-on-write entry) moves the entry's
//   reference to the new shadow's backing pointer: the source's count does not
//   change; a private anonymous object with one reference needs no shadow;
// - vm_map_split (fork) adds the child entry's reference;
// - an anonymous object dropping from 2 to 1 with exactly one shadow collapses
//   that shadow into itself (vm_object_deallocate_locked's collapse path);
// - shadow lists: every shadow in the old kernel, none on vnode objects in the
//   new one (501747bf), which is what `shadowed` at depth 0 reports.
//
// The trace logs one event per operation: `obj_ref` for references taken or
// dropped on their own, `map_split` and `obj_shadow` without the references
// inside them, `obj_collapse` for each look vm_object_collapse takes; the
// references of load_section and of cascades are implied. `ref` on every
// event is the count the kernel would have had at that instant.

import type { Emitter } from './emit.js';
import type { Library } from './images.js';
import { ObjectZone, PG_RESIDENT, PG_SWAP, pageBits, SimObject } from './objects.js';
import { AddressSpace, BLOCK, type SimMapEntry, Process, type Thread, type ThreadBody } from './process.js';
import type { Rng } from './rng.js';
import type { Scheduler } from './sched.js';

export type KernelVersion = 'old' | 'new';

export class World {
  readonly zone = new ObjectZone();
  /** vnode objects by path: they live as long as the (always cached) vnode */
  readonly vnodes = new Map<string, SimObject>();
  readonly vnodeList: SimObject[] = [];
  /** live processes */
  readonly procs: Process[] = [];
  private readonly pids = new Set<number>();
  private nextPid = 1000;

  constructor(
    readonly rng: Rng,
    readonly emit: Emitter,
    readonly sched: Scheduler,
    /** the kernel the trace is "captured" on */
    readonly kernel: KernelVersion,
  ) {}

  /**
   * Kernel work of lo..hi ns, for a thread to yield: every step of an
   * operation is a scheduling point, so all CPUs act in time order and each
   * event records the state at its own timestamp.
   */
  cost(lo: number, hi: number): number {
    return Math.round(this.rng.between(lo, hi));
  }

  /** A kernel operation starts: until it ends, the thread must run even while the trace is ending. */
  beginOp(t: Thread): void {
    t.ops++;
  }

  endOp(t: Thread): void {
    t.ops--;
  }

  /**
   * The map lock: fork holds it exclusively while it copies the map; a fault
   * or an munmap of another thread waits for it (a snapshot of the entries
   * must not see them change under it).
   */
  *lockMap(t: Thread, space: AddressSpace): ThreadBody {
    yield* this.waitMap(t, space);
    space.lockedBy = t;
  }

  *waitMap(t: Thread, space: AddressSpace): ThreadBody {
    while (space.lockedBy && space.lockedBy !== t) {
      space.lockWaiters.push(t);
      yield BLOCK;
    }
  }

  unlockMap(t: Thread, space: AddressSpace): void {
    space.lockedBy = null;
    for (const waiter of space.lockWaiters.splice(0)) this.sched.wake(waiter, t.cpu.now + this.cost(500, 2_000));
  }

  // ---- objects ----

  /** The vnode object of a file, created with `warm` of its pages in the page cache. */
  vnode(path: string, pages: number, warm: number): SimObject {
    let v = this.vnodes.get(path);
    if (v) return v;
    v = new SimObject(this.zone.alloc(), 'vnode', path, pages);
    for (let p = 0; p < pages; p++) if (warm >= 1 || this.rng.chance(warm)) v.setPage(p, PG_RESIDENT);
    this.vnodes.set(path, v);
    this.vnodeList.push(v);
    return v;
  }

  /** A file is removed: its vnode, and the object with it, go once nothing maps it. */
  forgetVnode(path: string): void {
    const v = this.vnodes.get(path);
    if (!v || v.ref > 0) return;
    this.vnodes.delete(path);
    const i = this.vnodeList.indexOf(v);
    this.vnodeList[i] = this.vnodeList[this.vnodeList.length - 1]!;
    this.vnodeList.pop();
    this.emit.forget(v);
    this.terminate(v);
  }

  imageObject(image: Library & { warm?: number }): SimObject {
    return this.vnode(image.path, image.textPages + image.dataPages, image.warm ?? 1);
  }

  /** A new anonymous (OBJT_DEFAULT) object with one reference. */
  anon(): SimObject {
    const o = new SimObject(this.zone.alloc(), 'default', null, 0);
    o.ref = 1;
    return o;
  }

  private terminate(o: SimObject): void {
    o.alive = false;
    o.ref = 0;
    o.pages.clear();
    o.backing = null;
    this.zone.release(o.addr);
  }

  /** Whether the captured kernel puts a shadow of `backing` on its shadow list. */
  private tracksShadows(backing: SimObject): boolean {
    return backing.anonymous || this.kernel === 'old';
  }

  private link(shadow: SimObject, backing: SimObject): void {
    shadow.backing = backing;
    shadow.onShadowList = this.tracksShadows(backing);
    if (shadow.onShadowList) backing.shadows.add(shadow);
  }

  private unlink(shadow: SimObject): void {
    if (shadow.onShadowList) shadow.backing?.shadows.delete(shadow);
    shadow.onShadowList = false;
  }

  // ---- reference counting ----

  /** A reference taken on its own (mmap, fork of a shared entry): logged. */
  reference(t: Thread, o: SimObject, site: string): void {
    this.emit.objRef(t, o, o.ref, 1, site);
    o.ref++;
  }

  /** vm_object_deallocate: logged, then the kernel's locked logic. */
  *deallocate(t: Thread, o: SimObject, site: string): ThreadBody {
    this.emit.objRef(t, o, o.ref, -1, site);
    yield* this.drop(t, o);
  }

  /** One reference goes away (vm_object_deallocate_locked's loop). */
  private *drop(t: Thread, first: SimObject): ThreadBody {
    for (let o: SimObject | null = first; o; ) {
      if (o.ref <= 0) throw new Error(`reference count of ${o.addr.toString(16)} would go negative`);
      if (!o.anonymous) {
        o.ref--; // a vnode object stays with its vnode at 0
        return;
      }
      if (o.ref === 2 && o.shadows.size === 1) {
        const temp = o.shadows.values().next().value!;
        o.ref--;
        // A shadow a fault is walking is chain-locked: the kernel skips the collapse.
        if (temp.anonymous && temp.backing === o && temp.walkers === 0 && o.walkers === 0) {
          yield this.cost(300, 900);
          yield* this.collapse(t, temp);
        }
        return;
      }
      if (o.ref > 1) {
        o.ref--;
        return;
      }
      // 1 -> 0: off the backing object's shadow list, terminated, and the
      // reference it held on its backing object goes too.
      const backing: SimObject | null = o.backing;
      this.unlink(o);
      this.terminate(o);
      o = backing;
    }
  }

  /**
   * vm_object_collapse(obj): each pass looks at obj's backing object; one
   * with no other reference is merged into obj (its pages move up, obj takes
   * over its backing pointer), anything else stops the loop.
   */
  private *collapse(t: Thread, obj: SimObject): ThreadBody {
    for (;;) {
      const b = obj.backing;
      if (!b || b.walkers > 0) return;
      if (!b.anonymous || b.ref !== 1) {
        this.emit.objCollapse(t, obj, b, null, 'none');
        return;
      }
      const bb = b.backing;
      this.emit.objCollapse(t, obj, b, bb, 'collapse');
      for (const [p, w] of b.pages) {
        const q = p - obj.backingOffset;
        if (q < 0 || obj.pages.has(q)) continue;
        obj.pages.set(q, w);
        if (pageBits(w) & PG_SWAP) obj.type = 'swap';
        if (q >= obj.size) obj.size = q + 1;
      }
      this.unlink(obj);
      if (bb) {
        // b's reference on bb moves to obj
        this.unlink(b);
        obj.backingOffset += b.backingOffset;
        this.link(obj, bb);
      } else {
        obj.backing = null;
        obj.backingOffset = 0;
      }
      b.ref = 0;
      this.terminate(b);
      yield this.cost(500, 3000);
    }
  }

  /**
   * vm_object_shadow from vm_map_lookup: the first write through a
   * copy-on-write entry puts a new anonymous object in front of the entry's.
   */
  shadow(t: Thread, entry: SimMapEntry): void {
    const source = entry.object!;
    entry.needsCopy = false;
    if (source.anonymous && source.ref === 1) return; // sole user: no shadow needed
    const s = this.anon();
    s.backingOffset = entry.offset;
    this.link(s, source);
    entry.object = s;
    entry.offset = 0;
    this.emit.objShadow(t, s, source, 'vm_map_lookup');
  }

  /** vm_map_split for fork: the child's entry references the same object; both copy on write. */
  split(t: Thread, entry: SimMapEntry): SimMapEntry {
    const o = entry.object;
    if (o) {
      this.emit.mapSplit(t, o);
      o.ref++;
    }
    entry.needsCopy = true;
    return entry.clone();
  }

  // ---- processes ----

  private allocPid(): number {
    for (;;) {
      const pid = this.nextPid;
      this.nextPid = pid >= 99_999 ? 1000 : pid + 1;
      if (!this.pids.has(pid)) return pid;
    }
  }

  newSpace(): AddressSpace {
    return new AddressSpace(this.anon());
  }

  newProcess(parent: Process | null, comm: string): Process {
    const p = new Process(this.allocPid(), comm, this.newSpace(), parent);
    this.pids.add(p.pid);
    p.liveIndex = this.procs.length;
    this.procs.push(p);
    if (parent) parent.children++;
    return p;
  }

  /** The process is gone (after its exit was logged): forget it. */
  reapProcess(p: Process): void {
    const last = this.procs.pop()!;
    if (last !== p) {
      this.procs[p.liveIndex] = last;
      last.liveIndex = p.liveIndex;
    }
    p.liveIndex = -1;
    this.pids.delete(p.pid);
    this.terminate(p.space.pteobj);
  }

  /** Every entry's reference dropped (exec and exit tear down the old image). */
  *teardown(t: Thread, space: AddressSpace): ThreadBody {
    const entries = space.entries;
    space.clear();
    for (const e of entries) {
      if (e.object) yield* this.deallocate(t, e.object, 'vm_map_delete');
      yield this.cost(200, 900);
    }
  }

  /** A library as ld-elf.so.2 maps it: text and data of the file (two mmaps), then anonymous bss. */
  *mapLibrary(t: Thread, space: AddressSpace, lib: Library): ThreadBody {
    const v = this.imageObject(lib);
    const start = space.reserve(lib.textPages + lib.dataPages + lib.bssPages);
    this.reference(t, v, 'vnode_pager_reference');
    space.add(`${lib.path}:text`, 'text', start, lib.textPages, v, 0, false, false);
    yield this.cost(1500, 4000);
    this.reference(t, v, 'vnode_pager_reference');
    space.add(`${lib.path}:data`, 'data', start + lib.textPages, lib.dataPages, v, lib.textPages, true, false);
    space.add(`${lib.path}:bss`, 'bss', start + lib.textPages + lib.dataPages, lib.bssPages, null, 0, true, false);
    yield this.cost(1500, 4000);
  }
}
