// The replay engine: one pass over the canonical events drives every
// requested model. Fault events are joined into whole faults per thread; each
// complete fault and each other lock site is handed to every model in turn,
// and what each model did becomes rows (model-rows.ts), hold intervals for the
// contention estimate, and tallies for the summary.

import { NULL_I32 } from '../columns/table.js';
import type { AddressTable } from '../columns/addresses.js';
import { ObjectRegistry, ProcessRegistry } from './registry.js';
import { EVENTS, type EventBatch } from '../events/schema.js';
import type { StringTable } from '../columns/strings.js';
import { K, SYNTHETIC_MARKER } from '../events/vocabulary.js';
import { inferredBit } from '../events/rules.js';
import type { FileStats } from '../ingest/common/stats.js';
import type { SiteOp } from '../models/facts.js';
import { type DragonFlyModel, type Knobs, type LinuxModel, type LockingModel, isLinuxModel } from '../models/model.js';
import { linuxFacts, releaseVersion } from './linux-facts.js';
import { AgreementTally } from './agreement.js';
import { type AssembledFault, FaultAssembler } from './assemble.js';
import { ContentionSimulator } from './contention.js';
import { resolveFault } from './resolve-fault.js';
import { RecordingLockLog } from './lock-log.js';
import type { TableOutput } from './output.js';
import { type OpPlace, ModelRows } from './model-rows.js';
import { siteOpOf } from './site-ops.js';
import { ModelTally } from './tally.js';
import { Timeline } from './timeline.js';
import type { ReplayOptions } from './options.js';

/** The run's resolved options (options.ts), with its models chosen. */
export interface EngineOptions extends ReplayOptions {
  readonly models: readonly LockingModel[];
}

const knobVersion = (k: Knobs): number | undefined => k.linuxVersion;

export interface ReplayDictionaries {
  readonly strings: StringTable;
  readonly addresses: AddressTable;
  readonly files: readonly FileStats[];
}

export class ReplayEngine {
  readonly registry = new ObjectRegistry();
  readonly processes = new ProcessRegistry();
  readonly tallies: ModelTally[];
  readonly agreement: AgreementTally;
  readonly assembler: FaultAssembler;
  private readonly contention: ContentionSimulator;
  private readonly log: RecordingLockLog;
  private readonly timeline = new Timeline();
  private readonly rows: ModelRows;
  private readonly chain = { below: (obj: number) => this.registry.below(obj) };
  /** string ids of the site kinds, for acquisitions.op_kind */
  private readonly kindIds = new Map<string, number>();
  private readonly faultKind: number;
  /** where the current operation happened: one object, refilled for each */
  private readonly where: OpPlace = { opId: 0, opKind: 0, cpu: 0, tid: 0, pid: 0, inferred: 0 };
  /** the inferred bit of an event that the reader inferred as a whole */
  private readonly eventBit = inferredBit('event');
  private readonly nextOpId = (): number => this.assembler.opId();
  private lastTs = -Infinity;
  private readonly syntheticName: number;
  /** the payload of a `vmtrace_synthetic` marker event: the trace was generated */
  synthetic: string | null = null;
  events = 0;
  faultsReplayed = 0;
  faultsUnreplayable = 0;
  /** of those, faults one of whose lines was rejected */
  faultsUnreplayableDamaged = 0;
  siteOps = 0;

  /** the models of each family, with their index among options.models */
  private readonly dragonfly: { m: number; model: DragonFlyModel }[] = [];
  private readonly linux: { m: number; model: LinuxModel }[] = [];
  linuxFaults = 0;
  /** the families of the run's models */
  readonly families = new Set<string>();

  constructor(
    private readonly dict: ReplayDictionaries,
    private readonly out: TableOutput,
    private readonly options: EngineOptions,
  ) {
    const s = dict.strings;
    this.log = new RecordingLockLog(s);
    this.rows = new ModelRows(
      out,
      s,
      options.models.map((m) => s.intern(m.name)),
    );
    this.tallies = options.models.map((m) => new ModelTally(m.name));
    this.agreement = new AgreementTally(options.models.map((m) => m.name));
    this.syntheticName = s.intern(SYNTHETIC_MARKER);
    options.models.forEach((model, m) => (isLinuxModel(model) ? this.linux.push({ m, model }) : this.dragonfly.push({ m, model })));
    for (const model of options.models) this.families.add(model.family ?? 'dragonfly');
    this.faultKind = this.kindId('fault');
    this.contention = new ContentionSimulator(options.models.length, (w) => {
      this.rows.wait(w);
      this.tallies[w.segment.model]!.wait(w.waitNs);
    });
    this.assembler = new FaultAssembler(
      dict.files,
      s,
      (f) => this.fault(f),
      (obj, below) => this.registry.link(obj, below),
      { recycle: true }, // fault() keeps nothing of a fault once it returns
    );
  }

  /** Replay one batch of events (in time order) and pass it on as the `events` table. */
  batch(b: EventBatch): void {
    const c = b.cols;
    for (let i = 0; i < b.length; i++) {
      const kind = c.kind[i]!;
      const ts = c.ts[i]!;
      if (ts > this.lastTs) this.lastTs = ts;
      if (kind === K.lx_fault) {
        this.linuxFault(b, i);
        continue;
      }
      const op = kind > K.obj_lock ? siteOpOf(b, i, this.registry, this.nextOpId, this.dict.strings) : null;
      this.registry.apply(b, i);
      this.processes.apply(b, i);
      if (kind <= K.obj_lock) this.assembler.event(b, i);
      else if (op) this.replaySite(op, b, i);
      else if (kind === K.unknown && c.name[i] === this.syntheticName) this.synthetic = this.dict.strings.get(c.extra[i]!) ?? 'generated';
    }
    this.events += b.length;
    this.out.write(EVENTS, b);
    const inFlight = this.assembler.earliestInFlight();
    this.contention.advance(Math.max(Math.min(inFlight, this.lastTs), this.lastTs - this.options.maxFaultNs));
  }

  finish(): void {
    this.assembler.finish();
    this.contention.finish();
    this.rows.finish();
  }

  get models(): readonly LockingModel[] {
    return this.options.models;
  }

  get contentionStats(): { waits: number; late: number } {
    return { waits: this.contention.waits, late: this.contention.late };
  }

  // ---- lock sites other than vm_fault ----

  private replaySite(op: SiteOp, b: EventBatch, i: number): void {
    if (this.dragonfly.length === 0) return;
    const c = b.cols;
    const ts = c.ts[i]!;
    const pid = c.pid[i] !== NULL_I32 ? c.pid[i]! : this.processes.pidOf(op.tid);
    this.siteOps++;
    const where = this.place(op.id, this.kindId(op.kind), c.cpu[i]!, op.tid, pid, (c.inferred[i]! & this.eventBit) !== 0 || this.linuxCapture(c.src_file[i]!));
    const hold = this.options.siteHoldNs * this.options.holdScale;
    const { knobs } = this.options;
    const log = this.log;
    for (const { m, model } of this.dragonfly) {
      log.reset();
      model.site(op, knobs, log);
      this.timeline.layout(log, ts, hold, 0);
      this.rows.operation(m, where, log, this.timeline, this.contention);
      this.tallies[m]!.site(op.kind, log);
      if (where.inferred) this.tallies[m]!.counts.inferredAcquisitions += log.n;
    }
  }

  // ---- faults ----

  private fault(af: AssembledFault): void {
    if (this.dragonfly.length === 0) return; // a Linux capture's mapped faults, with no DragonFly model to replay them
    const resolved = resolveFault(af, this.registry, this.chain);
    if (!resolved) {
      this.faultsUnreplayable++;
      if (this.assembler.lineRejectedIn(af)) this.faultsUnreplayableDamaged++;
      return;
    }
    const { facts, inferred } = resolved;
    this.faultsReplayed++;
    this.registry.faultsFirst[facts.phases[0]!.levels[0]!.obj]!++;
    const mapped = this.linuxCapture(0);
    const where = this.place(af.id, this.faultKind, af.cpu, af.tid, af.pid, mapped);
    const duration = Math.max(0, af.tsEnd - af.tsBegin);
    const ioNs = Number.isNaN(af.ioNs) ? 0 : Math.min(af.ioNs, duration);
    const cpuNs = (duration - ioNs) * this.options.holdScale;
    const { knobs } = this.options;
    const log = this.log;
    for (const { m, model } of this.dragonfly) {
      log.reset();
      model.fault(facts, knobs, log);
      this.timeline.layout(log, af.tsBegin, cpuNs, ioNs);
      this.rows.mapToken(m, af, duration, mapped);
      this.tallies[m]!.counts.mapTokens++;
      this.rows.operation(m, where, log, this.timeline, this.contention);
      this.rows.fault(m, af, facts, inferred, log);
      this.tallies[m]!.fault(log);
      if (mapped) this.tallies[m]!.counts.inferredAcquisitions += log.n + 1;
      if (af.locks.length > 0) this.agreement.fault(m, af.locks, log);
    }
  }

  // ---- Linux faults ----

  private linuxFault(b: EventBatch, i: number): void {
    if (this.linux.length === 0) return;
    const c = b.cols;
    const file = this.dict.files[c.src_file[i]!];
    const version = releaseVersion(file?.kernelRelease ?? null);
    const id = this.nextOpId();
    const facts = linuxFacts(b, i, id, knobVersion(this.options.knobs) ?? version, this.dict.addresses);
    const observed = c.obs_mm[i]!;
    const tsEnd = c.ts[i]!;
    const duration = Number.isNaN(c.dur_ns[i]!) ? 0 : c.dur_ns[i]!;
    const tsBegin = tsEnd - duration;
    this.linuxFaults++;
    this.faultsReplayed++;
    const where = this.place(id, this.faultKind, c.cpu[i]!, facts.tid, c.pid[i]!);
    const cpuNs = duration * this.options.holdScale;
    const { knobs } = this.options;
    const log = this.log;
    for (const { m, model } of this.linux) {
      log.reset();
      model.fault(facts, knobs, log);
      this.timeline.layout(log, tsBegin, cpuNs, 0);
      this.rows.operation(m, where, log, this.timeline, this.contention);
      this.rows.linuxFault(m, b, i, id, tsBegin, log, observed);
      this.tallies[m]!.linuxFault(log, observed);
    }
  }

  /** A Linux capture's file: its DragonFly operations rest on the reader's mapping onto BSD objects. */
  private linuxCapture(file: number): boolean {
    const f = this.dict.files[file]?.format;
    return f === 'perf' || f === 'perf-data';
  }

  private place(opId: number, opKind: number, cpu: number, tid: number, pid: number, inferred = false): OpPlace {
    const w = this.where;
    w.inferred = inferred ? 1 : 0;
    w.opId = opId;
    w.opKind = opKind;
    w.cpu = cpu;
    w.tid = tid;
    w.pid = pid;
    return w;
  }

  private kindId(kind: string): number {
    let id = this.kindIds.get(kind);
    if (id === undefined) this.kindIds.set(kind, (id = this.dict.strings.intern(kind)));
    return id;
  }
}
