// The rows a replay writes for what each model did: acquisitions (with their
// hold segments for the contention estimate), faults, back-downs, hazards,
// waits. One writer serves every model; rows go out a batch at a time.

import { type BatchBuilder, type ColumnSpec, NULL_ENUM, NULL_I32, NULL_ID, NULL_U32, type TableSpec } from '../columns/table.js';
import type { EventBatch } from '../events/schema.js';
import type { StringTable } from '../columns/strings.js';
import { LinuxFact, LockClass, LockMode, MapKind, VmaKind } from '../events/vocabulary.js';
import type { FaultFacts } from '../models/facts.js';
import type { AssembledFault } from './assemble.js';
import type { ContentionSimulator, Wait } from './contention.js';
import type { RecordingLockLog } from './lock-log.js';
import { type TableOutput, tableBuilder } from './output.js';
import { ACQUISITIONS, BACKDOWNS, FAULTS, HAZARDS, WAITS } from './tables.js';
import type { Timeline } from './timeline.js';

const BATCH = 8192;
const TOKEN = LockClass.codes.token;
const MAP = LockClass.codes.map;

/** Where an operation happened, for its rows. */
export interface OpPlace {
  opId: number;
  opKind: number;
  cpu: number;
  tid: number;
  pid: number;
  /** 1 when the operation rests on inferred events */
  inferred: number;
}

export class ModelRows {
  private readonly acquisitions: BatchBuilder<typeof ACQUISITIONS.columns>;
  private readonly faults: BatchBuilder<typeof FAULTS.columns>;
  private readonly backdowns: BatchBuilder<typeof BACKDOWNS.columns>;
  private readonly hazards: BatchBuilder<typeof HAZARDS.columns>;
  private readonly waits: BatchBuilder<typeof WAITS.columns>;
  private readonly ids: Record<'fault' | 'vm_fault' | 'map_token' | 'full' | 'quick', number>;

  constructor(
    out: TableOutput,
    private readonly strings: StringTable,
    /** model name ids, by model index */
    private readonly modelIds: readonly number[],
  ) {
    const builder = <S extends readonly ColumnSpec[]>(spec: TableSpec<S>) => tableBuilder(spec, out, BATCH);
    this.acquisitions = builder(ACQUISITIONS);
    this.faults = builder(FAULTS);
    this.backdowns = builder(BACKDOWNS);
    this.hazards = builder(HAZARDS);
    this.waits = builder(WAITS);
    const id = (k: string) => strings.intern(k);
    this.ids = { fault: id('fault'), vm_fault: id('vm_fault'), map_token: id('map_token'), full: id('full'), quick: id('quick') };
  }

  finish(): void {
    for (const b of [this.acquisitions, this.faults, this.backdowns, this.hazards, this.waits]) b.finishBatch();
  }

  /** The per-map token around the whole fault: the same in every model, reported on its own. */
  mapToken(m: number, af: AssembledFault, duration: number, inferred: boolean): void {
    const r = this.acquisitions.row();
    const a = this.acquisitions.current.cols;
    a.model[r] = this.modelIds[m]!;
    a.op_id[r] = af.id;
    a.op_kind[r] = this.ids.fault;
    a.attempt[r] = 1;
    a.seq[r] = -1;
    a.ts[r] = af.tsBegin;
    a.hold_ns[r] = duration;
    a.cpu[r] = af.cpu;
    a.tid[r] = af.tid;
    a.pid[r] = af.pid;
    a.class[r] = MAP;
    a.mode[r] = LockMode.codes.X;
    a.site[r] = this.ids.vm_fault;
    a.reason[r] = this.ids.map_token;
    a.recursive[r] = 0;
    a.inferred[r] = inferred ? 1 : 0;
  }

  /** Rows for what `log` holds (laid out on `t`): acquisitions, back-downs, hazards; token holds go to `contention`. */
  operation(m: number, w: OpPlace, log: RecordingLockLog, t: Timeline, contention: ContentionSimulator): void {
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
      a.inferred[r] = w.inferred;
      if (log.cls[k] === TOKEN) {
        for (let j = 0; j < segments; j++) {
          const opId = j === 0 ? w.opId : -1; // a re-take after an I/O sleep is not an acquisition
          contention.add(m, t.seg[2 * j]!, t.seg[2 * j + 1]!, log.obj[k]!, log.otype[k]!, log.mode[k]!, w.tid, w.pid, opId, k, log.site[k]!);
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
      a.rule[r] = this.strings.intern(bd.rule);
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
      a.site[r] = this.strings.intern(h.site);
      a.kind[r] = this.strings.intern(h.kind);
      a.detail[r] = this.strings.intern(h.detail);
    }
  }

  fault(m: number, af: AssembledFault, facts: FaultFacts, inferred: number, log: RecordingLockLog): void {
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
    a.prefault[r] = log.prefaulted === null ? NULL_ID : log.prefaulted === 'full' ? this.ids.full : this.ids.quick;
    a.outcome[r] = this.strings.intern(log.result);
    a.found_depth[r] = log.foundDepth;
    a.hazard[r] = log.hazards.length > 0 ? 1 : 0;
    a.io[r] = log.ioSleeps > 0 ? 1 : 0;
    a.io_ns[r] = af.ioNs;
    a.unknown_links[r] = log.unknownLinks;
    a.inferred[r] = inferred;
    a.map_locks[r] = NULL_I32;
    a.vma_locks[r] = NULL_I32;
    a.observed_map_locks[r] = NULL_I32;
    a.mm_reason[r] = NULL_ID;
    a.vma_kind[r] = NULL_ID;
    a.lx_facts[r] = NULL_U32;
  }

  /** A Linux fault's row, from its lx_fault event (row `i` of `b`) and what model `m` did. */
  linuxFault(m: number, b: EventBatch, i: number, id: number, tsBegin: number, log: RecordingLockLog, observed: number): void {
    const c = b.cols;
    const r = this.faults.row();
    const a = this.faults.current.cols;
    a.model[r] = this.modelIds[m]!;
    a.op_id[r] = id;
    a.ts[r] = tsBegin;
    a.ts_end[r] = c.ts[i]!;
    a.cpu[r] = c.cpu[i]!;
    a.tid[r] = c.tid[i]!;
    a.pid[r] = c.pid[i]!;
    a.comm[r] = c.comm[i]!;
    a.va[2 * r] = c.va[2 * i]!;
    a.va[2 * r + 1] = c.va[2 * i + 1]!;
    a.ftype[r] = c.ftype[i]!;
    a.fflags[r] = 0;
    a.nthreads[r] = NULL_I32;
    a.map[r] = c.map[i]!;
    a.first_obj[r] = c.obj[i]!;
    a.first_otype[r] = NULL_ENUM;
    a.levels[r] = 0;
    a.recorded_attempts[r] = 1;
    a.attempts[r] = log.attempts;
    a.restarts[r] = log.restarts;
    a.backdowns[r] = 0;
    a.b1[r] = a.b2[r] = a.b3[r] = a.b4[r] = 0;
    a.upgrades[r] = 0;
    a.x_tokens[r] = a.s_tokens[r] = a.x_chain[r] = a.s_chain[r] = 0;
    a.prefault[r] = NULL_ID;
    a.outcome[r] = this.strings.intern(log.result);
    a.found_depth[r] = 0;
    a.hazard[r] = 0;
    a.io[r] = (c.lx_facts[i]! & LinuxFact.MAJOR) !== 0 ? 1 : 0;
    a.io_ns[r] = NaN;
    a.unknown_links[r] = 0;
    a.inferred[r] = c.inferred[i]!;
    a.map_locks[r] = log.mmLocks;
    a.vma_locks[r] = log.vmaLocks;
    a.observed_map_locks[r] = observed < 0 ? NULL_I32 : observed;
    a.mm_reason[r] = log.mmReason === null ? NULL_ID : this.strings.intern(log.mmReason);
    const kind = c.vma_kind[i]!;
    a.vma_kind[r] = kind === NULL_ENUM ? NULL_ID : this.strings.intern(VmaKind.labels[kind]!);
    a.lx_facts[r] = c.lx_facts[i]!;
  }

  wait(w: Wait): void {
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
  }
}
