// Running totals per model for the summary a replay prints (the tables hold
// the detail; these are the figures a user reads first).

import { LockClass, LockMode } from '../events/vocabulary.js';
import type { SiteKind } from '../models/facts.js';
import type { RecordingLockLog } from './lock-log.js';

const TOKEN = LockClass.codes.token;
const CHAIN = LockClass.codes.chain;
const X = LockMode.codes.X;

/**
 * A model's figures over a run, as plain counts: ModelTally keeps them, and
 * the run's result carries them as they are (run.ts, ModelTotals).
 */
export interface TallyCounts {
  faults: number;
  siteOps: number;
  attempts: number;
  restarts: number;
  upgrades: number;
  hazards: number;
  xTokens: number;
  sTokens: number;
  xChain: number;
  sChain: number;
  mapTokens: number;
  prefaultFull: number;
  /** chain links below the recorded levels no event described, met in faults (also in faults.unknown_links) */
  unknownLinks: number;
  /** the same, met at the other lock sites (recorded nowhere in the tables) */
  siteUnknownLinks: number;
  incomplete: number;
  waits: number;
  waitNs: number;
  /** Linux: mm lock and VMA lock acquisitions, and faults that took the mm lock */
  mmLocks: number;
  vmaLocks: number;
  mmFaults: number;
  /** Linux: faults the capture shows taking the mm lock, and of those the model predicted */
  observedMmFaults: number;
  agreedMmFaults: number;
  /** acquisitions of operations that rest on inferred events (acquisitions.inferred) */
  inferredAcquisitions: number;
}

const zeroCounts = (): TallyCounts => ({
  faults: 0,
  siteOps: 0,
  attempts: 0,
  restarts: 0,
  upgrades: 0,
  hazards: 0,
  xTokens: 0,
  sTokens: 0,
  xChain: 0,
  sChain: 0,
  mapTokens: 0,
  prefaultFull: 0,
  unknownLinks: 0,
  siteUnknownLinks: 0,
  incomplete: 0,
  waits: 0,
  waitNs: 0,
  mmLocks: 0,
  vmaLocks: 0,
  mmFaults: 0,
  observedMmFaults: 0,
  agreedMmFaults: 0,
  inferredAcquisitions: 0,
});

export class ModelTally {
  readonly counts: TallyCounts = zeroCounts();
  /** back-downs by rule */
  readonly backdowns = new Map<string, number>();
  /** Linux: the faults that took the mm lock, by why they first took it */
  readonly mmReasons = new Map<string, number>();
  // X / S token acquisitions by site id, counted in arrays (no Map update per
  // acquisition), with the sites in the order first seen (the maps' order).
  private readonly xCounts: number[] = [];
  private readonly sCounts: number[] = [];
  private readonly xSites: number[] = [];
  private readonly sSites: number[] = [];
  readonly siteKinds = new Map<SiteKind, number>();

  constructor(readonly model: string) {}

  fault(log: RecordingLockLog): void {
    const c = this.counts;
    c.faults++;
    c.attempts += log.attempts;
    c.restarts += log.restarts;
    if (log.prefaulted === 'full') c.prefaultFull++;
    if (log.result === 'incomplete') c.incomplete++;
    c.unknownLinks += log.unknownLinks;
    this.common(log);
  }

  /** A Linux fault; `observed` the mm lock acquisitions the capture shows (-1: not known). */
  linuxFault(log: RecordingLockLog, observed: number): void {
    const c = this.counts;
    this.fault(log);
    c.mmLocks += log.mmLocks;
    c.vmaLocks += log.vmaLocks;
    if (log.mmLocks > 0) c.mmFaults++;
    if (log.mmReason !== null) this.mmReasons.set(log.mmReason, (this.mmReasons.get(log.mmReason) ?? 0) + 1);
    if (observed > 0) {
      c.observedMmFaults++;
      if (log.mmLocks > 0) c.agreedMmFaults++;
    }
  }

  site(kind: SiteKind, log: RecordingLockLog): void {
    this.counts.siteOps++;
    this.siteKinds.set(kind, (this.siteKinds.get(kind) ?? 0) + 1);
    this.counts.siteUnknownLinks += log.unknownLinks;
    this.common(log);
  }

  /** A wait the contention estimate found. */
  wait(ns: number): void {
    this.counts.waits++;
    this.counts.waitNs += ns;
  }

  /** X token acquisitions by site id, sites in the order first seen */
  get xBySite(): Map<number, number> {
    return new Map(this.xSites.map((site) => [site, this.xCounts[site]!]));
  }

  /** S token acquisitions by site id, sites in the order first seen */
  get sBySite(): Map<number, number> {
    return new Map(this.sSites.map((site) => [site, this.sCounts[site]!]));
  }

  get backdownTotal(): number {
    let n = 0;
    for (const v of this.backdowns.values()) n += v;
    return n;
  }

  private common(log: RecordingLockLog): void {
    const c = this.counts;
    c.upgrades += log.upgrades;
    c.hazards += log.hazards.length;
    for (const b of log.backdowns) this.backdowns.set(b.rule, (this.backdowns.get(b.rule) ?? 0) + 1);
    for (let a = 0; a < log.n; a++) {
      const cls = log.cls[a];
      const isX = log.mode[a] === X;
      if (cls === TOKEN) {
        const site = log.site[a]!;
        if (isX) {
          c.xTokens++;
          if (!(this.xCounts[site]! > 0)) this.firstSeen(this.xCounts, this.xSites, site);
          this.xCounts[site]!++;
        } else {
          c.sTokens++;
          if (!(this.sCounts[site]! > 0)) this.firstSeen(this.sCounts, this.sSites, site);
          this.sCounts[site]!++;
        }
      } else if (cls === CHAIN) {
        if (isX) c.xChain++;
        else c.sChain++;
      }
    }
  }

  /** `site` counted for the first time (its count is 0 or beyond the array) */
  private firstSeen(counts: number[], sites: number[], site: number): void {
    while (counts.length <= site) counts.push(0); // packed, no holes
    sites.push(site);
  }
}
