// The BSD view of Linux memory the perf reader keeps: VM objects (a VNODE per
// file, DEFAULT objects for private anonymous memory and for copy-on-write
// shadows), the map entries of each address space, and what a DragonFly
// kernel does to them on mmap, the first write to a copy-on-write entry, fork,
// exec and exit. The reference, shadow, split and collapse operations such a
// kernel would log are reported through VmLog; nothing here writes events.

import { type Address, anonAddress, specialAddress, vnodeAddress, vnodeAddressByPath } from './addresses.js';

export type ObjKind = 'default' | 'swap' | 'vnode' | 'device';

export const PAGE_SIZE = 4096;

export class VmObject {
  backing: VmObject | null = null;
  /** map entries that point at the object */
  entryRefs = 0;
  /** objects whose backing object this is (BSD's shadow list) */
  readonly shadows: VmObject[] = [];
  /** resident pages (object page index) of anonymous memory; files use the fault's major/minor instead */
  readonly pages: Set<number> | null;
  /** an obj_name event was written for it */
  named = false;
  /** DEFAULT or SWAP: anonymous memory (a kind that never changes between file and anonymous) */
  readonly anonymous: boolean;

  constructor(
    readonly addr: Address,
    public kind: ObjKind,
    /** path of a file, name of a kernel-provided mapping */
    readonly name: string | null,
  ) {
    this.anonymous = kind === 'default' || kind === 'swap';
    this.pages = this.anonymous ? new Set() : null;
  }

  /** ref_count as BSD counts it: map entries plus shadows (references from outside the trace are unknown) */
  get refs(): number {
    return this.entryRefs + this.shadows.length;
  }
}

export class MapEntry {
  constructor(
    public start: number,
    public end: number,
    /** byte offset of `start` in the object (Linux pgoff; for anonymous memory, address based) */
    public offset: number,
    readonly shared: boolean,
    /** the file (or kernel-provided object) mapped; null for anonymous memory */
    readonly file: VmObject | null,
    /** what the mapping is: a path, [stack], [heap], //anon, [vdso] */
    readonly label: string,
    /** the entry's first object: the file, a shadow in front of it, or anonymous memory (null until touched) */
    public object: VmObject | null,
    /** BSD MAP_ENTRY_NEEDS_COPY: the next write fault shadows `object` first */
    public needsCopy: boolean,
    /** made up for a fault outside every known mapping */
    readonly implicit = false,
  ) {}

  /** Private file or anonymous memory: written pages are copies (BSD MAP_ENTRY_COW). */
  get copyOnWrite(): boolean {
    return !this.shared && (this.file === null || this.file.kind === 'vnode');
  }

  get growsDown(): boolean {
    return this.label === '[stack]';
  }

  pageIndex(va: number): number {
    return Math.floor((this.offset + va - this.start) / PAGE_SIZE);
  }

  /** The part [start, end) of this entry, mapping the same object. */
  piece(start: number, end: number): MapEntry {
    return new MapEntry(start, end, this.offset + start - this.start, this.shared, this.file, this.label, this.object, this.needsCopy, this.implicit);
  }
}

/** The operations a BSD kernel would log. `before` is ref_count before the change. */
export interface VmLog {
  reference(o: VmObject, before: number): void;
  deallocate(o: VmObject, before: number): void;
  shadow(shadow: VmObject, source: VmObject): void;
  split(o: VmObject): void;
  collapse(into: VmObject, gone: VmObject, behind: VmObject | null): void;
}

/** The map entries of one address space, sorted by start address. */
export class AddressSpace {
  readonly entries: MapEntry[] = [];

  find(va: number): MapEntry | null {
    const i = this.firstEndingAfter(va);
    const e = this.entries[i];
    return e && e.start <= va ? e : null;
  }

  /** The first entry that starts above va (where a stack would grow down from). */
  above(va: number): MapEntry | null {
    const i = this.firstEndingAfter(va);
    const e = this.entries[i];
    return e && e.start > va ? e : null;
  }

  /** Index of the first entry whose end is above va. */
  firstEndingAfter(va: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.end <= va) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Every object of a run: files by identity, anonymous objects by number. */
export class ObjectTable {
  private readonly files = new Map<string, VmObject>();
  private anonCount = 0;

  /** The VNODE object of a file, by device and inode. */
  vnode(major: number, minor: number, ino: number, path: string): VmObject {
    const key = `${major}:${minor}:${ino}`;
    let o = this.files.get(key);
    if (!o) this.files.set(key, (o = new VmObject(vnodeAddress(major, minor, ino), 'vnode', path)));
    return o;
  }

  /** The VNODE object of a file known only by its path. */
  vnodeByPath(path: string): VmObject {
    const key = `path:${path}`;
    let o = this.files.get(key);
    if (!o) this.files.set(key, (o = new VmObject(vnodeAddressByPath(path), 'vnode', path)));
    return o;
  }

  /** The object behind a kernel-provided mapping ([vdso], [vvar]): one per name, never copied. */
  special(name: string): VmObject {
    const key = `special:${name}`;
    let o = this.files.get(key);
    if (!o) this.files.set(key, (o = new VmObject(specialAddress(name), 'device', name)));
    return o;
  }

  anon(): VmObject {
    return new VmObject(anonAddress(++this.anonCount), 'default', null);
  }
}

export class VmModel {
  readonly objects = new ObjectTable();

  constructor(private readonly log: VmLog) {}

  /**
   * A new mapping (an mmap, brk, or mprotect record). Entries it overlaps are
   * clipped or removed. A record that continues an entry (same file or both
   * anonymous, same sharing, offsets in step) is the same Linux VMA with a new
   * protection or size: it keeps that entry's object, so its copy-on-write
   * shadow and resident pages stay.
   */
  map(space: AddressSpace, entry: MapEntry): void {
    const list = space.entries;
    const from = space.firstEndingAfter(entry.start);
    let to = from;
    while (to < list.length && list[to]!.start < entry.end) to++;
    const kept: MapEntry[] = [];
    let inherited = false;
    for (let k = from; k < to; k++) {
      const old = list[k]!;
      const left = old.start < entry.start ? old.piece(old.start, entry.start) : null;
      const right = old.end > entry.end ? old.piece(entry.end, old.end) : null;
      const same = !inherited && old.object !== null && continues(old, entry);
      if (same) {
        entry.object = old.object;
        entry.needsCopy = old.needsCopy;
        inherited = true;
      }
      if (left) kept.push(left);
      if (right) kept.push(right);
      // The old entry's one reference covers its first surviving holder; each other holder takes one more.
      const holders = (left ? 1 : 0) + (right ? 1 : 0) + (same ? 1 : 0);
      if (old.object) {
        if (holders === 0) this.release(old.object);
        for (let h = 1; h < holders; h++) this.reference(old.object);
      }
    }
    if (!inherited && entry.object) this.reference(entry.object);
    kept.push(entry);
    kept.sort((a, b) => a.start - b.start);
    list.splice(from, to - from, ...kept);
  }

  /** Grow a stack entry down to cover `page` (Linux does this without a record). */
  growDown(entry: MapEntry, page: number): void {
    entry.offset -= entry.start - page;
    entry.start = page;
  }

  /** The object of an anonymous entry touched for the first time (vm_map_entry_allocate_object: nothing logged). */
  allocate(entry: MapEntry): VmObject {
    const o = this.objects.anon();
    o.entryRefs = 1;
    entry.object = o;
    return o;
  }

  /**
   * A write fault on a NEEDS_COPY entry (vm_map_lookup -> vm_object_shadow):
   * a DEFAULT shadow goes in front of the entry's object, unless that object is
   * anonymous and this entry is its only user (BSD then keeps writing into it).
   */
  copyOnWrite(entry: MapEntry): VmObject | null {
    const source = entry.object!;
    entry.needsCopy = false;
    if (source.anonymous && source.refs === 1) return null;
    const shadow = this.objects.anon();
    shadow.backing = source;
    shadow.entryRefs = 1;
    source.shadows.push(shadow);
    source.entryRefs--; // the entry's reference is now the shadow's
    entry.object = shadow;
    this.log.shadow(shadow, source);
    return shadow;
  }

  /**
   * fork (vmspace_fork): shared entries take one more reference; private ones
   * with an object go through vm_map_split and become copy-on-write in both.
   */
  fork(parent: AddressSpace): AddressSpace {
    const child = new AddressSpace();
    for (const e of parent.entries) {
      const copy = e.piece(e.start, e.end);
      const o = e.object;
      if (o) {
        if (!e.copyOnWrite) {
          this.reference(o);
        } else {
          this.log.split(o);
          o.entryRefs++; // taken inside vm_map_split: no separate reference event
          e.needsCopy = true;
          copy.needsCopy = true;
        }
      }
      child.entries.push(copy);
    }
    return child;
  }

  /** exec or exit: every entry's object loses the entry's reference. */
  teardown(space: AddressSpace): void {
    for (const e of space.entries) if (e.object) this.release(e.object);
    space.entries.length = 0;
  }

  private reference(o: VmObject): void {
    this.log.reference(o, o.refs);
    o.entryRefs++;
  }

  private release(o: VmObject): void {
    this.log.deallocate(o, o.refs);
    o.entryRefs--;
    this.settle(o);
  }

  /**
   * After a reference is dropped: an anonymous object nobody uses is
   * terminated (its backing object loses a reference); one that only a single
   * shadow still uses is collapsed into that shadow, as vm_object_deallocate
   * does, so chains stay as short as a BSD kernel keeps them.
   */
  private settle(o: VmObject): void {
    if (!o.anonymous) return; // files stay cached
    if (o.refs === 0) {
      const b = o.backing;
      if (!b) return;
      this.log.deallocate(b, b.refs);
      remove(b.shadows, o);
      o.backing = null;
      this.settle(b);
    } else if (o.entryRefs === 0 && o.shadows.length === 1) {
      const into = o.shadows[0]!;
      for (const p of o.pages!) into.pages!.add(p);
      into.backing = o.backing;
      if (o.backing) o.backing.shadows[o.backing.shadows.indexOf(o)] = into;
      o.shadows.length = 0;
      o.backing = null;
      this.log.collapse(into, o, into.backing);
    }
  }
}

/** The new record is the same VMA as `old`, with another protection or size. */
function continues(old: MapEntry, next: MapEntry): boolean {
  return old.file === next.file && old.shared === next.shared && next.offset - old.offset === next.start - old.start;
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}
