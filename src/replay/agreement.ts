// Checks a model against what the captured kernel really did: where a trace
// logs obj_lock acquisitions inside a fault, the multiset of (object, class,
// mode) the kernel took is compared with the model's, per site. The model that
// matches the captured kernel should agree; the others show where they differ.

import { AGREEMENT } from './tables.js';
import type { LoggedLock } from './assemble.js';
import type { RecordingLockLog } from './lock-log.js';
import { type TableOutput, tableBuilder } from './output.js';
import type { StringTable } from '../columns/strings.js';

interface Counts {
  matched: number;
  modelOnly: number;
  traceOnly: number;
}

const key = (obj: number, cls: number, mode: number): number => obj * 8 + cls * 2 + mode;

export class AgreementTally {
  /** per model: site id -> counts */
  readonly bySite: Map<number, Counts>[];
  faultsCompared = 0;

  constructor(readonly models: readonly string[]) {
    this.bySite = models.map(() => new Map());
  }

  fault(m: number, locks: readonly LoggedLock[], log: RecordingLockLog): void {
    if (m === 0) this.faultsCompared++;
    const sites = this.bySite[m]!;
    const counts = (site: number): Counts => {
      let c = sites.get(site);
      if (!c) sites.set(site, (c = { matched: 0, modelOnly: 0, traceOnly: 0 }));
      return c;
    };
    // The kernel's acquisitions not yet matched, by key.
    const open = new Map<number, LoggedLock[]>();
    for (const l of locks) {
      const k = key(l.obj, l.cls, l.mode);
      const list = open.get(k);
      if (list) list.push(l);
      else open.set(k, [l]);
    }
    for (let a = 0; a < log.n; a++) {
      const list = open.get(key(log.obj[a]!, log.cls[a]!, log.mode[a]!));
      if (list && list.length > 0) {
        list.pop();
        counts(log.site[a]!).matched++;
      } else counts(log.site[a]!).modelOnly++;
    }
    for (const list of open.values()) for (const l of list) counts(l.site).traceOnly++;
  }

  /** Per model, the counts over every site. */
  totals(): { model: string; matched: number; modelOnly: number; traceOnly: number }[] {
    return this.bySite.map((sites, m) => {
      const t = { model: this.models[m]!, matched: 0, modelOnly: 0, traceOnly: 0 };
      for (const c of sites.values()) {
        t.matched += c.matched;
        t.modelOnly += c.modelOnly;
        t.traceOnly += c.traceOnly;
      }
      return t;
    });
  }

  /** The `agreement` table. */
  write(strings: StringTable, out: TableOutput): void {
    const builder = tableBuilder(AGREEMENT, out, 1024);
    this.bySite.forEach((sites, m) => {
      const model = strings.intern(this.models[m]!);
      for (const [site, c] of sites) {
        const r = builder.row();
        const a = builder.current.cols;
        a.model[r] = model;
        a.site[r] = site;
        a.matched[r] = c.matched;
        a.model_only[r] = c.modelOnly;
        a.trace_only[r] = c.traceOnly;
      }
    });
    builder.finishBatch();
  }
}
