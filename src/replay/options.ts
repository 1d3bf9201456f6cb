// What a replay is asked for, and the same with every default applied. The
// defaults are applied here and only here: the `replay` command and the
// library's replay() resolve what they were given once, and the run, the
// engine and the store's manifest read the resolved options as they are.

import { modelsByName, resolveModels } from '../models/index.js';
import type { Knobs, LockingModel } from '../models/model.js';

/** What a replay is asked for; anything left out takes its default. */
export interface ReplayRequest {
  /** models by value or by registered name (default: the trace's family's models, each compared against its family's baseline) */
  readonly models?: readonly (LockingModel | string)[] | undefined;
  /** the sysctl vm.shared_fault (default true) */
  readonly sharedFault?: boolean | undefined;
  /** Linux models: the kernel whose per-VMA rules apply, as major * 100 + minor (606 for 6.6); default the capture's */
  readonly linuxVersion?: number | undefined;
  /** multiply every hold time in the contention estimate (default 1) */
  readonly holdScale?: number | undefined;
  /** hold time of a one-event lock site, ns (default 1000) */
  readonly siteHoldNs?: number | undefined;
}

/** A replay's options, every default applied. */
export interface ReplayOptions {
  /** the models to run, checked; undefined: the default models of the trace's family, chosen when its first batch tells the family */
  readonly models: readonly LockingModel[] | undefined;
  readonly knobs: Knobs;
  /** multiplies every hold time (sensitivity of the contention estimate) */
  readonly holdScale: number;
  /** hold time assumed for a lock site other than a fault (one event, no duration) */
  readonly siteHoldNs: number;
  /** faults in flight longer than this stop holding back the contention estimate */
  readonly maxFaultNs: number;
}

export const DEFAULT_REPLAY_OPTIONS = { sharedFault: true, holdScale: 1, siteHoldNs: 1000, maxFaultNs: 10e9 } as const;

/** `request` with every default applied; usage errors (unknown, repeated or colliding models) are thrown here. */
export function resolveReplayOptions(request: ReplayRequest): ReplayOptions {
  const given = request.models;
  return {
    models: given === undefined ? undefined : resolveModels(given.map((m) => (typeof m === 'string' ? modelsByName([m])[0]! : m))),
    knobs: {
      sharedFault: request.sharedFault ?? DEFAULT_REPLAY_OPTIONS.sharedFault,
      ...(request.linuxVersion === undefined ? {} : { linuxVersion: request.linuxVersion }),
    },
    holdScale: request.holdScale ?? DEFAULT_REPLAY_OPTIONS.holdScale,
    siteHoldNs: request.siteHoldNs ?? DEFAULT_REPLAY_OPTIONS.siteHoldNs,
    maxFaultNs: DEFAULT_REPLAY_OPTIONS.maxFaultNs,
  };
}
