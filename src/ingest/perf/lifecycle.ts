// What the process records mean: fork, exec, exit and new mappings change the
// reader's processes and address spaces, and become vocabulary events:
// proc_fork / proc_exec / proc_exit as observed, exec_page, and (through the
// VM model) the reference, split and collapse events a BSD kernel would log.

import { type EventOut, KEY, WORD, inferred } from './emit.js';
import type { FaultMapper } from './faults.js';
import type { MmapLocks } from './mmap-locks.js';
import type { Proc, ProcessTable } from './processes.js';
import type { MmapRecord } from './records.js';
import type { VmEvents } from './vm-events.js';
import { MapEntry, type VmModel, type VmObject } from './vm-model.js';

/** Kernel-provided mappings: one shared object each, never copied. */
const SPECIAL = /^\[(vdso|vvar|vvar_vclock|vsyscall|uprobes|sigpage|vectors)\]$/;
/** Anonymous memory as perf names it. */
const ANON = /^(\/\/anon|\[heap\]|\[stack\]|\[anon:.*\]|)$/;

const INF_EXEC_PAGE = inferred('event', 'page');

export class Lifecycle {
  /** PERF_RECORD_COMM exec records seen (exec handling needs them) */
  execRecords = 0;

  constructor(
    private readonly out: EventOut,
    private readonly vm: VmEvents,
    private readonly model: VmModel,
    private readonly procs: ProcessTable,
    private readonly faults: FaultMapper,
    private readonly locks: MmapLocks,
    /** a thread is gone: drop what the framing keeps per thread */
    private readonly threadGone: (tid: number) => void,
  ) {}

  /** A new process. mmap_lock tells whether the forking thread copied an address space (dup_mmap). */
  fork(parent: Proc, childPid: number, childTid: number, parentTid: number): void {
    this.faults.close(parentTid);
    this.out.event('proc_fork').int(KEY.pid, parent.pid).int(KEY.child, childPid).int(KEY.tid, parentTid).end();
    const kind = !this.locks.observed ? 'unknown' : this.locks.takeCopied(parentTid) ? 'copy' : 'shares';
    this.procs.fork(parent, childPid, childTid, parentTid, kind);
  }

  /** One thread ended (EXIT record); the process with it when it was the last. */
  threadExit(p: Proc, tid: number): void {
    this.faults.close(tid);
    this.locks.forget(tid);
    this.threadGone(tid);
    if (this.procs.exitThread(p, tid)) this.exit(p, tid);
  }

  /** The whole process is gone: proc_exit, and its address space torn down unless it was still its parent's. */
  exit(p: Proc, tid: number): void {
    for (const t of p.threads) this.faults.close(t);
    this.out.event('proc_exit').int(KEY.pid, p.pid).int(KEY.tid, tid).end();
    this.dropSpace(p, tid);
    for (const t of p.threads) {
      this.locks.forget(t);
      this.threadGone(t);
    }
    this.procs.remove(p);
  }

  /** The exec record: the other threads end and the old image's mappings go. */
  execStart(p: Proc, tid: number): void {
    this.execRecords++;
    for (const t of p.threads) this.faults.close(t);
    for (const t of [...p.threads]) if (t !== tid) this.procs.exitThread(p, t);
    this.dropSpace(p, tid);
    p.executable = null;
    p.execPending = true;
  }

  /**
   * The exec tracepoint, after the new image is mapped: proc_exec, and
   * exec_page for the executable (exec_map_first_page read its first page;
   * whether it was cached is not traced: taken as valid).
   */
  execDone(p: Proc, tid: number, path: string | null, comm: string): void {
    const e = this.out.event('proc_exec').int(KEY.pid, p.pid);
    if (path !== null) e.str(KEY.path, path);
    e.str(KEY.comm, comm).int(KEY.tid, tid).end();
    const exe = (path !== null && mappedFile(p, path)) || p.executable;
    if (exe && p.execPending)
      this.out.event('exec_page').int(KEY.tid, tid).hex(KEY.obj, exe.addr.hi, exe.addr.lo).word(KEY.page, WORD.valid).inferred(INF_EXEC_PAGE).end();
    p.execPending = false;
  }

  /** A mapping record: a file (VNODE), kernel-provided (DEVICE) or anonymous entry. */
  mapped(p: Proc, r: MmapRecord): void {
    this.procs.touch(p);
    this.vm.actor(r.tid);
    let file: VmObject | null = null;
    if (SPECIAL.test(r.path)) file = this.model.objects.special(r.path);
    else if (!ANON.test(r.path) && !(r.major === 0 && r.minor === 0 && r.ino === 0)) {
      file = r.major >= 0 ? this.model.objects.vnode(r.major, r.minor, r.ino, r.path) : this.model.objects.vnodeByPath(r.path);
      if (p.execPending && !p.executable) p.executable = file;
    }
    if (file) this.vm.name(file);
    const vnode = file !== null && file.kind === 'vnode';
    this.model.map(p.space, new MapEntry(r.start, r.start + r.length, r.offset, r.shared, file, r.path, file, vnode && !r.shared));
  }

  /** exec or exit: the process's mappings go (a child still on its parent's space just leaves it). */
  private dropSpace(p: Proc, tid: number): void {
    if (this.procs.detach(p)) return;
    this.procs.touch(p);
    this.vm.actor(tid);
    this.model.teardown(p.space);
  }
}

/** The file mapped under `path` (sched_process_exec names the file exec'd). */
function mappedFile(p: Proc, path: string): VmObject | null {
  for (const e of p.space.entries) if (e.file && e.file.kind === 'vnode' && e.label === path) return e.file;
  return null;
}
