// One Linux page fault as the vocabulary's fault_begin / fault_obj... /
// fault_end. The fault entry tracepoint opens it (fault_begin: address and
// x86 error code, observed); the minor-faults or major-faults sample of the
// same thread closes it, and only then is the object chain walked, on the VM
// model: what a DragonFly vm_fault would have examined for that address, with
// the page state taken from what Linux observed (error code present bit,
// major vs minor) and from the model's resident pages.

import { FaultFlag } from '../../events/vocabulary.js';
import { type EventOut, KEY, OTYPE, WORD, inferred } from './emit.js';
import type { Proc } from './processes.js';
import type { VmEvents } from './vm-events.js';
import { MapEntry, PAGE_SIZE, type VmModel, type VmObject } from './vm-model.js';

/** x86 page fault error code bits (arch/x86/include/asm/trap_pf.h). */
export const PF = { PROT: 0x1, WRITE: 0x2, USER: 0x4, INSTR: 0x10, PK: 0x20 } as const;

/** How far below its mapping a fault still grows the stack (Linux's default RLIMIT_STACK). */
const STACK_LIMIT = 8 << 20;

/** KERN_FAILURE: the fault never reached fault accounting (the kernel gave up or fixed it up). */
const RC_UNACCOUNTED = 5;

export interface FaultStart {
  readonly tid: number;
  readonly pid: number;
  /** the line did not carry the pid: the thread's process as far as the records tell */
  readonly pidInferred: boolean;
  readonly proc: Proc;
  readonly ts: number;
  readonly cpu: number;
  readonly va: number;
  readonly vaHi: number;
  readonly vaLo: number;
  readonly error: number;
  /** exceptions:page_fault_user (else a kernel-mode fault on a user address) */
  readonly user: boolean;
  readonly comm: string;
}

/** The file a fault read through (filemap:mm_filemap_fault). */
export interface FileHit {
  major: number;
  minor: number;
  ino: number;
  offset: number;
}

/** A fault between its entry and its accounting sample. */
export class OpenFault implements FaultStart {
  /** set when filemap reports the file the fault read */
  file: FileHit | null = null;
  /** the kernel handler a call chain named (do_anonymous_page, filemap_fault, wp_page_copy...) */
  site: string | null = null;
  constructor(
    readonly tid: number,
    readonly pid: number,
    readonly pidInferred: boolean,
    readonly proc: Proc,
    readonly ts: number,
    readonly cpu: number,
    readonly va: number,
    readonly vaHi: number,
    readonly vaLo: number,
    readonly error: number,
    readonly user: boolean,
    readonly comm: string,
  ) {}
}

const INF_BEGIN = inferred('fflags', 'nthreads', 'maptype', 'wired');
const INF_PID = inferred('pid');
/** what the model adds to every level: the links and counts of a BSD chain */
const INF_LEVEL = inferred('backing', 'ref');
const INF_SHADOWED = inferred('shadowed');
/** below depth 0 a level's place is the modelled chain's */
const INF_DEPTH = inferred('depth');
/** anonymous levels: the object and its page state are the model's */
const INF_ANON_LEVEL = inferred('obj', 'otype', 'page');
/** the file has the page (its pager would find it) */
const INF_PAGER = inferred('pager');
/** a level of a mapping the trace never showed */
const INF_GUESSED = inferred('obj', 'otype');
const INF_END = inferred('depth', 'action');
const INF_IO_NS = inferred('io_ns');
const INF_RC = inferred('rc');

export class FaultMapper {
  private readonly open = new Map<number, OpenFault>();
  /** scratch: the object chain of the fault being walked */
  private readonly chain: VmObject[] = [];
  /** counters for the file's notes */
  begun = 0;
  completed = 0;
  unaccounted = 0;
  major = 0;
  implicitMappings = 0;
  stackGrowth = 0;
  /** faults on a page Linux had mapped but no earlier fault put in the model */
  assumedResident = 0;
  orphanAccounting = 0;

  constructor(
    private readonly out: EventOut,
    private readonly model: VmModel,
    private readonly vm: VmEvents,
  ) {}

  begin(f: OpenFault): void {
    this.close(f.tid);
    this.begun++;
    this.open.set(f.tid, f);
    const write = (f.error & PF.WRITE) !== 0;
    const flags = (f.user ? FaultFlag.BURST : 0) | (write ? FaultFlag.DIRTY : 0);
    this.out
      .event('fault_begin')
      .int(KEY.tid, f.tid)
      .int(KEY.pid, f.pid)
      .hex(KEY.va, f.vaHi, f.vaLo)
      .word(KEY.ftype, write ? WORD.W : f.error & PF.INSTR ? WORD.X : WORD.R)
      .int(KEY.fflags, flags)
      .int(KEY.nthreads, Math.max(1, f.proc.threads.size))
      .word(KEY.map, WORD.user)
      .word(KEY.maptype, WORD.normal)
      .int(KEY.wired, 0)
      .str(KEY.comm, f.comm)
      .inferred(INF_BEGIN | (f.pidInferred ? INF_PID : 0))
      .end();
  }

  /** filemap:mm_filemap_fault inside the thread's fault: which file page it read. */
  file(tid: number, hit: FileHit): boolean {
    const f = this.open.get(tid);
    if (!f) return false;
    f.file = hit;
    return true;
  }

  /** A call chain named the kernel handler of the thread's open fault (the innermost one named wins). */
  site(tid: number, site: string): boolean {
    const f = this.open.get(tid);
    if (!f) return false;
    f.site ??= site;
    return true;
  }

  /** The minor-faults / major-faults sample that ends the thread's fault. */
  complete(tid: number, major: boolean, ts: number): boolean {
    const f = this.open.get(tid);
    if (!f) {
      this.orphanAccounting++;
      return false;
    }
    this.open.delete(tid);
    this.completed++;
    if (major) this.major++;
    this.walk(f, major, ts);
    return true;
  }

  /** The thread does something else (a new fault, exec, exit): an open fault ended without accounting. */
  close(tid: number): void {
    const f = this.open.get(tid);
    if (!f) return;
    this.open.delete(tid);
    this.unaccounted++;
    this.out.event('fault_end').int(KEY.tid, tid).int(KEY.rc, RC_UNACCOUNTED).inferred(INF_RC).end();
  }

  /** Faults still open at the end of the trace (left open: the replay counts them as truncated). */
  get stillOpen(): number {
    return this.open.size;
  }

  private walk(f: OpenFault, major: boolean, ts: number): void {
    const write = (f.error & PF.WRITE) !== 0;
    const present = (f.error & PF.PROT) !== 0;
    const entry = f.proc.space.find(f.va) ?? this.implicitEntry(f);
    this.vm.actor(f.tid);
    if (write && entry.copyOnWrite && entry.needsCopy && entry.object) this.model.copyOnWrite(entry);
    const first = entry.object ?? this.model.allocate(entry);
    const page = entry.pageIndex(f.va);
    if (!present && first.pages) first.pages.delete(page); // Linux had no page there: a copy the model kept is stale

    const chain = this.chain;
    chain.length = 0;
    for (let o: VmObject | null = first; o; o = o.backing) chain.push(o);
    // Where the page comes from: an anonymous level holding it (only if Linux
    // had it mapped), else the file (or kernel object) at the end of the chain.
    let source = -1;
    for (let d = 0; d < chain.length && source < 0; d++) {
      const o = chain[d]!;
      if (!o.anonymous || (present && o.pages!.has(page))) source = d;
    }
    let fromPager = major && source >= 0 && chain[source]!.kind === 'vnode';
    if (major && source < 0) {
      // Anonymous memory read back from swap: BSD would have made the object a SWAP object.
      source = 0;
      for (let d = chain.length - 1; d > 0; d--) if (chain[d]!.pages!.has(page)) source = d;
      chain[source]!.kind = 'swap';
      fromPager = true;
    } else if (present && source < 0) {
      source = 0; // Linux had it mapped, the model never saw it arrive: taken as resident in the first object
      this.assumedResident++;
    }
    const levels = source < 0 ? chain.length : source + 1;
    for (let d = 0; d < levels; d++) this.level(f.tid, d, chain[d]!, d === source, fromPager && d === source, entry.implicit);

    const action = source < 0 ? WORD.zero_fill : source === 0 ? WORD.map : write ? WORD.cow_copy : WORD.readonly;
    if (first.pages && (write || source < 0)) first.pages.add(page);
    else if (fromPager && chain[source]!.pages) chain[source]!.pages!.add(page);
    const end = this.out
      .event('fault_end')
      .int(KEY.tid, f.tid)
      .int(KEY.rc, 0)
      .int(KEY.depth, source)
      .word(KEY.action, action)
      .int(KEY.io, fromPager ? 1 : 0);
    if (fromPager && ts >= f.ts) end.int(KEY.io_ns, Math.round(ts - f.ts)); // untimed lines: no duration
    if (f.site !== null) end.str(KEY.site, f.site);
    end.inferred(INF_END | (fromPager && ts >= f.ts ? INF_IO_NS : 0)).end();
  }

  private level(tid: number, depth: number, o: VmObject, found: boolean, fromPager: boolean, guessed: boolean): void {
    const e = this.out
      .event('fault_obj')
      .int(KEY.tid, tid)
      .int(KEY.depth, depth)
      .hex(KEY.obj, o.addr.hi, o.addr.lo)
      .word(KEY.otype, OTYPE[o.kind])
      .word(KEY.page, found && !fromPager ? WORD.valid : WORD.absent)
      .int(KEY.backing, o.backing ? 1 : 0);
    if (depth === 0) e.int(KEY.shadowed, o.shadows.length > 0 ? 1 : 0);
    if (fromPager) e.word(KEY.pager, WORD.has);
    e.int(KEY.ref, o.refs)
      .inferred(
        INF_LEVEL | (depth === 0 ? INF_SHADOWED : INF_DEPTH) | (o.anonymous ? INF_ANON_LEVEL : 0) | (fromPager ? INF_PAGER : 0) | (guessed ? INF_GUESSED : 0),
      )
      .end();
  }

  /**
   * A fault outside every mapping the records showed: a stack growing down
   * (Linux grows the VMA without a record), else a one-page mapping made up
   * for it, of the file the fault read when filemap told, else anonymous.
   */
  private implicitEntry(f: OpenFault): MapEntry {
    const space = f.proc.space;
    const page = Math.floor(f.va / PAGE_SIZE) * PAGE_SIZE;
    const up = space.above(f.va);
    if (up?.growsDown && up.start - page <= STACK_LIMIT) {
      this.stackGrowth++;
      this.model.growDown(up, page);
      return up;
    }
    this.implicitMappings++;
    const hit = f.file;
    const file = hit ? this.model.objects.vnode(hit.major, hit.minor, hit.ino, `[${hit.major}:${hit.minor} inode ${hit.ino}]`) : null;
    if (file) this.vm.name(file, true);
    const offset = hit ? Math.floor(hit.offset / PAGE_SIZE) * PAGE_SIZE : page;
    const entry = new MapEntry(page, page + PAGE_SIZE, offset, false, file, file ? file.name! : '//anon', file, file !== null, true);
    this.vm.actor(f.tid);
    this.model.map(space, entry);
    return entry;
  }
}
