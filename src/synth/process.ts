// Processes, threads, the CPUs they run on and address spaces of the simulated system: what a
// process maps (map entries over VM objects, in pages), which of its pages its
// pmap currently maps, and which page-table pages it has.

import type { SimObject } from './objects.js';

export const PAGE_SHIFT = 12;
/** Pages one page-table page maps (2 MiB on x86_64). */
export const PT_SHIFT = 9;

/** VA 0x800000000, where ld-elf.so.2 starts placing libraries */
const MMAP_BASE = 0x800000;

export type EntryKind = 'text' | 'data' | 'bss' | 'heap' | 'stack' | 'file' | 'shm';

export class SimMapEntry {
  constructor(
    /** what the workload calls it ('text', '/lib/libc.so.7:data', ...) */
    readonly name: string,
    readonly kind: EntryKind,
    /** first virtual page number */
    readonly start: number,
    public pages: number,
    public object: SimObject | null,
    /** page index in `object` of the entry's first page */
    public offset: number,
    readonly writable: boolean,
    /** MAP_SHARED: inherited shared by fork, never copy-on-write */
    readonly shared: boolean,
    /** copy-on-write still pending: the first write shadows the object */
    public needsCopy: boolean,
  ) {}

  contains(vpn: number): boolean {
    return vpn >= this.start && vpn < this.start + this.pages;
  }

  /** Page index in `object` of virtual page `vpn`. */
  pindex(vpn: number): number {
    return this.offset + (vpn - this.start);
  }

  clone(): SimMapEntry {
    return new SimMapEntry(this.name, this.kind, this.start, this.pages, this.object, this.offset, this.writable, this.shared, this.needsCopy);
  }
}

export class AddressSpace {
  entries: SimMapEntry[] = [];
  private readonly byName = new Map<string, SimMapEntry>();
  /** pmap: vpn -> mappedAt * 2 + writable (a mapping made later than `now` does not exist yet) */
  mapped = new Map<number, number>();
  /** 2 MiB regions that have a page-table page */
  ptPages = new Set<number>();
  /** next free virtual page for mmap */
  mmapNext = MMAP_BASE;
  /** the thread holding the map lock exclusively (fork), and the threads waiting for it */
  lockedBy: Thread | null = null;
  readonly lockWaiters: Thread[] = [];

  constructor(
    /** the pmap's page-table object (pm_pteobj) */
    public pteobj: SimObject,
  ) {}

  /** Map an entry (a private file mapping or copy starts copy-on-write). */
  add(name: string, kind: EntryKind, start: number, pages: number, object: SimObject | null, offset: number, writable: boolean, shared: boolean): SimMapEntry {
    return this.insert(new SimMapEntry(name, kind, start, pages, object, offset, writable, shared, object !== null && !shared));
  }

  insert(e: SimMapEntry): SimMapEntry {
    this.entries.push(e);
    this.byName.set(e.name, e);
    return e;
  }

  remove(e: SimMapEntry): void {
    const i = this.entries.indexOf(e);
    if (i >= 0) this.entries.splice(i, 1);
    if (this.byName.get(e.name) === e) this.byName.delete(e.name);
    this.unmapEntry(e);
  }

  get(name: string): SimMapEntry | undefined {
    return this.byName.get(name);
  }

  /** Nothing mapped any more (exec's new image starts from here). */
  clear(): void {
    this.entries = [];
    this.byName.clear();
    this.mapped.clear();
    this.ptPages.clear();
    this.mmapNext = MMAP_BASE;
  }

  /** Whether an access needs no fault: mapped (writable for a write) as of `now`. */
  isMapped(vpn: number, write: boolean, now: number): boolean {
    const m = this.mapped.get(vpn);
    if (m === undefined) return false;
    if (Math.floor(m / 2) > now) return false;
    return !write || m % 2 === 1;
  }

  map(vpn: number, writable: boolean, at: number): void {
    this.mapped.set(vpn, Math.round(at) * 2 + (writable ? 1 : 0));
  }

  /** Fork write-protects every copy-on-write page so the next write faults. */
  writeProtect(entry: SimMapEntry): void {
    if (this.mapped.size < entry.pages) {
      for (const [vpn, m] of this.mapped) if (m % 2 === 1 && entry.contains(vpn)) this.mapped.set(vpn, m - 1);
      return;
    }
    for (let vpn = entry.start; vpn < entry.start + entry.pages; vpn++) {
      const m = this.mapped.get(vpn);
      if (m !== undefined && m % 2 === 1) this.mapped.set(vpn, m - 1);
    }
  }

  unmapEntry(entry: SimMapEntry): void {
    if (this.mapped.size < entry.pages) {
      for (const vpn of this.mapped.keys()) if (entry.contains(vpn)) this.mapped.delete(vpn);
      return;
    }
    for (let vpn = entry.start; vpn < entry.start + entry.pages; vpn++) this.mapped.delete(vpn);
  }

  /** Reserve `pages` of address space for mmap, 2 MiB aligned like ld-elf.so.2's placements. */
  reserve(pages: number): number {
    const start = this.mmapNext;
    this.mmapNext = start + (((pages >> PT_SHIFT) + 1) << PT_SHIFT);
    return start;
  }
}

/** Thread states, for the scheduler. */
export const enum ThreadState {
  Ready,
  Running,
  Sleeping,
  Blocked,
  Done,
}

/** A thread's coroutine yields CPU time in ns (>= 0), SLEEP or BLOCK. */
export type ThreadBody = Generator<number, void, void>;
export const SLEEP = -1;
export const BLOCK = -2;

export class Thread {
  body: ThreadBody | null = null;
  state = ThreadState.Ready;
  /** CPU it runs on (or last ran on): kernel code reads the time from it */
  cpu: Cpu;
  /** when it may run again (ready) or wakes (sleeping) */
  readyAt = 0;
  /** depth of kernel operations in progress (they must finish before the trace ends) */
  ops = 0;
  /** inside vm_fault */
  inFault = false;
  /** the fault in progress began before the trace window: log nothing more of it */
  muted = false;

  constructor(
    readonly tid: number,
    readonly proc: Process,
    cpu: Cpu,
  ) {
    this.cpu = cpu;
  }
}

export class Process {
  readonly threads: Thread[] = [];
  /** live children and exited children not yet reaped */
  children = 0;
  zombies = 0;
  /** a thread blocked in wait4 */
  waiter: Thread | null = null;
  exited = false;
  /** index in the world's live-process list */
  liveIndex = -1;
  private lwps = 0;

  constructor(
    readonly pid: number,
    public comm: string,
    public space: AddressSpace,
    public parent: Process | null,
  ) {}

  /** Thread ids as the fixtures write them: pid * 1000 + 100 + lwp number. */
  newThread(cpu: Cpu): Thread {
    const t = new Thread(this.pid * 1000 + 100 + this.lwps++, this, cpu);
    this.threads.push(t);
    return t;
  }

  get nthreads(): number {
    return this.threads.length;
  }
}

/** A CPU of the simulated machine: its own clock and run queue (the scheduler drives it). */
export class Cpu {
  /** this CPU's clock, ns */
  now = 0;
  current: Thread | null = null;
  readonly queue: Thread[] = [];
  sliceStart = 0;
  /** when the current step started (a thread yields after running ahead of it for long) */
  stepStart = 0;

  constructor(readonly id: number) {}

  get load(): number {
    return this.queue.length + (this.current ? 1 : 0);
  }
}
