// Processes and threads as the perf records show them, each process with its
// address space. Linux FORK records do not say whether the child got a copy of
// the address space (fork) or shares it (vfork, posix_spawn: CLONE_VM), so a
// fork comes with what the reader could tell:
// - `copy`: the forking thread was seen copying an address space (dup_mmap
//   takes a second mm's lock for writing): the copy is made at once;
// - `shares`: mmap_lock events are traced and it was not: the child runs on
//   its parent's space until it execs or exits, as with a BSD vfork;
// - `unknown`: no mmap_lock events: the child starts on its parent's space and
//   the copy is made when the child or the parent next touches memory (a
//   child that execs or exits first is taken as a vfork).

import { AddressSpace, type VmModel, type VmObject } from './vm-model.js';

export type ForkKind = 'copy' | 'shares' | 'unknown';

export interface ForkPoint {
  readonly parent: Proc;
  /** the thread that forked */
  readonly tid: number;
  /** the child shares the space for good (CLONE_VM seen): touching memory does not copy it */
  readonly shares: boolean;
}

export class Proc {
  space = new AddressSpace();
  readonly threads = new Set<number>();
  /** set while the child runs on its parent's space */
  forkedFrom: ForkPoint | null = null;
  /** children of kind `unknown` still on this process's space */
  readonly undecided = new Set<Proc>();
  /** the first file mapped since the last exec: the executable */
  executable: VmObject | null = null;
  /** an exec record reset the space and no proc_exec was written for it yet */
  execPending = false;

  constructor(
    readonly pid: number,
    public comm: string,
  ) {}
}

export class ProcessTable {
  private readonly procs = new Map<number, Proc>();
  private readonly byThread = new Map<number, Proc>();
  /** forks that copied the address space, told by dup_mmap or by a later touch */
  copiedSeen = 0;
  copiedOnTouch = 0;
  /** forks whose child exec'd or exited on its parent's space */
  sharedSeen = 0;
  sharedUntilExec = 0;

  constructor(
    private readonly model: VmModel,
    /** runs `copy` with the reader's events attributed to the forking thread */
    private readonly asThread: (tid: number, copy: () => void) => void,
  ) {}

  /** The process of a thread, made up when the trace did not show its start. */
  get(pid: number, tid: number, comm: () => string): Proc {
    let p = this.procs.get(pid);
    if (!p) {
      p = new Proc(pid, comm());
      this.procs.set(pid, p);
    }
    if (!p.threads.has(tid)) this.thread(p, tid);
    return p;
  }

  /** The pid of a thread seen before, or -1. */
  pidOf(tid: number): number {
    return this.byThread.get(tid)?.pid ?? -1;
  }

  find(pid: number): Proc | undefined {
    return this.procs.get(pid);
  }

  known(pid: number): boolean {
    return this.procs.has(pid);
  }

  /** A new thread in an existing process. */
  thread(p: Proc, tid: number): void {
    p.threads.add(tid);
    this.byThread.set(tid, p);
  }

  fork(parent: Proc, childPid: number, childTid: number, tid: number, kind: ForkKind): Proc {
    const old = this.procs.get(childPid);
    if (old) this.remove(old); // pid reused: the old one's exit was not seen
    const child = new Proc(childPid, parent.comm);
    this.procs.set(childPid, child);
    this.thread(child, childTid);
    if (kind === 'copy') {
      this.copiedSeen++;
      this.asThread(tid, () => (child.space = this.model.fork(parent.space)));
    } else {
      child.space = parent.space;
      child.forkedFrom = { parent, tid, shares: kind === 'shares' };
      if (kind === 'unknown') parent.undecided.add(child);
    }
    return child;
  }

  /** `p` is about to touch memory: a fork of unknown kind it is part of was a copy, made now. */
  touch(p: Proc): void {
    if (p.forkedFrom && !p.forkedFrom.shares) this.copy(p);
    if (p.undecided.size > 0) for (const c of [...p.undecided]) this.copy(c);
  }

  /** `p` execs or exits: a child still on its parent's space leaves it without a copy. */
  detach(p: Proc): boolean {
    const at = p.forkedFrom;
    if (!at) return false;
    at.parent.undecided.delete(p);
    p.forkedFrom = null;
    p.space = new AddressSpace();
    if (at.shares) this.sharedSeen++;
    else this.sharedUntilExec++;
    return true;
  }

  /** A thread ended; true when it was its process's last. */
  exitThread(p: Proc, tid: number): boolean {
    p.threads.delete(tid);
    this.byThread.delete(tid);
    return p.threads.size === 0;
  }

  remove(p: Proc): void {
    for (const tid of p.threads) this.byThread.delete(tid);
    p.threads.clear();
    if (this.procs.get(p.pid) === p) this.procs.delete(p.pid);
  }

  private copy(child: Proc): void {
    const at = child.forkedFrom!;
    at.parent.undecided.delete(child);
    child.forkedFrom = null;
    this.copiedOnTouch++;
    this.asThread(at.tid, () => (child.space = this.model.fork(at.parent.space)));
  }
}
