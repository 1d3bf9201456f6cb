// What each perf record or tracepoint means for the vocabulary, whatever it
// was read from: `perf script` text lines (read.ts) and perf.data records
// (../perf-data/) both decode their input into plain values and call this,
// so one capture read either way yields the same events. Each call belongs to
// the current input unit (a text line, a perf.data record) set by `unit()`;
// its first event counts the unit, units with no vocabulary event are context
// (kept by name) or framing.

import type { FramingContext } from '../framing.js';
import { EventOut } from './emit.js';
import { FaultMapper, type FileHit, OpenFault } from './faults.js';
import { Lifecycle } from './lifecycle.js';
import { MmapLocks } from './mmap-locks.js';
import { type Proc, ProcessTable } from './processes.js';
import type { MmapRecord } from './records.js';
import { VmEvents } from './vm-events.js';
import { VmModel } from './vm-model.js';
import { LinuxFaults } from './linux/faults.js';

export type LockStep = 'start' | 'acquired' | 'released';

/** The command that prints a capture's side-band records (MMAP2, COMM, FORK, EXIT). */
export const SIDEBAND_FIX = 'perf script -i perf.data --show-mmap-events --show-task-events';
/** The events a capture needs for faults to be replayed (what traces/capture/linux/capture.sh records). */
export const RECORD_FIX =
  'perf record -c 1 -d -e exceptions:page_fault_user -e exceptions:page_fault_kernel -e minor-faults -e major-faults ' +
  '-e sched:sched_process_fork -e sched:sched_process_exec -e sched:sched_process_exit (see traces/capture/linux/capture.sh)';

export class PerfMapper {
  readonly out: EventOut;
  readonly vm: VmEvents;
  readonly model: VmModel;
  readonly procs: ProcessTable;
  readonly faults: FaultMapper;
  readonly locks: MmapLocks;
  readonly life: Lifecycle;
  /** the faults in Linux's own terms (lx_fault), for the Linux models */
  readonly linux: LinuxFaults;
  /** the current unit */
  private unitNo = 0;
  private ts = NaN;
  /** the unit is one perf synthesized at start-up (time 0): the state of processes already running */
  private synthesized = false;
  private cpu = -1;
  /** -1 when the unit does not say */
  private pid = -1;
  private tid = -1;
  /** what the input held: the notes say what was missing and what it cost */
  units = 0;
  mmapRecords = 0;
  taskRecords = 0;
  execRecords = 0;
  execTracepoints = 0;
  faultEntries = 0;
  accountingSamples = 0;
  lostRecords = 0;
  syscalls = 0;
  /** faults whose thread's process the unit did not name (text without a pid column) */
  pidFromRecords = 0;
  /** kernel callers named by call chains: mmap_lock sites, fault handlers */
  lockSites = 0;
  faultSites = 0;

  constructor(
    private readonly ctx: FramingContext,
    /** the command name of a thread, as the input tells it (decoded once per thread by the caller) */
    private readonly commOf: (tid: number) => string,
    /** a thread is gone: the caller drops what it keeps per thread */
    threadGone: (tid: number) => void,
  ) {
    this.out = new EventOut(ctx.decoder);
    this.vm = new VmEvents(this.out);
    this.model = new VmModel(this.vm);
    this.procs = new ProcessTable(this.model, (tid, copy) => this.vm.asThread(tid, copy));
    this.faults = new FaultMapper(this.out, this.model, this.vm);
    this.locks = new MmapLocks(this.out);
    this.life = new Lifecycle(this.out, this.vm, this.model, this.procs, this.faults, this.locks, threadGone);
    this.linux = new LinuxFaults(this.out);
    ctx.stats.note(
      'perf: a Linux trace mapped onto the BSD vocabulary (Linux has no vm_objects): objects are synthetic ' +
        '(VNODE per file device:inode at 0xf1..., DEFAULT per private anonymous mapping and per copy-on-write shadow at 0xd0...); ' +
        'the inferred column marks every field the mapping supplies (fault flags, thread counts, chain links, ref counts, ' +
        'anonymous page states, fault outcomes) and with `event` every event Linux implies but never logs ' +
        '(obj_ref, obj_shadow, map_split, obj_collapse, exec_page)',
    );
  }

  /** A new input unit (a line, a record): its time (ns, NaN untimed), CPU (-1 unknown), pid (-1 unknown) and tid. */
  unit(no: number, ts: number, cpu: number, pid: number, tid: number, synthesized = false): void {
    this.units++;
    this.synthesized = synthesized;
    this.unitNo = no;
    this.ts = ts;
    this.cpu = cpu;
    this.pid = pid;
    this.tid = tid;
    this.out.line(no, ts, cpu);
  }

  reject(reason: string): void {
    this.ctx.decoder.reject(this.unitNo, this.cpu, reason);
  }

  /** The unit yields no vocabulary event: kept as a context row named `name`, or framing (null). */
  other(name: string | null): void {
    this.out.endLine(name);
  }

  /** The pid of a thread: from the unit, else from the records, else (-1) unknown. */
  private pidOf(tid: number): number {
    return this.pid >= 0 && tid === this.tid ? this.pid : this.procs.pidOf(tid);
  }

  private proc(pid: number, tid: number): Proc {
    return this.procs.get(pid, tid, () => this.commOf(tid));
  }

  // ---- faults ----

  /** exceptions:page_fault_user / page_fault_kernel: a fault starts. */
  faultEntry(vaHi: number, vaLo: number, error: number, user: boolean): void {
    this.faultEntries++;
    if (vaHi >= 0x8000) return this.out.endLine(user ? 'page_fault_user' : 'page_fault_kernel'); // a kernel address (vsyscall, vmalloc): no user map
    const tid = this.tid;
    const known = this.pidOf(tid);
    if (this.pid < 0 && known >= 0) this.pidFromRecords++;
    const pid = known >= 0 ? known : tid; // the thread's own id: a main thread's (inferred)
    const proc = this.proc(pid, tid);
    this.procs.touch(proc);
    const va = vaHi * 2 ** 32 + vaLo;
    this.linux.begin(tid, pid, this.ts, vaHi, vaLo, error, user, this.commOf(tid));
    this.faults.begin(new OpenFault(tid, pid, known < 0, proc, this.ts, this.cpu, va, vaHi, vaLo, error, user, this.commOf(tid)));
    this.out.endLine(null);
  }

  /** The minor-faults / major-faults sample that ends the thread's fault. */
  accounting(major: boolean): void {
    this.accountingSamples++;
    this.linux.end(this.tid, this.ts, major);
    this.faults.complete(this.tid, major, this.ts);
    this.out.endLine(major ? 'major-faults' : 'minor-faults');
  }

  /** filemap:mm_filemap_fault: the file page the thread's fault read. */
  filemap(hit: FileHit | null): void {
    if (hit) this.faults.file(this.tid, hit);
    this.out.endLine('mm_filemap_fault');
  }

  /** A kernel fault handler a call chain named for the thread's open fault. */
  faultSite(site: string): void {
    if (this.faults.site(this.tid, site)) this.faultSites++;
  }

  // ---- mmap_lock ----

  /** `site` is the kernel caller a call chain named, else null (the lock's own name). */
  mmapLock(step: LockStep, hi: number, lo: number, write: boolean, success: boolean, site: string | null): void {
    if (site !== null) this.lockSites++;
    this.linux.mmapLock(this.tid, this.pidOf(this.tid), this.ts, step, hi, lo, write, success);
    if (step === 'start') this.locks.start(this.tid, hi, lo, write, site);
    else if (step === 'released') this.locks.released(this.tid, hi, lo, write, site);
    else this.locks.acquired(this.tid, hi, lo, write, success, site);
    this.out.endLine(null);
  }

  /** syscalls:sys_enter_* / sys_exit_* of the address-space calls: `args` by field name (`ret` on exit). */
  syscall(call: string, enter: boolean, args: Readonly<Record<string, number>>): void {
    this.syscalls++;
    this.linux.syscall(this.tid, this.pidOf(this.tid), this.ts, call, enter, args);
    this.out.endLine(enter ? 'sys_enter' : 'sys_exit');
  }

  /** readahead:page_cache_sync_ra / async_ra: readahead inside the thread's fault. */
  readahead(): void {
    this.linux.readahead(this.tid);
    this.out.endLine('readahead');
  }

  /** The capture's kernel release (`uname -r`), from its header. */
  kernelRelease(release: string): void {
    this.ctx.stats.kernelRelease = release;
  }

  // ---- processes ----

  /** PERF_RECORD_FORK (fork) or PERF_RECORD_EXIT. */
  task(fork: boolean, pid: number, tid: number, ppid: number, ptid: number): void {
    this.taskRecords++;
    if (fork) {
      const parent = this.proc(ppid, ptid);
      if (pid === ppid) this.procs.thread(parent, tid);
      else {
        this.linux.fork(ppid, pid, this.synthesized);
        this.life.fork(parent, pid, tid, ptid);
      }
      return this.out.endLine('fork_thread');
    }
    const p = this.procs.find(pid);
    if (p?.threads.has(tid)) this.life.threadExit(p, tid);
    this.out.endLine('exit');
  }

  /** sched:sched_process_fork: the fork itself when no FORK record told it first. */
  forkTracepoint(child: number): void {
    const tid = this.tid;
    if (!Number.isNaN(child) && !this.procs.known(child) && this.procs.pidOf(child) < 0) {
      const pid = this.pidOf(tid);
      this.life.fork(this.proc(pid >= 0 ? pid : tid, tid), child, child, tid);
    }
    this.out.endLine('sched_process_fork');
  }

  /** PERF_RECORD_COMM; `exec` when it tells an exec. */
  commRecord(exec: boolean, comm: string, pid: number, tid: number): void {
    this.taskRecords++;
    if (pid < 0) return this.out.endLine('comm');
    const p = this.procs.get(pid, tid, () => comm);
    p.comm = comm;
    if (exec) {
      this.execRecords++;
      this.linux.endInferred(tid, this.ts);
      this.linux.exec(pid, this.synthesized);
      this.life.execStart(p, tid);
    }
    this.out.endLine(exec ? 'exec' : 'comm');
  }

  /** sched:sched_process_exec, after the new image is mapped. */
  execTracepoint(path: string | null): void {
    this.execTracepoints++;
    const tid = this.tid;
    const pid = this.pidOf(tid);
    this.life.execDone(this.proc(pid >= 0 ? pid : tid, tid), tid, path, this.commOf(tid));
  }

  /** sched:sched_process_exit; `groupDead` null when the tracepoint does not say. */
  exitTracepoint(groupDead: boolean | null): void {
    const tid = this.tid;
    const pid = this.pidOf(tid);
    const p = this.procs.find(pid >= 0 ? pid : tid);
    this.linux.endInferred(tid, this.ts);
    if (p) {
      // group_dead: the whole process; else one thread, whose EXIT record follows
      this.faults.close(tid);
      if (groupDead ?? tid === p.pid) this.linux.exit(p.pid);
      if (groupDead ?? tid === p.pid) this.life.exit(p, tid);
    }
    this.out.endLine('sched_process_exit');
  }

  /** PERF_RECORD_MMAP2 / MMAP (start -1: the kernel's own map). */
  mmapRecord(r: MmapRecord): void {
    this.mmapRecords++;
    if (r.start >= 0 && r.pid >= 0 && r.length > 0) {
      this.linux.mapped(r.tid, r.pid, this.synthesized, r.start, r.length, r.path, r.shared, r.read, r.write);
      this.life.mapped(this.proc(r.pid, r.tid), r);
    }
    this.out.endLine('mmap');
  }

  /** PERF_RECORD_LOST / LOST_SAMPLES: `n` records the kernel could not write. */
  lost(n: number): void {
    const { stats } = this.ctx;
    this.lostRecords++;
    if (!Number.isNaN(n)) {
      stats.dropped += n;
      stats.cpu(this.cpu).dropped += n;
    }
    stats.warn('perf lost records (PERF_RECORD_LOST): faults, mappings or forks are missing; counts are low');
    this.out.endLine(null);
  }

  // ---- the end ----

  /** The notes on what was replayed, and what the input lacked and what that cost. */
  finish(): void {
    const { stats } = this.ctx;
    this.linux.finish(this.ts);
    this.linuxNotes();
    const f = this.faults;
    if (f.begun > 0) {
      stats.note(
        `perf: ${f.begun} faults, ${f.completed} completed by their minor/major-faults sample (${f.major} major), ` +
          `${f.unaccounted} ended without one (fault_end rc=5, inferred), ${f.stillOpen} still open at the end; ` +
          `${f.implicitMappings} outside every recorded mapping (made-up one-page mappings), ${f.stackGrowth} growing a stack, ` +
          `${f.assumedResident} on anonymous pages Linux had mapped but no earlier fault showed (taken as resident in the first object)`,
      );
    }
    if (f.orphanAccounting > 0) stats.note(`perf: ${f.orphanAccounting} minor/major-faults samples without a fault entry (kept as context)`);
    const p = this.procs;
    if (p.copiedSeen + p.sharedSeen > 0) {
      stats.note(
        `perf: forks told by mmap_lock (dup_mmap nests two mm write locks): ${p.copiedSeen} copied the address space, ${p.sharedSeen} shared it (vfork, posix_spawn)`,
      );
    }
    if (p.copiedOnTouch + p.sharedUntilExec > 0) {
      stats.note(
        `perf: forks without mmap_lock events to tell: ${p.copiedOnTouch} taken as copies when parent or child next touched memory ` +
          `(map_split events written then, not at the fork), ${p.sharedUntilExec} exec'd or exited first (taken as vfork)`,
      );
    }
    if (this.locks.events > 0) stats.note(`perf: ${this.locks.events} mmap_lock events as obj_lock class=map on the mm_struct address (observed)`);
    if (this.lockSites + this.faultSites > 0) {
      stats.note(
        `perf: call chains named the kernel caller of ${this.lockSites} mmap_lock events (their obj_lock site) and the handler of ${this.faultSites} faults (fault_end site)`,
      );
    }
    if (this.pidFromRecords > 0)
      stats.note(
        `perf: ${this.pidFromRecords} faults without a pid column took their process from the FORK/COMM records (not marked: the records are observed)`,
      );
    this.missing();
  }

  /** What the Linux-native faults rest on, and what each missing kind of event costs the Linux models. */
  private linuxNotes(): void {
    const { stats } = this.ctx;
    const l = this.linux;
    if (l.faults === 0) return;
    stats.note(
      `linux: ${l.faults} faults as lx_fault (${l.endsInferred} ended by the next event of their thread, no accounting sample), ` +
        `${l.noVma} outside every known VMA, ${l.writeLocked} met a writer's write-locked VMA, ${l.races} too close to a writer's start or end to tell`,
    );
    if (l.preexisting > 0) {
      stats.note(
        `linux: ${l.preexisting} mappings of processes already running when the capture began (perf's synthesized MMAP2 records): whether their VMAs had an anon_vma is not known, so faults needing one are undecidable (anon_vma_unknown), counted apart`,
      );
    }
    if (!l.sawLocks)
      stats.warn(
        'linux: no mmap_lock events: what the kernel locked is not observed (observed_map_locks is null; no agreement); record mmap_lock:* (traces/capture/linux/capture.sh)',
      );
    if (!l.sawMappings)
      stats.warn(
        "linux: no MMAP2 records: every fault's VMA is unknown (linux-vma predicts no_vma fallbacks); record with perf record -d and print with --show-mmap-events",
      );
    if (this.syscalls === 0)
      stats.warn(
        "linux: no syscalls:sys_enter_*/sys_exit_* events for mmap, munmap, mprotect, mremap, brk, madvise: writers' write-locked VMAs are not known (every write hold locks every VMA), unmapped ranges stay mapped",
      );
    if (this.accountingSamples === 0)
      stats.warn(
        'linux: no minor-faults/major-faults samples: every fault ends at the next event of its thread (marked inferred), and no fault is known to be major',
      );
  }

  /** What the input lacked: said once, with its cost and the command that fixes it. */
  private missing(): void {
    const { stats } = this.ctx;
    const f = this.faults;
    if (this.units === 0) return;
    if (this.faultEntries === 0) {
      const why =
        this.accountingSamples > 0
          ? `${this.accountingSamples} minor/major-faults samples but no fault entry tracepoints (they carry the address and error code)`
          : 'no page faults in the trace';
      stats.warn(`perf: 0 faults replayed: ${why}; record them: ${RECORD_FIX}`);
      return;
    }
    if (f.begun > 0 && f.completed === 0) {
      stats.warn(`perf: 0 faults completed: no minor-faults/major-faults samples (each fault's end and outcome); record them: ${RECORD_FIX}`);
    }
    if (this.mmapRecords === 0 && f.begun > 0) {
      stats.warn(
        `perf: no MMAP2/MMAP records: every fault's object is made up from the fault alone ` +
          `(${f.implicitMappings} one-page mappings; no files behind private mappings, so no copy-on-write shadows of files); print them: ${SIDEBAND_FIX}`,
      );
    }
    if (this.taskRecords === 0 && f.begun > 0) {
      stats.warn(
        `perf: no FORK/COMM/EXIT records: processes come from the sched tracepoints only (without a pid column a thread id is taken as its pid; ` +
          `exec does not drop the old image's mappings); print them: ${SIDEBAND_FIX}`,
      );
    } else if (this.execRecords === 0 && this.execTracepoints > 0) {
      stats.warn(`perf: exec tracepoints without PERF_RECORD_COMM exec records: run ${SIDEBAND_FIX}`);
    }
  }
}
