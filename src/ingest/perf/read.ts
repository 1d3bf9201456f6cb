// Linux perf text: `perf script` output of the fault, mmap_lock, filemap and
// process tracepoints with the side-band MMAP2/FORK/COMM/EXIT records, and
// `perf trace --pf=all` lines. Linux has no vm_objects, so this framing maps
// what Linux did onto the vocabulary (see docs in traces/capture/linux/):
// files become VNODE objects, private anonymous memory and copy-on-write
// shadows DEFAULT objects, and a VM model tracks what a BSD kernel would have
// done on fork, exec, exit and the first write to a private page. Every field
// and event the model supplies is marked in the `inferred` column.
//
// Each line is counted once: its first event counts it, the further events it
// yields are derived rows, a line with no vocabulary event is context (kept by
// name) or framing (comments, headers, callchains, lost-record notices).

import { WordTable, latin1, u64, utf8 } from '../common/bytes.js';
import type { Framing, FramingContext, FramingDef } from '../framing.js';
import { EventOut } from './emit.js';
import { FaultMapper, OpenFault } from './faults.js';
import { Lifecycle } from './lifecycle.js';
import { MmapLocks } from './mmap-locks.js';
import { type Proc, ProcessTable } from './processes.js';
import { boolWord, decimal, field, hex64, hexNumber, newMmapRecord, parseComm, parseLost, parseMmap, parseTaskPair, span } from './records.js';
import { newScriptLine, parseScriptLine } from './script-line.js';
import { TraceFaults, newTraceFault, parseTraceFault, traceLinePrefix } from './trace-pf.js';
import { VmEvents } from './vm-events.js';
import { VmModel } from './vm-model.js';

const EVENTS = [
  'exceptions:page_fault_user',
  'exceptions:page_fault_kernel',
  'mmap_lock:mmap_lock_start_locking',
  'mmap_lock:mmap_lock_acquire_returned',
  'mmap_lock:mmap_lock_released',
  'filemap:mm_filemap_fault',
  'sched:sched_process_fork',
  'sched:sched_process_exec',
  'sched:sched_process_exit',
  'minor-faults',
  'major-faults',
  'PERF_RECORD_MMAP2',
  'PERF_RECORD_MMAP',
  'PERF_RECORD_FORK',
  'PERF_RECORD_EXIT',
  'PERF_RECORD_COMM',
  'PERF_RECORD_LOST',
  'PERF_RECORD_LOST_SAMPLES',
] as const;
const E = Object.fromEntries(EVENTS.map((n, i) => [n, i])) as Record<(typeof EVENTS)[number], number>;
const NAMES = new WordTable(EVENTS);

const key = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const F = {
  address: key('address'),
  error_code: key('error_code'),
  mm: key('mm'),
  write: key('write'),
  success: key('success'),
  dev: key('dev'),
  ino: key('ino'),
  ofs: key('ofs'),
  child_pid: key('child_pid'),
  filename: key('filename'),
  group_dead: key('group_dead'),
};

const SCRIPT_LINE =
  /^\s*\S.*?\s(-?\d+\/)?-?\d+\s+(\[\d+\]\s+)?\d+\.\d+:\s+(\d+\s+)?(PERF_RECORD_[A-Z0-9_]+|[\w.-]+:[\w.-]+:|[\w.-]+-faults(:[a-zA-Z]+)?:)/;
const TRACE_LINE = /^\s*\d+\.\d+ \(\s*[\d.]+ ms\): .*\/\d+ (min|maj)fault \[/;
const CALLCHAIN = /^\s+[0-9a-f]+ /;

export const perf: FramingDef = {
  name: 'perf',
  description: 'Linux perf text (perf script of page-fault, mmap_lock, filemap and sched tracepoints with MMAP2/FORK/COMM/EXIT records; perf trace --pf=all), mapped onto the vocabulary',
  sniff(lines) {
    let score = 0;
    for (const l of lines) {
      if (SCRIPT_LINE.test(l)) return 0.95;
      if (TRACE_LINE.test(l)) return 0.9;
      if (/^# (perf version|captured on|cmdline) :/.test(l)) score = 0.6;
    }
    return score;
  },
  create: (ctx) => new PerfFraming(ctx),
};

class PerfFraming implements Framing {
  private readonly out: EventOut;
  private readonly vm: VmEvents;
  private readonly model: VmModel;
  private readonly procs: ProcessTable;
  private readonly faults: FaultMapper;
  private readonly locks: MmapLocks;
  private readonly traceFaults: TraceFaults;
  private readonly life: Lifecycle;
  private readonly head = newScriptLine();
  private readonly mmap = newMmapRecord();
  private readonly traceFault = newTraceFault();
  private scriptLines = 0;
  private traceLines = 0;
  private sawExecTracepoint = false;
  private readonly comms = new Map<number, { bytes: Uint8Array; text: string }>();

  constructor(private readonly ctx: FramingContext) {
    this.out = new EventOut(ctx.decoder);
    this.vm = new VmEvents(this.out);
    this.model = new VmModel(this.vm);
    this.procs = new ProcessTable(this.model, (tid, copy) => this.vm.asThread(tid, copy));
    this.faults = new FaultMapper(this.out, this.model, this.vm);
    this.locks = new MmapLocks(this.out);
    this.traceFaults = new TraceFaults(this.out, this.model, this.vm);
    this.life = new Lifecycle(this.out, this.vm, this.model, this.procs, this.faults, this.locks, (tid) => this.comms.delete(tid));
    ctx.stats.note(
      'perf: a Linux trace mapped onto the BSD vocabulary (Linux has no vm_objects): objects are synthetic ' +
        '(VNODE per file device:inode at 0xf1..., DEFAULT per private anonymous mapping and per copy-on-write shadow at 0xd0...); ' +
        'the inferred column marks every field the mapping supplies (fault flags, thread counts, chain links, ref counts, ' +
        'anonymous page states, fault outcomes) and with `event` every event Linux implies but never logs ' +
        '(obj_ref, obj_shadow, map_split, obj_collapse, exec_page)',
    );
  }

  line(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    const { decoder } = this.ctx;
    let i = start;
    while (i < end && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
    if (i === end || buf[i] === 0x23) return decoder.framing(); // blank, or a # header
    const h = this.head;
    if (parseScriptLine(buf, start, end, h)) {
      this.scriptLines++;
      // perf synthesizes its start-up records (kernel map, its own comm) at time 0: untimed, not at the epoch
      if (h.ts === 0) h.ts = NaN;
      this.out.line(lineNo, h.ts, h.cpu);
      return this.scriptLine(buf, end, lineNo);
    }
    const body = traceLinePrefix(buf, start, end);
    if (body >= 0) {
      this.traceLines++;
      return this.traceLine(buf, start, end, body, lineNo);
    }
    if (CALLCHAIN.test(latin1(buf, start, Math.min(end, start + 40)))) return decoder.framing();
    decoder.reject(lineNo, -1, `not a perf script or perf trace line: '${latin1(buf, start, Math.min(end, start + 60)).trim()}'`);
  }

  finish(): void {
    const { stats } = this.ctx;
    const f = this.faults;
    if (f.begun > 0) {
      stats.note(
        `perf: ${f.begun} faults, ${f.completed} completed by their minor/major-faults sample (${f.major} major), ` +
          `${f.unaccounted} ended without one (fault_end rc=5, inferred), ${f.stillOpen} still open at the end; ` +
          `${f.implicitMappings} outside every recorded mapping (made-up one-page mappings), ${f.stackGrowth} growing a stack, ` +
          `${f.assumedResident} on anonymous pages Linux had mapped but no earlier fault showed (taken as resident in the first object)`,
      );
    }
    if (f.begun > 0 && f.completed === 0) stats.warn('perf: no minor-faults/major-faults samples: record them (-e minor-faults -e major-faults) or no fault completes');
    if (f.orphanAccounting > 0) stats.note(`perf: ${f.orphanAccounting} minor/major-faults samples without a fault entry (kept as context)`);
    const p = this.procs;
    if (p.copiedSeen + p.sharedSeen > 0) {
      stats.note(`perf: forks told by mmap_lock (dup_mmap nests two mm write locks): ${p.copiedSeen} copied the address space, ${p.sharedSeen} shared it (vfork, posix_spawn)`);
    }
    if (p.copiedOnTouch + p.sharedUntilExec > 0) {
      stats.note(
        `perf: forks without mmap_lock events to tell: ${p.copiedOnTouch} taken as copies when parent or child next touched memory ` +
          `(map_split events written then, not at the fork), ${p.sharedUntilExec} exec'd or exited first (taken as vfork)`,
      );
    }
    if (this.locks.events > 0) stats.note(`perf: ${this.locks.events} mmap_lock events as obj_lock class=map on the mm_struct address (observed)`);
    if (this.traceLines > 0) {
      stats.note('perf trace --pf lines: no error code (ftype inferred R), no CPU, thread id only (pid inferred), file-backed faults give a file offset (va inferred)');
    }
    if (this.scriptLines > 0 && this.life.execRecords === 0 && this.sawExecTracepoint) {
      stats.warn('perf: exec tracepoints without PERF_RECORD_COMM exec records: run perf script with --show-task-events');
    }
  }

  // ---- perf script lines ----

  private scriptLine(buf: Uint8Array, end: number, lineNo: number): void {
    const h = this.head;
    const s = h.bodyStart;
    const id = NAMES.find(buf, h.nameStart, h.nameEnd);
    switch (id) {
      case E['exceptions:page_fault_user']:
      case E['exceptions:page_fault_kernel']:
        return this.faultEntry(buf, s, end, lineNo, id === E['exceptions:page_fault_user']);
      case E['minor-faults']:
      case E['major-faults']:
        this.faults.complete(h.tid, id === E['major-faults'], h.ts);
        return this.out.endLine(EVENTS[id]);
      case E['filemap:mm_filemap_fault']:
        this.filemapFault(buf, s, end);
        return this.out.endLine('mm_filemap_fault');
      case E['mmap_lock:mmap_lock_start_locking']:
      case E['mmap_lock:mmap_lock_acquire_returned']:
      case E['mmap_lock:mmap_lock_released']:
        return this.mmapLock(buf, s, end, lineNo, id);
      case E['sched:sched_process_fork']:
        return this.forkTracepoint(buf, s, end, lineNo);
      case E['sched:sched_process_exec']:
        return this.execTracepoint(buf, s, end);
      case E['sched:sched_process_exit']:
        return this.exitTracepoint(buf, s, end);
      case E.PERF_RECORD_MMAP2:
      case E.PERF_RECORD_MMAP:
        return this.mmapRecord(buf, s, end, lineNo);
      case E.PERF_RECORD_FORK:
      case E.PERF_RECORD_EXIT:
        return this.taskRecord(buf, s, end, lineNo, id === E.PERF_RECORD_FORK);
      case E.PERF_RECORD_COMM:
        return this.commRecord(buf, s, end, lineNo);
      case E.PERF_RECORD_LOST:
      case E.PERF_RECORD_LOST_SAMPLES:
        return this.lost(buf, s, end);
      default:
        return this.out.endLine(latin1(buf, h.nameStart, h.nameEnd));
    }
  }

  /** The pid of the line's thread: from the line, else from the records, else (-1) unknown. */
  private pidOf(tid: number): number {
    return this.head.pid >= 0 ? this.head.pid : this.procs.pidOf(tid);
  }

  /** The line's command name, decoded once per thread and name. */
  private comm(buf: Uint8Array, tid: number): string {
    const h = this.head;
    const cached = this.comms.get(tid);
    const n = h.commEnd - h.commStart;
    if (cached && cached.bytes.length === n) {
      let k = 0;
      while (k < n && cached.bytes[k] === buf[h.commStart + k]) k++;
      if (k === n) return cached.text;
    }
    const bytes = buf.slice(h.commStart, h.commEnd);
    const text = utf8(bytes, 0, n);
    this.comms.set(tid, { bytes, text });
    return text;
  }

  private proc(buf: Uint8Array, pid: number, tid: number): Proc {
    return this.procs.get(pid, tid, () => this.comm(buf, tid));
  }

  private faultEntry(buf: Uint8Array, s: number, end: number, lineNo: number, user: boolean): void {
    const h = this.head;
    if (!field(buf, s, end, F.address) || !hex64(buf, span.start, span.end)) return this.ctx.decoder.reject(lineNo, h.cpu, 'page fault: no address');
    const [vaHi, vaLo] = [u64.hi, u64.lo];
    if (!field(buf, s, end, F.error_code)) return this.ctx.decoder.reject(lineNo, h.cpu, 'page fault: no error_code');
    const error = hexNumber(buf, span.start, span.end);
    if (Number.isNaN(error)) return this.ctx.decoder.reject(lineNo, h.cpu, 'page fault: bad error_code');
    if (vaHi >= 0x8000) return this.out.endLine(user ? 'page_fault_user' : 'page_fault_kernel'); // a kernel address (vsyscall, vmalloc): no user map
    const known = this.pidOf(h.tid);
    const pid = known >= 0 ? known : h.tid; // the thread's own id: a main thread's (inferred)
    const proc = this.proc(buf, pid, h.tid);
    this.procs.touch(proc);
    const va = vaHi * 2 ** 32 + vaLo;
    this.faults.begin(new OpenFault(h.tid, pid, known < 0, proc, h.ts, h.cpu, va, vaHi, vaLo, error, user, this.comm(buf, h.tid)));
    this.out.endLine(null);
  }

  private filemapFault(buf: Uint8Array, s: number, end: number): void {
    if (!field(buf, s, end, F.dev)) return;
    const [ds, de] = [span.start, span.end];
    const colon = buf.indexOf(0x3a, ds);
    if (colon < 0 || colon >= de || !field(buf, s, end, F.ino)) return;
    const ino = hexNumber(buf, span.start, span.end);
    const offset = field(buf, s, end, F.ofs) ? decimal(buf, span.start, span.end) : 0;
    const major = decimal(buf, ds, colon);
    const minor = decimal(buf, colon + 1, de);
    if ([ino, major, minor].some(Number.isNaN)) return;
    this.faults.file(this.head.tid, { major, minor, ino, offset: Number.isNaN(offset) ? 0 : offset });
  }

  private mmapLock(buf: Uint8Array, s: number, end: number, lineNo: number, id: number): void {
    const h = this.head;
    if (!field(buf, s, end, F.mm) || !hex64(buf, span.start, span.end)) return this.ctx.decoder.reject(lineNo, h.cpu, 'mmap_lock: no mm');
    const [hi, lo] = [u64.hi, u64.lo];
    const write = field(buf, s, end, F.write) ? boolWord(buf, span.start, span.end) : -1;
    if (write < 0) return this.ctx.decoder.reject(lineNo, h.cpu, 'mmap_lock: no write=true|false');
    if (id === E['mmap_lock:mmap_lock_start_locking']) this.locks.start(h.tid, hi, lo, write === 1);
    else if (id === E['mmap_lock:mmap_lock_released']) this.locks.released(h.tid, hi, lo, write === 1);
    else {
      const success = field(buf, s, end, F.success) ? boolWord(buf, span.start, span.end) : 1;
      this.locks.acquired(h.tid, hi, lo, write === 1, success !== 0);
    }
  }

  // ---- processes ----

  private taskRecord(buf: Uint8Array, s: number, end: number, lineNo: number, fork: boolean): void {
    const t = parseTaskPair(buf, s, end);
    if (!t) return this.ctx.decoder.reject(lineNo, this.head.cpu, `${fork ? 'FORK' : 'EXIT'}: expected (PID:TID):(PPID:PTID)`);
    if (fork) {
      const parent = this.proc(buf, t.ppid, t.ptid);
      if (t.pid === t.ppid) this.procs.thread(parent, t.tid);
      else this.life.fork(parent, t.pid, t.tid, t.ptid);
      return this.out.endLine('fork_thread');
    }
    const p = this.procs.find(t.pid);
    if (p && p.threads.has(t.tid)) this.life.threadExit(p, t.tid);
    this.out.endLine('exit');
  }

  private forkTracepoint(buf: Uint8Array, s: number, end: number, lineNo: number): void {
    const h = this.head;
    if (!field(buf, s, end, F.child_pid)) return this.ctx.decoder.reject(lineNo, h.cpu, 'sched_process_fork: no child_pid');
    const child = decimal(buf, span.start, span.end);
    // The FORK record (printed first) already told; without task records this is the fork.
    if (!Number.isNaN(child) && !this.procs.known(child) && this.procs.pidOf(child) < 0) {
      const pid = this.pidOf(h.tid);
      this.life.fork(this.proc(buf, pid >= 0 ? pid : h.tid, h.tid), child, child, h.tid);
    }
    this.out.endLine('sched_process_fork');
  }

  private commRecord(buf: Uint8Array, s: number, end: number, lineNo: number): void {
    const c = parseComm(buf, s, end);
    if (!c) return this.ctx.decoder.reject(lineNo, this.head.cpu, 'COMM: expected NAME:PID/TID');
    if (c.pid < 0) return this.out.endLine('comm');
    const p = this.procs.get(c.pid, c.tid, () => c.comm);
    p.comm = c.comm;
    if (c.exec) this.life.execStart(p, c.tid);
    this.out.endLine(c.exec ? 'exec' : 'comm');
  }

  private execTracepoint(buf: Uint8Array, s: number, end: number): void {
    const h = this.head;
    this.sawExecTracepoint = true;
    const path = field(buf, s, end, F.filename) ? utf8(buf, span.start, span.end) : null;
    const pid = this.pidOf(h.tid);
    this.life.execDone(this.proc(buf, pid >= 0 ? pid : h.tid, h.tid), h.tid, path, this.comm(buf, h.tid));
  }

  private exitTracepoint(buf: Uint8Array, s: number, end: number): void {
    const h = this.head;
    const pid = this.pidOf(h.tid);
    const p = this.procs.find(pid >= 0 ? pid : h.tid);
    if (p) {
      // group_dead: the whole process; else one thread, whose EXIT record follows
      const groupDead = field(buf, s, end, F.group_dead) ? boolWord(buf, span.start, span.end) === 1 : h.tid === p.pid;
      this.faults.close(h.tid);
      if (groupDead) this.life.exit(p, h.tid);
    }
    this.out.endLine('sched_process_exit');
  }

  private mmapRecord(buf: Uint8Array, s: number, end: number, lineNo: number): void {
    const r = this.mmap;
    const err = parseMmap(buf, s, end, r);
    if (err) return this.ctx.decoder.reject(lineNo, this.head.cpu, err);
    if (r.start >= 0 && r.pid >= 0 && r.length > 0) this.life.mapped(this.proc(buf, r.pid, r.tid), r); // else the kernel's own map
    this.out.endLine('mmap');
  }

  private lost(buf: Uint8Array, s: number, end: number): void {
    const n = parseLost(buf, s, end);
    const { stats } = this.ctx;
    if (!Number.isNaN(n)) {
      stats.dropped += n;
      stats.cpu(this.head.cpu).dropped += n;
    }
    stats.warn('perf lost records (PERF_RECORD_LOST): faults, mappings or forks are missing; counts are low');
    this.out.endLine(null);
  }

  // ---- perf trace lines ----

  private traceLine(buf: Uint8Array, start: number, end: number, body: number, lineNo: number): void {
    const f = this.traceFault;
    const ok = parseTraceFault(buf, start, end, body, f);
    this.out.line(lineNo, ok ? f.ts : NaN, -1);
    if (ok) this.traceFaults.fault(f);
    this.out.endLine('perf_trace');
  }
}
