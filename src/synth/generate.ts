// One synthetic trace: build the system, boot the workload, run it silently
// until it is in a steady state, then open the trace window (the marker event
// first) and log until the event budget is reached, letting the kernel
// operations in progress finish so that no fault is cut off at either end.

import { VERSION } from '../common/version.js';
import { Emitter } from './emit.js';
import { PageoutDaemon, type Pressure } from './pageout.js';
import { Rng } from './rng.js';
import { Scheduler } from './sched.js';
import type { EventSink } from './sink.js';
import { WORKLOADS, type WorkloadName } from './workloads/index.js';
import { type KernelVersion, World } from './world.js';
import { SYNTHETIC_MARKER } from '../events/vocabulary.js';

export const GENERATOR = 'vmreplay';

export interface SynthOptions {
  workload: WorkloadName;
  cpus: number;
  /** events to log (a few more: operations in progress are finished) */
  events: number;
  seed: number;
  /** the kernel the trace pretends to be captured on: `new` logs its own back-downs */
  kernel: KernelVersion;
  /** default: the workload's */
  pressure?: Pressure | undefined;
}

export interface SynthSummary {
  events: number;
  /** events by name */
  counts: Map<string, number>;
  /** trace window, ns */
  startNs: number;
  endNs: number;
  pressure: Pressure;
  /** events logged off their step's time (0: every event saw the state of its own instant) */
  outOfStep: number;
}

/** Uptime when the simulation starts, ns. */
const BOOT_NS = 5_000_000_000;

export async function generate(options: SynthOptions, sink: EventSink): Promise<SynthSummary> {
  const workload = WORKLOADS[options.workload];
  const pressure = options.pressure ?? workload.pressure;
  const rng = new Rng(options.seed);
  const sched = new Scheduler(options.cpus, BOOT_NS, rng);
  const emitter = new Emitter((e) => sink.write(e));
  let now = BOOT_NS;
  sched.onStep = (t) => {
    now = t;
    emitter.clock = t;
    emitter.flush(t);
  };
  const w = new World(rng, emitter, sched, options.kernel);
  sched.addTimer(new PageoutDaemon(w, pressure, BOOT_NS));
  workload.boot(w, options.cpus);

  const windowStart = BOOT_NS + workload.warmupNs;
  while (now < windowStart && sched.step());
  // A fault in progress when the window opens finishes unlogged (no fault is
  // cut off); other operations in progress log the rest of their events, as
  // a real capture would.
  for (const p of w.procs) for (const t of p.threads) if (t.inFault) t.muted = true;
  emitter.silent = false;
  const start = now;
  emitter.raw(start, 0, SYNTHETIC_MARKER, [
    ['workload', workload.name],
    ['seed', options.seed],
    ['cpus', options.cpus],
    ['kernel', options.kernel],
    ['pressure', pressure],
    ['generator', GENERATOR],
    ['version', VERSION],
  ]);

  let steps = 0;
  while (sched.step()) {
    if (!sched.draining && emitter.total >= options.events) sched.draining = true;
    if ((++steps & 1023) === 0) await sink.flush();
  }
  emitter.flushAll();
  await sink.flush();
  return { events: emitter.total, counts: emitter.counts, startNs: start, endNs: now, pressure, outOfStep: emitter.outOfStep };
}
