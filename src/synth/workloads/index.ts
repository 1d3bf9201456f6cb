// The named workloads `vmreplay synth` can generate.

import { build } from './build.js';
import { forkexec } from './forkexec.js';
import { server } from './server.js';
import type { Workload } from './workload.js';

export type { Workload } from './workload.js';

export const WORKLOAD_NAMES = ['forkexec', 'build', 'server'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

export const WORKLOADS: Record<WorkloadName, Workload> = { forkexec, build, server };
