// Linux page faults in Linux's own terms, for the Linux models: each fault
// from its entry tracepoint to its minor/major-faults sample (or, without
// one, the next event of its thread), with the VMA it hit as the capture's
// address-space events describe it, the writer that held the mm lock at its
// entry, and the mm lock acquisitions the thread made inside it: what the
// kernel did, to check the models against. One `lx_fault` event per fault,
// written when the fault ends.

import { LinuxFact } from '../../../events/vocabulary.js';
import { type EventOut, KEY, WORD, inferred } from '../emit.js';
import { PF } from '../faults.js';
import { AddressSpace, type Vma, type WriteHold, kindOf } from './address-space.js';

/** A fault this close to the start or the end of a writer's hold may have met the VMA locked or not: undecidable. */
export const RACE_NS = 1_000;
/** How far below a grows-down VMA a fault still grows the stack (RLIMIT_STACK's default). */
const STACK_REACH = 8 << 20;

const INF_MM = inferred('obj');

interface OpenLinuxFault {
  readonly tid: number;
  readonly pid: number;
  readonly ts: number;
  readonly vaHi: number;
  readonly vaLo: number;
  readonly va: number;
  readonly error: number;
  readonly user: boolean;
  readonly comm: string;
  readonly space: AddressSpace;
  readonly vma: Vma | null;
  readonly stackGrowth: boolean;
  readonly writer: WriteHold | null;
  readonly lastRelease: number;
  readonly lastRanges: [number, number][] | null;
  /** mm lock acquisitions the thread made in the fault */
  locks: number;
  readahead: boolean;
}

interface PendingCall {
  readonly call: string;
  readonly args: Readonly<Record<string, number>>;
}

export class LinuxFaults {
  private readonly spaces = new Map<number, AddressSpace>();
  private readonly bySpaceMm = new Map<string, AddressSpace>();
  private readonly open = new Map<number, OpenLinuxFault>();
  private readonly calls = new Map<number, PendingCall>();
  /** threads holding an mm lock for writing (to tell a downgrade from a read acquisition) */
  private readonly writing = new Set<number>();
  private lockEvents = 0;
  /** processes the capture saw forked or exec'd: their mappings are not perf's synthesized ones */
  private readonly born = new Set<number>();
  private mmapRecords = 0;
  /** figures for the notes */
  faults = 0;
  endsInferred = 0;
  noVma = 0;
  writeLocked = 0;
  races = 0;
  preexisting = 0;

  constructor(private readonly out: EventOut) {}

  private space(pid: number): AddressSpace {
    let s = this.spaces.get(pid);
    if (!s) this.spaces.set(pid, (s = new AddressSpace()));
    return s;
  }

  // ---- faults ----

  begin(tid: number, pid: number, ts: number, vaHi: number, vaLo: number, error: number, user: boolean, comm: string): void {
    this.endInferred(tid, ts);
    const space = this.space(pid);
    const va = vaHi * 2 ** 32 + vaLo;
    const vma = space.find(va);
    let stackGrowth = false;
    if (!vma) {
      const up = space.above(va);
      if (up?.growsDown && up.start - va <= STACK_REACH) stackGrowth = true;
    }
    const writer = space.writer;
    this.open.set(tid, {
      tid,
      pid,
      ts,
      vaHi,
      vaLo,
      va,
      error,
      user,
      comm,
      space,
      vma,
      stackGrowth,
      writer,
      lastRelease: space.lastRelease,
      lastRanges: space.lastRanges,
      locks: 0,
      readahead: false,
    });
  }

  /** The fault's accounting sample: it ends here. */
  end(tid: number, ts: number, major: boolean): void {
    const f = this.open.get(tid);
    if (!f) return;
    this.open.delete(tid);
    this.emit(f, ts, major, false);
  }

  readahead(tid: number): void {
    const f = this.open.get(tid);
    if (f) f.readahead = true;
  }

  /** Any other event of a thread ends its open fault (a fault without an accounting sample). */
  endInferred(tid: number, ts: number): void {
    const f = this.open.get(tid);
    if (!f) return;
    this.open.delete(tid);
    this.endsInferred++;
    this.emit(f, ts, false, true);
  }

  // ---- the mm lock ----

  mmapLock(tid: number, pid: number, ts: number, step: 'start' | 'acquired' | 'released', hi: number, lo: number, write: boolean, success: boolean): void {
    this.lockEvents++;
    const space = pid >= 0 ? this.space(pid) : this.bySpaceMm.get(`${hi}:${lo}`);
    if (space && pid >= 0 && space.mmHi < 0 && !this.bySpaceMm.has(`${hi}:${lo}`)) {
      space.mmHi = hi;
      space.mmLo = lo;
      this.bySpaceMm.set(`${hi}:${lo}`, space);
    }
    // the mm this event is about: a fork's child mm is not the thread's own
    const target = space && space.mmHi === hi && space.mmLo === lo ? space : this.bySpaceMm.get(`${hi}:${lo}`);
    if (step === 'acquired' && success) {
      const downgrade = !write && this.writing.has(tid);
      const f = this.open.get(tid);
      if (f && !downgrade) f.locks++;
      if (write) {
        this.writing.add(tid);
        if (target && target.writer === null) {
          const call = this.calls.get(tid) ?? null;
          target.writer = { tid, since: ts, ranges: call ? rangesOf(call) : null };
        }
      } else if (downgrade) this.release(tid, target, ts);
    } else if (step === 'released' && write) this.release(tid, target, ts);
  }

  private release(tid: number, target: AddressSpace | undefined, ts: number): void {
    this.writing.delete(tid);
    if (!target || target.writer?.tid !== tid) return;
    target.lastRelease = ts;
    target.lastRanges = target.writer.ranges;
    target.writer = null;
  }

  // ---- address-space changes ----

  syscall(tid: number, pid: number, ts: number, call: string, enter: boolean, args: Readonly<Record<string, number>>): void {
    this.endInferred(tid, ts);
    if (enter) {
      this.calls.set(tid, { call, args });
      return;
    }
    const pending = this.calls.get(tid);
    this.calls.delete(tid);
    if (!pending || pending.call !== call || pid < 0) return;
    const ret = args.ret ?? NaN;
    const a = pending.args;
    const space = this.space(pid);
    const page = (n: number) => Math.ceil(n / 4096) * 4096;
    if (call === 'munmap' && ret === 0) space.unmap(a.addr!, a.addr! + page(a.len!));
    else if ((call === 'mprotect' || call === 'pkey_mprotect') && ret === 0)
      space.protect(a.start!, a.start! + page(a.len!), (a.prot! & 1) !== 0, (a.prot! & 2) !== 0);
    else if (call === 'mremap' && ret >= 0 && ret < 2 ** 52) {
      if (ret !== a.addr) space.move(a.addr!, a.addr! + page(a.old_len!), ret, ret + page(a.new_len!));
      else if (a.new_len! < a.old_len!) space.unmap(a.addr + page(a.new_len!), a.addr + page(a.old_len!));
      else if (a.new_len! > a.old_len!) {
        const v = space.find(a.addr);
        if (v) space.map(v.start, a.addr + page(a.new_len!), v.kind, v.read, v.write, true);
      }
    } else if (call === 'brk' && ret > 0) {
      const heap = space.vmas.find((v) => v.kind === 'heap');
      if (heap && ret < heap.end && ret >= heap.start) space.unmap(page(ret), heap.end);
    }
  }

  /** An MMAP2 record: a mapping made or changed (merged, protected, grown). */
  mapped(tid: number, pid: number, synthesized: boolean, start: number, length: number, path: string, shared: boolean, read: boolean, write: boolean): void {
    this.mmapRecords++;
    const space = this.space(pid);
    const call = this.calls.get(tid)?.call ?? null;
    const kind = kindOf(path, shared);
    const end = start + length;
    // perf synthesizes the maps of processes already running (untimed, and before any fork or exec of theirs): their anon_vma is not known
    if (synthesized && !this.born.has(pid)) {
      this.preexisting++;
      space.map(start, end, kind, read, write, false);
      for (const v of space.vmas) if (v.start >= start && v.end <= end && v.kind !== 'file') v.anonVma = -1;
      return;
    }
    // A fresh mmap has an anon_vma only when it merged into a neighbour that had one (the record then reports
    // the merged VMA, larger than the call asked for); mprotect, brk and mremap change a VMA in place.
    const asked = call === 'mmap' ? (this.calls.get(tid)!.args.len ?? NaN) : NaN;
    const inherit = call !== 'mmap' ? call !== null : length > Math.ceil(asked / 4096) * 4096;
    // Outside any traced call (a call the capture did not record, e.g. pkey_mprotect or madvise without their
    // tracepoints), a record over anonymous memory that had an anon_vma may be a change in place or a new
    // mapping: whether the VMA keeps its anon_vma is not known.
    const unsure = call === null && space.vmas.some((v) => v.start < end && v.end > start && v.anonVma !== 0 && kind !== 'file' && v.kind !== 'file');
    space.map(start, end, kind, read, write, inherit);
    if (unsure) for (const v of space.vmas) if (v.start >= start && v.end <= end) v.anonVma = -1;
    const w = space.writer;
    if (w && w.tid === tid && w.ranges !== null) w.ranges.push([start, end]);
  }

  fork(parentPid: number, childPid: number, synthesized: boolean): void {
    if (!synthesized) this.born.add(childPid);
    const parent = this.spaces.get(parentPid);
    this.spaces.set(childPid, parent ? parent.copy() : new AddressSpace());
  }

  /** exec: a new mm; the new image's mappings come as MMAP2 records next. */
  exec(pid: number, synthesized: boolean): void {
    if (!synthesized) this.born.add(pid);
    const old = this.spaces.get(pid);
    if (old && old.mmHi >= 0) this.bySpaceMm.delete(`${old.mmHi}:${old.mmLo}`);
    this.spaces.set(pid, new AddressSpace());
  }

  exit(pid: number): void {
    const old = this.spaces.get(pid);
    if (old && old.mmHi >= 0) this.bySpaceMm.delete(`${old.mmHi}:${old.mmLo}`);
    this.spaces.delete(pid);
  }

  /** The end of the trace: open faults end here. */
  finish(ts: number): void {
    for (const tid of [...this.open.keys()]) this.endInferred(tid, ts);
  }

  get sawLocks(): boolean {
    return this.lockEvents > 0;
  }

  get sawMappings(): boolean {
    return this.mmapRecords > 0;
  }

  // ---- the event ----

  private emit(f: OpenLinuxFault, ts: number, major: boolean, endInferred: boolean): void {
    this.faults++;
    const v = f.vma;
    const write = (f.error & PF.WRITE) !== 0;
    let facts = 0;
    if (v) {
      if (v.anonVma === 1) facts |= LinuxFact.ANON_VMA;
      else if (v.anonVma === -1) facts |= LinuxFact.ANON_VMA_UNKNOWN;
      if (accessError(f.error, v)) facts |= LinuxFact.ACCESS_ERROR;
      const locked = this.lockedAtEntry(f, v);
      if (locked === 1) {
        facts |= LinuxFact.WRITE_LOCKED;
        this.writeLocked++;
      } else if (locked === -1) {
        facts |= LinuxFact.WRITER_RACE;
        this.races++;
      }
    } else {
      this.noVma++;
      if (f.stackGrowth) facts |= LinuxFact.STACK_GROWTH;
    }
    if (major) facts |= LinuxFact.MAJOR;
    if (f.readahead) facts |= LinuxFact.READAHEAD;
    if (endInferred) facts |= LinuxFact.END_INFERRED;
    if (!this.mmapRecords) facts |= LinuxFact.NO_MAPPINGS;

    const o = this.out.event('lx_fault').int(KEY.tid, f.tid).int(KEY.pid, f.pid).hex(KEY.va, f.vaHi, f.vaLo);
    o.word(KEY.ftype, (f.error & PF.INSTR) !== 0 ? WORD.X : write ? WORD.W : WORD.R);
    o.word(KEY.map, f.user ? WORD.user : WORD.kernel);
    const mm = f.space.mmHi >= 0;
    o.hex(KEY.mm, mm ? f.space.mmHi : 0x4d4d0000, mm ? f.space.mmLo : f.pid >>> 0);
    o.int(KEY.error, f.error);
    if (v) o.hex(KEY.vma, Math.floor(v.start / 2 ** 32), v.start >>> 0);
    o.word(KEY.vma_kind, VMA_WORD[v ? v.kind : 'none']!);
    o.int(KEY.facts, facts);
    o.int(KEY.obs_mm, this.lockEvents > 0 ? f.locks : -1);
    const dur = ts - f.ts;
    if (Number.isFinite(dur)) o.int(KEY.dur_ns, Math.max(0, dur)); // untimed lines (perf script without the time field): no duration
    if (f.comm) o.str(KEY.comm, f.comm);
    o.inferred(mm ? 0 : INF_MM).end();

    // What the fault left behind: a first anonymous page (or a private file page's copy) needs an anon_vma.
    if (!endInferred && v && (write || major) && (v.kind === 'anon' || v.kind === 'heap' || v.kind === 'stack' || (v.kind === 'file' && write))) {
      const now = f.space.find(f.va);
      if (now && now.anonVma !== 1) now.anonVma = 1;
    }
  }

  /** Was the fault's VMA write-locked at its entry: 1 yes, 0 no, -1 too close to a writer's start or end to tell. */
  private lockedAtEntry(f: OpenLinuxFault, v: Vma): -1 | 0 | 1 {
    const w = f.writer;
    if (w && w.tid !== f.tid && overlaps(w.ranges, v)) return f.ts - w.since < RACE_NS ? -1 : 1;
    if (f.ts - f.lastRelease < RACE_NS && overlaps(f.lastRanges, v)) return -1;
    return 0;
  }
}

const overlaps = (ranges: [number, number][] | null, v: Vma): boolean => ranges === null || ranges.some(([s, e]) => s < v.end && e > v.start);

/** The ranges a syscall's write hold locks, from its arguments (mmap: filled in by its MMAP2 records). */
function rangesOf(c: PendingCall): [number, number][] | null {
  const a = c.args;
  const page = (n: number) => Math.ceil(n / 4096) * 4096;
  switch (c.call) {
    case 'munmap':
      return [[a.addr!, a.addr! + page(a.len!)]];
    case 'mprotect':
    case 'pkey_mprotect':
    case 'madvise':
    case 'mlock':
    case 'mlock2':
    case 'munlock':
      return [[a.start!, a.start! + page(a.len ?? a.len_in ?? 0)]];
    case 'mremap':
      return [[a.addr!, a.addr! + page(a.old_len!)]];
    case 'brk':
    case 'mmap':
      return [];
    default:
      return null; // mlockall, munlockall, shmat, shmdt, or none: every VMA
  }
}

/** arch/x86/mm/fault.c access_error(): the access is not allowed by the VMA. */
function accessError(error: number, v: Vma): boolean {
  if (error & PF.PK) return true;
  if (error & PF.WRITE) return !v.write;
  if (error & PF.PROT) return true;
  return !v.read && !v.write;
}

const VMA_WORD = Object.fromEntries(
  ['anon', 'file', 'shared_file', 'stack', 'heap', 'special', 'shared_anon', 'none'].map((k) => [k, Buffer.from(k, 'latin1')]),
) as Record<string, Uint8Array>;
