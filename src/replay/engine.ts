// The replay engine: one pass over the canonical events drives every
// requested model. Fault events are joined into whole faults per thread; each
// complete fault and each other lock site is handed to every model in turn,
// and what each model did becomes rows of the acquisitions, faults, backdowns
// and hazards tables, hold intervals for the contention estimate, and tallies
// for the summary.

import { BatchBuilder, type ColumnSpec, NULL_ENUM, NULL_I32, NULL_ID, type TableSpec, type ColumnBatch } from '../columns/table.js';
import type { AddressTable } from '../events/addresses.js';
import { ObjectRegistry, ProcessTable } from '../events/registry.js';
import { EVENTS, type EventBatch } from '../events/schema.js';
import type { StringTable } from '../events/strings.js';
import { K, LockClass, LockMode, MapKind, OT } from '../events/vocabulary.js';
import type { FileStats } from '../ingest/common/stats.js';
import type { FaultFacts, SiteOp } from '../models/facts.js';
import type { Knobs, LockingModel } from '../models/model.js';
import { AgreementTally } from './agreement.js';
import { type AssembledFault, FaultAssembler } from './assemble.js';
import { ContentionSimulator, type Wait } from './contention.js';
import { resolveFault } from './facts.js';
import { RecordingLockLog } from './lock-log.js';
import type { TableOutput } from './output.js';
import { ModelTally } from './tally.js';
import { ACQUISITIONS, BACKDOWNS, FAULTS, HAZARDS, WAITS } from './tables.js';
import { Timeline } from './timeline.js';

export interface ReplayOptions {
  readonly models: readonly LockingModel[];
  readonly knobs: Knobs;
  /** multiplies every hold time (sensitivity of the contention estimate) */
  readonly holdScale: number;
  /** hold time assumed for a lock site other than a fault (one event, no duration) */
  readonly siteHoldNs: number;
  /** faults in flight longer than this stop holding back the contention estimate */
  readonly maxFaultNs: number;
}

export const DEFAULT_REPLAY_OPTIONS = { holdScale: 1, siteHoldNs: 1000, maxFaultNs: 10e9 } as const;

export interface ReplayDictionaries {
  readonly strings: StringTable;
  readonly addresses: AddressTable;
  readonly files: readonly FileStats[];
}

const BATCH = 8192;
const TOKEN = LockClass.codes.token;
const MAP = LockClass.codes.map;

export class ReplayEngine {
  readonly registry = new ObjectRegistry();
  readonly processes = new ProcessTable();
  readonly tallies: ModelTally[];
  readonly agreement: AgreementTally;
  readonly assembler: FaultAssembler;
  private readonly contention: ContentionSimulator;
  private readonly log: RecordingLockLog;
  private readonly timeline = new Timeline();
  private readonly modelIds: number[];
  private readonly acquisitions: BatchBuilder<typeof ACQUISITIONS.columns>;
  private readonly faults: BatchBuilder<typeof FAULTS.columns>;
  private readonly backdowns: BatchBuilder<typeof BACKDOWNS.columns>;
  private readonly hazards: BatchBuilder<typeof HAZARDS.columns>;
  private readonly waits: BatchBuilder<typeof WAITS.columns>;
  private readonly chain = { below: (obj: number) => this.registry.below(obj) };
  private readonly ids: Record<string, number>;
  private lastTs = -Infinity;
  private readonly syntheticName: number;
  /** the payload of a `vmtrace_synthetic` marker event: the trace was generated */
  synthetic: string | null = null;
  events = 0;
  faultsReplayed = 0;
  faultsUnreplayable = 0;
  siteOps = 0;

  constructor(
    private readonly dict: ReplayDictionaries,
    private readonly out: TableOutput,
    private readonly options: ReplayOptions,
  ) {
    const s = dict.strings;
    this.log = new RecordingLockLog(s);
    this.modelIds = options.models.map((m) => s.intern(m.name));
    this.tallies = options.models.map((m) => new ModelTally(m.name));
    this.agreement = new AgreementTally(options.models.map((m) => m.name));
    const builder = <S extends readonly ColumnSpec[]>(spec: TableSpec<S>) =>
      new BatchBuilder(spec, BATCH, (b) => out.write(spec, b as unknown as ColumnBatch<readonly ColumnSpec[]>));
    this.acquisitions = builder(ACQUISITIONS);
    this.faults = builder(FAULTS);
    this.backdowns = builder(BACKDOWNS);
    this.hazards = builder(HAZARDS);
    this.waits = builder(WAITS);
    this.ids = Object.fromEntries(
      ['fault', 'vm_fault', 'map_token', 'full', 'quick', ...['exec_page', 'page_grab', 'load_section', 'reference', 'deallocate', 'shadow', 'map_split', 'collapse']].map(
        (k) => [k, s.intern(k)],
      ),
    );
    this.syntheticName = s.intern('vmtrace_synthetic');
    this.contention = new ContentionSimulator(options.models.length, (w) => this.wait(w));
    this.assembler = new FaultAssembler(
      dict.files,
      s,
      (f) => this.fault(f),
      (obj, below) => this.registry.link(obj, below),
    );
  }

  /** Replay one batch of events (in time order) and pass it on as the `events` table. */
  batch(b: EventBatch): void {
    const c = b.cols;
    for (let i = 0; i < b.length; i++) {
      const kind = c.kind[i]!;
      const ts = c.ts[i]!;
      if (ts > this.lastTs) this.lastTs = ts;
      const op = this.siteOp(b, i, kind);
      this.registry.apply(b, i);
      this.processes.apply(b, i);
      if (kind <= K.obj_lock) this.assembler.event(b, i);
      else if (op) this.replaySite(op, b, i);
      else if (kind === K.unknown && c.name[i] === this.syntheticName) this.synthetic = this.dict.strings.get(c.extra[i]!) ?? 'generated';
    }
    this.events += b.length;
    this.out.write(EVENTS, b as unknown as ColumnBatch<readonly ColumnSpec[]>);
    const inFlight = this.assembler.earliestInFlight();
    this.contention.advance(Math.max(Math.min(inFlight, this.lastTs), this.lastTs - this.options.maxFaultNs));
  }

  finish(): void {
    this.assembler.finish();
    this.contention.finish();
    for (const b of [this.acquisitions, this.faults, this.backdowns, this.hazards, this.waits]) b.finishBatch();
  }

  get contentionStats(): { waits: number; late: number } {
    return { waits: this.contention.waits, late: this.contention.late };
  }

  // ---- lock sites other than vm_fault ----

  private siteOp(b: EventBatch, i: number, kind: number): SiteOp | null {
    const c = b.cols;
    const tid = c.tid[i]!;
    const objId = c.obj[i]!;
    if (objId === NULL_ID) return null;
    const typeOr = (t: number, fallback: number): number => (t !== NULL_ENUM ? t : this.registry.typeOf(objId) !== NULL_ENUM ? this.registry.typeOf(objId) : fallback);
    const obj = { obj: objId, otype: typeOr(c.otype[i]!, OT.vnode) };
    switch (kind) {
      case K.exec_page:
        return { kind: 'exec_page', id: this.assembler.opId(), tid, obj, page: c.page[i]! };
      case K.page_grab:
        return { kind: 'page_grab', id: this.assembler.opId(), tid, obj, page: c.page[i]! };
      case K.load_section:
        return { kind: 'load_section', id: this.assembler.opId(), tid, obj, page: c.page[i] === NULL_ENUM ? null : c.page[i]! };
      case K.obj_ref: {
        const delta = c.delta[i]!;
        if (delta > 0) return { kind: 'reference', id: this.assembler.opId(), tid, obj, ref: c.ref[i]!, site: this.dict.strings.get(c.site[i]!) };
        // The registry still holds the backing link the drop to 0 will undo.
        return { kind: 'deallocate', id: this.assembler.opId(), tid, obj, ref: c.ref[i]!, backing: this.registry.below(objId) };
      }
      case K.obj_shadow:
        return {
          kind: 'shadow',
          id: this.assembler.opId(),
          tid,
          shadow: { obj: objId, otype: OT.default },
          source: { obj: c.backing_obj[i]!, otype: c.backing_otype[i]! },
        };
      case K.map_split:
        return { kind: 'map_split', id: this.assembler.opId(), tid, obj };
      case K.obj_collapse: {
        const bb = c.backing2_obj[i]!;
        return {
          kind: 'collapse',
          id: this.assembler.opId(),
          tid,
          obj: { obj: objId, otype: typeOr(NULL_ENUM, OT.default) },
          backing: { obj: c.backing_obj[i]!, otype: c.backing_otype[i]! },
          backing2: bb === NULL_ID ? null : { obj: bb, otype: c.backing2_otype[i]! },
          collapseCase: c.collapse_case[i] === NULL_ENUM ? null : c.collapse_case[i]!,
        };
      }
      default:
        return null;
    }
  }

  private replaySite(op: SiteOp, b: EventBatch, i: number): void {
    const c = b.cols;
    const ts = c.ts[i]!;
    const pid = c.pid[i] !== NULL_I32 ? c.pid[i]! : this.processes.pidOf(op.tid);
    this.siteOps++;
    const where = { opId: op.id, opKind: this.ids[op.kind]!, cpu: c.cpu[i]!, tid: op.tid, pid };
    const hold = this.options.siteHoldNs * this.options.holdScale;
    this.options.models.forEach((model, m) => {
      this.log.reset();
      model.site(op, this.options.knobs, this.log);
      this.timeline.layout(this.log, ts, hold, 0);
      this.emit(m, where);
      this.tallies[m]!.site(op.kind, this.log);
    });
  }

  // ---- faults ----

  private fault(af: AssembledFault): void {
    const resolved = resolveFault(af, this.registry, this.chain);
    if (!resolved) {
      this.faultsUnreplayable++;
      return;
    }
    const { facts, inferred } = resolved;
    this.faultsReplayed++;
    this.registry.faultsFirst[facts.phases[0]!.levels[0]!.obj]!++;
    const where = { opId: af.id, opKind: this.ids.fault!, cpu: af.cpu, tid: af.tid, pid: af.pid };
    const duration = Math.max(0, af.tsEnd - af.tsBegin);
    const ioNs = Number.isNaN(af.ioNs) ? 0 : Math.min(af.ioNs, duration);
    const cpuNs = (duration - ioNs) * this.options.holdScale;
    this.options.models.forEach((model, m) => {
      this.log.reset();
      model.fault(facts, this.options.knobs, this.log);
      this.timeline.layout(this.log, af.tsBegin, cpuNs, ioNs);
      this.mapToken(m, af, duration);
      this.emit(m, where);
      this.faultRow(m, af, facts, inferred);
      this.tallies[m]!.fault(this.log);
      if (af.locks.length > 0) this.agreement.fault(m, af.locks, this.log);
    });
  }

  /** The per-map token around the whole fault: the same in every model, reported on its own. */
  private mapToken(m: number, af: AssembledFault, duration: number): void {
    const r = this.acquisitions.row();
    const a = this.acquisitions.current.cols;
    a.model[r] = this.modelIds[m]!;
    a.op_id[r] = af.id;
    a.op_kind[r] = this.ids.fault!;
    a.attempt[r] = 1;
    a.seq[r] = -1;
    a.ts[r] = af.tsBegin;
    a.hold_ns[r] = duration;
    a.cpu[r] = af.cpu;
    a.tid[r] = af.tid;
    a.pid[r] = af.pid;
    a.class[r] = MAP;
    a.mode[r] = LockMode.codes.X;
    a.site[r] = this.ids.vm_fault!;
    a.reason[r] = this.ids.map_token!;
    a.recursive[r] = 0;
    this.tallies[m]!.mapTokens++;
  }

  /** Rows for what the log holds: acquisitions, back-downs, hazards; holds for the contention estimate. */
  private emit(m: number, w: { opId: number; opKind: number; cpu: number; tid: number; pid: number }): void {
    const log = this.log;
    const t = this.timeline;
    const model = this.modelIds[m]!;
    for (let k = 0; k < log.n; k++) {
      const r = this.acquisitions.row();
      const a = this.acquisitions.current.cols;
      a.model[r] = model;
      a.op_id[r] = w.opId;
      a.op_kind[r] = w.opKind;
      a.attempt[r] = log.attemptOf[k]!;
      a.seq[r] = k;
      a.ts[r] = t.start(k);
      const segments = t.segments(k);
      let held = 0;
      for (let j = 0; j < segments; j++) held += t.seg[2 * j + 1]! - t.seg[2 * j]!;
      a.hold_ns[r] = held;
      a.cpu[r] = w.cpu;
      a.tid[r] = w.tid;
      a.pid[r] = w.pid;
      a.obj[r] = log.obj[k]!;
      a.otype[r] = log.otype[k]!;
      a.class[r] = log.cls[k]!;
      a.mode[r] = log.mode[k]!;
      a.site[r] = log.site[k]!;
      a.reason[r] = log.reason[k]!;
      a.recursive[r] = log.recursive[k] ? 1 : 0;
      if (log.cls[k] === TOKEN) {
        for (let j = 0; j < segments; j++) {
          const opId = j === 0 ? w.opId : -1; // a re-take after an I/O sleep is not an acquisition
          this.contention.add(m, t.seg[2 * j]!, t.seg[2 * j + 1]!, log.obj[k]!, log.otype[k]!, log.mode[k]!, w.tid, w.pid, opId, k, log.site[k]!);
        }
      }
    }
    for (const bd of log.backdowns) {
      const r = this.backdowns.row();
      const a = this.backdowns.current.cols;
      a.model[r] = model;
      a.op_id[r] = w.opId;
      a.attempt[r] = bd.attempt;
      a.ts[r] = t.at(bd.step);
      a.tid[r] = w.tid;
      a.pid[r] = w.pid;
      a.rule[r] = this.dict.strings.intern(bd.rule);
      a.obj[r] = bd.obj;
      a.otype[r] = bd.otype;
      a.depth[r] = bd.depth;
    }
    for (const h of log.hazards) {
      const r = this.hazards.row();
      const a = this.hazards.current.cols;
      a.model[r] = model;
      a.op_id[r] = w.opId;
      a.attempt[r] = h.attempt;
      a.ts[r] = t.at(h.step);
      a.tid[r] = w.tid;
      a.pid[r] = w.pid;
      a.obj[r] = h.obj;
      a.otype[r] = h.otype;
      a.site[r] = this.dict.strings.intern(h.site);
      a.kind[r] = this.dict.strings.intern(h.kind);
      a.detail[r] = this.dict.strings.intern(h.detail);
    }
  }

  private faultRow(m: number, af: AssembledFault, facts: FaultFacts, inferred: number): void {
    const log = this.log;
    const r = this.faults.row();
    const a = this.faults.current.cols;
    const F = facts.phases[0]!.levels[0]!;
    a.model[r] = this.modelIds[m]!;
    a.op_id[r] = af.id;
    a.ts[r] = af.tsBegin;
    a.ts_end[r] = af.tsEnd;
    a.cpu[r] = af.cpu;
    a.tid[r] = af.tid;
    a.pid[r] = af.pid;
    a.comm[r] = af.comm;
    a.va[2 * r] = af.vaLo;
    a.va[2 * r + 1] = af.vaHi;
    a.ftype[r] = af.ftype;
    a.fflags[r] = af.fflags;
    a.nthreads[r] = facts.nthreads;
    a.map[r] = facts.kernelMap ? MapKind.codes.kernel : MapKind.codes.user;
    a.first_obj[r] = F.obj;
    a.first_otype[r] = F.otype;
    let levels = 0;
    for (const p of facts.phases) if (p.levels.length > levels) levels = p.levels.length;
    a.levels[r] = levels;
    a.recorded_attempts[r] = af.recordedAttempts;
    a.attempts[r] = log.attempts;
    a.restarts[r] = log.restarts;
    a.backdowns[r] = log.backdowns.length;
    let b1 = 0;
    let b2 = 0;
    let b3 = 0;
    let b4 = 0;
    for (const bd of log.backdowns) {
      if (bd.rule === 'B1') b1++;
      else if (bd.rule === 'B2') b2++;
      else if (bd.rule === 'B3') b3++;
      else if (bd.rule === 'B4') b4++;
    }
    a.b1[r] = b1;
    a.b2[r] = b2;
    a.b3[r] = b3;
    a.b4[r] = b4;
    a.upgrades[r] = log.upgrades;
    a.x_tokens[r] = log.xTokens;
    a.s_tokens[r] = log.sTokens;
    a.x_chain[r] = log.xChain;
    a.s_chain[r] = log.sChain;
    a.prefault[r] = log.prefaulted ? this.ids[log.prefaulted]! : NULL_ID;
    a.outcome[r] = this.dict.strings.intern(log.result);
    a.found_depth[r] = log.foundDepth;
    a.hazard[r] = log.hazards.length > 0 ? 1 : 0;
    a.io[r] = log.ioSleeps > 0 ? 1 : 0;
    a.io_ns[r] = af.ioNs;
    a.unknown_links[r] = log.unknownLinks;
    a.inferred[r] = inferred;
  }

  private wait(w: Wait): void {
    const s = w.segment;
    const r = this.waits.row();
    const a = this.waits.current.cols;
    a.model[r] = this.modelIds[s.model]!;
    a.op_id[r] = s.opId;
    a.seq[r] = s.seq;
    a.ts[r] = s.start;
    a.tid[r] = s.tid;
    a.pid[r] = s.pid;
    a.obj[r] = s.obj;
    a.otype[r] = s.otype;
    a.mode[r] = s.mode;
    a.site[r] = s.site;
    a.wait_ns[r] = w.waitNs;
    a.holder_tid[r] = w.holderTid;
    a.holder_mode[r] = w.holderMode;
    this.tallies[s.model]!.waits++;
    this.tallies[s.model]!.waitNs += w.waitNs;
  }
}

