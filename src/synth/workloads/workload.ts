// What a named workload provides: the processes running when the simulation
// starts, the memory pressure it runs under, and how long the system runs
// before the trace window opens (so the trace starts in a steady state, with
// processes, shadow chains and reference counts already there, as a real
// capture does).

import type { Pressure } from '../pageout.js';
import type { World } from '../world.js';

export interface Workload {
  readonly name: string;
  readonly summary: string;
  readonly pressure: Pressure;
  /** simulated time before the trace window opens, ns */
  readonly warmupNs: number;
  /** Start the processes that run the workload. */
  boot(w: World, cpus: number): void;
}
