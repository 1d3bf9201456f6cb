// Running totals per model for the summary a replay prints (the tables hold
// the detail; these are the figures a user reads first).

import { LockClass, LockMode } from '../events/vocabulary.js';
import type { SiteKind } from '../models/facts.js';
import type { RecordingLockLog } from './lock-log.js';

const TOKEN = LockClass.codes.token;
const CHAIN = LockClass.codes.chain;
const X = LockMode.codes.X;

export class ModelTally {
  faults = 0;
  siteOps = 0;
  attempts = 0;
  restarts = 0;
  upgrades = 0;
  hazards = 0;
  xTokens = 0;
  sTokens = 0;
  xChain = 0;
  sChain = 0;
  mapTokens = 0;
  prefaultFull = 0;
  /** chain links below the recorded levels no event described, met in faults (also in faults.unknown_links) */
  unknownLinks = 0;
  /** the same, met at the other lock sites (recorded nowhere in the tables) */
  siteUnknownLinks = 0;
  incomplete = 0;
  waits = 0;
  waitNs = 0;
  readonly backdowns = new Map<string, number>();
  /** Linux: mm lock and VMA lock acquisitions, faults that took the mm lock, and those faults by why they first took it */
  mmLocks = 0;
  vmaLocks = 0;
  mmFaults = 0;
  readonly mmReasons = new Map<string, number>();
  /** Linux: faults the capture shows taking the mm lock, and of those the model predicted */
  observedMmFaults = 0;
  /** acquisitions of operations that rest on inferred events (acquisitions.inferred) */
  inferredAcquisitions = 0;
  agreedMmFaults = 0;
  // X / S token acquisitions by site id, counted in arrays (no Map update per
  // acquisition), with the sites in the order first seen (the maps' order).
  private readonly xCounts: number[] = [];
  private readonly sCounts: number[] = [];
  private readonly xSites: number[] = [];
  private readonly sSites: number[] = [];
  readonly siteKinds = new Map<SiteKind, number>();

  constructor(readonly model: string) {}

  fault(log: RecordingLockLog): void {
    this.faults++;
    this.attempts += log.attempts;
    this.restarts += log.restarts;
    if (log.prefaulted === 'full') this.prefaultFull++;
    if (log.result === 'incomplete') this.incomplete++;
    this.unknownLinks += log.unknownLinks;
    this.common(log);
  }

  /** A Linux fault; `observed` the mm lock acquisitions the capture shows (-1: not known). */
  linuxFault(log: RecordingLockLog, observed: number): void {
    this.fault(log);
    this.mmLocks += log.mmLocks;
    this.vmaLocks += log.vmaLocks;
    if (log.mmLocks > 0) this.mmFaults++;
    if (log.mmReason !== null) this.mmReasons.set(log.mmReason, (this.mmReasons.get(log.mmReason) ?? 0) + 1);
    if (observed > 0) {
      this.observedMmFaults++;
      if (log.mmLocks > 0) this.agreedMmFaults++;
    }
  }

  site(kind: SiteKind, log: RecordingLockLog): void {
    this.siteOps++;
    this.siteKinds.set(kind, (this.siteKinds.get(kind) ?? 0) + 1);
    this.siteUnknownLinks += log.unknownLinks;
    this.common(log);
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
    this.upgrades += log.upgrades;
    this.hazards += log.hazards.length;
    for (const b of log.backdowns) this.backdowns.set(b.rule, (this.backdowns.get(b.rule) ?? 0) + 1);
    for (let a = 0; a < log.n; a++) {
      const cls = log.cls[a];
      const isX = log.mode[a] === X;
      if (cls === TOKEN) {
        const site = log.site[a]!;
        if (isX) {
          this.xTokens++;
          if (!(this.xCounts[site]! > 0)) this.firstSeen(this.xCounts, this.xSites, site);
          this.xCounts[site]!++;
        } else {
          this.sTokens++;
          if (!(this.sCounts[site]! > 0)) this.firstSeen(this.sCounts, this.sSites, site);
          this.sCounts[site]!++;
        }
      } else if (cls === CHAIN) {
        if (isX) this.xChain++;
        else this.sChain++;
      }
    }
  }

  /** `site` counted for the first time (its count is 0 or beyond the array) */
  private firstSeen(counts: number[], sites: number[], site: number): void {
    while (counts.length <= site) counts.push(0); // packed, no holes
    sites.push(site);
  }
}
