// The discrete-event core: CPUs with their own clocks and run queues, and
// threads as coroutines. Each step runs one thread on the CPU that can act
// earliest until the thread yields (CPU time, a sleep, a block), so step start
// times never decrease and everything logged before the next start can be
// written out. A thread runs on one CPU at a time, resumes on the CPU it slept
// on (LWKT threads wake where they slept), and moves only when its CPU is
// busy and another is idle, or when it is placed on the least loaded CPU.

import { MinHeap, type HeapItem } from './heap.js';
import { BLOCK, Cpu, SLEEP, type Thread, type ThreadBody, ThreadState } from './process.js';
import type { Rng } from './rng.js';

interface Sleeper extends HeapItem {
  thread: Thread;
}

/** Round-robin quantum when others wait for the CPU. */
const QUANTUM_NS = 400_000;

export interface Timer {
  /** next time it wants to run (Infinity: never) */
  due: number;
  run(now: number): void;
}

export class Scheduler {
  readonly cpus: Cpu[];
  private readonly sleepers = new MinHeap<Sleeper>();
  private seq = 0;
  private readonly timers: Timer[] = [];
  /** Only threads in the middle of a logged kernel operation still run. */
  draining = false;
  /** Called with the start time of every step before it runs (the output watermark). */
  onStep: (now: number) => void = () => {};

  constructor(
    ncpu: number,
    start: number,
    private readonly rng: Rng,
  ) {
    this.cpus = Array.from({ length: ncpu }, (_, i) => {
      const c = new Cpu(i);
      c.now = start;
      return c;
    });
  }

  addTimer(timer: Timer): void {
    this.timers.push(timer);
  }

  /** A new thread becomes runnable at `at`, on the least loaded CPU (ties: `near`). */
  start(thread: Thread, body: ThreadBody, at: number, near: Cpu | null): void {
    thread.body = body;
    let best = near ?? this.cpus[0]!;
    for (const c of this.cpus) if (c.load < best.load) best = c;
    this.enqueue(thread, best, at);
  }

  /** Wake a blocked thread at `at` (a child exited). */
  wake(thread: Thread, at: number): void {
    if (thread.state !== ThreadState.Blocked) return;
    thread.state = ThreadState.Sleeping;
    thread.readyAt = at;
    this.sleepers.push({ key: at, seq: this.seq++, thread });
  }

  /** Start time of the last step: no step starts earlier. */
  private clock = 0;

  /** Run one step; false when nothing is left to run. */
  step(): boolean {
    this.balance();
    let cpu: Cpu | null = null;
    let at = Infinity;
    for (const c of this.cpus) {
      const t = this.nextStart(c);
      if (t < at) {
        at = t;
        cpu = c;
      }
    }
    const sleeper = this.sleepers.peek();
    if (!cpu && !sleeper) return false;
    let timer: Timer | null = null;
    if (!this.draining) for (const tm of this.timers) if (tm.due <= at && (!timer || tm.due < timer.due)) timer = tm;
    if (sleeper && sleeper.key <= at && (!timer || sleeper.key <= timer.due)) {
      this.sleepers.pop();
      this.wakeUp(sleeper.thread);
      return true;
    }
    if (timer) {
      this.advance(timer.due);
      timer.run(timer.due);
      return true;
    }
    if (!cpu) return this.sleepers.size > 0;
    this.advance(at);
    this.run(cpu, at);
    return true;
  }

  private advance(at: number): void {
    this.clock = at;
    this.onStep(at);
  }

  private nextStart(c: Cpu): number {
    if (c.current) return c.now;
    const head = c.queue[0];
    // An idle CPU's clock is stale: it picks up work no earlier than now.
    return head ? Math.max(c.now, head.readyAt, this.clock) : Infinity;
  }

  private wakeUp(t: Thread): void {
    if (this.draining && t.ops === 0) return; // the trace is ending: leave it asleep
    // Back on the CPU it slept on unless that one is much busier than another.
    let target = t.cpu;
    if (t.ops === 0) {
      let least = target;
      for (const c of this.cpus) if (c.load < least.load) least = c;
      if (target.load - least.load >= 2) target = least;
    }
    this.enqueue(t, target, t.readyAt);
    if (t.ops > 0) {
      // Kernel priority: ahead of the user threads waiting for this CPU.
      target.queue.pop();
      target.queue.unshift(t);
    }
  }

  private enqueue(t: Thread, c: Cpu, at: number): void {
    t.state = ThreadState.Ready;
    t.readyAt = at;
    t.cpu = c;
    c.queue.push(t);
  }

  /** An idle CPU takes a waiting thread from the busiest queue (not one mid-operation). */
  private balance(): void {
    for (const idle of this.cpus) {
      if (idle.current || idle.queue.length > 0) continue;
      let donor: Cpu | null = null;
      for (const c of this.cpus) if (c.queue.length > 0 && c.current && (!donor || c.queue.length > donor.queue.length)) donor = c;
      if (!donor) return;
      const i = donor.queue.findIndex((t) => t.ops === 0);
      if (i < 0) continue;
      const [t] = donor.queue.splice(i, 1);
      t!.cpu = idle;
      idle.queue.push(t!);
    }
  }

  private run(c: Cpu, at: number): void {
    const t = c.current;
    if (!t) {
      // Switch a thread in; it runs from the next step (a switch takes time).
      const next = c.queue.shift()!;
      c.now = at + Math.round(this.rng.between(300, 1500));
      c.current = next;
      c.sliceStart = c.now;
      next.cpu = c;
      next.state = ThreadState.Running;
      return;
    }
    c.stepStart = c.now;
    if (this.draining && t.ops === 0) {
      c.current = null;
      t.state = ThreadState.Blocked;
      return;
    }
    const r = t.body!.next();
    if (r.done) {
      c.current = null;
      t.state = ThreadState.Done;
      t.body = null;
      return;
    }
    const y = r.value;
    if (y >= 0) {
      c.now += Math.round(y);
      // Round robin, never in the middle of a kernel operation; a thread woken
      // inside the kernel (I/O done) takes the CPU from a user thread at once.
      if (c.queue.length > 0 && t.ops === 0 && (c.now - c.sliceStart > QUANTUM_NS || c.queue[0]!.ops > 0)) {
        c.current = null;
        this.enqueue(t, c, c.now);
      }
      return;
    }
    c.current = null;
    if (y === SLEEP) {
      t.state = ThreadState.Sleeping;
      this.sleepers.push({ key: t.readyAt, seq: this.seq++, thread: t });
    } else if (y === BLOCK) {
      t.state = ThreadState.Blocked;
    }
  }
}
