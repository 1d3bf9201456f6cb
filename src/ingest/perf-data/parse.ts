// The parser of a perf.data capture: it sees the data section's records one
// at a time in time order (from the queue), decodes each into plain values
// and hands them to the perf text reader's mapper (../perf/mapper.ts), so a
// capture read from perf.data yields the events its `perf script` text does.
// What perf.data cannot give: kernel symbols (call chains are bare addresses,
// so no call-chain site hints) and the comm of a thread perf never saw a COMM
// record for (shown as `:TID`, as perf script does).

import type { FramingContext } from '../framing.js';
import { type LockStep, PerfMapper } from '../perf/mapper.js';
import { type MmapRecord, newMmapRecord } from '../perf/records.js';
import { type CaptureEvents, Kind } from './plan.js';
import { MISC, REC, cString, newSampleView, readMmap, u64At } from './records.js';
import { type Field, readString, readUnsigned } from './tracing-data.js';

/** The fixed fields of each record body the parser reads (bytes), before any name and sample_id. */
const BODY: Record<number, number> = { [REC.MMAP]: 32, [REC.MMAP2]: 64, [REC.COMM]: 8, [REC.FORK]: 24, [REC.EXIT]: 24, [REC.LOST]: 16, [REC.LOST_SAMPLES]: 8 };

export class RecordParser {
  readonly map: PerfMapper;
  /** samples that carried a call chain */
  callchains = 0;
  /** what LOST_SAMPLES records counted */
  lostSamples = 0;
  private readonly view = newSampleView();
  private readonly mmap: MmapRecord = newMmapRecord();
  private readonly comms = new Map<number, string>();
  private unitTid = -1;

  constructor(
    private readonly events: CaptureEvents,
    private readonly ctx: FramingContext,
  ) {
    this.map = new PerfMapper(
      ctx,
      () => this.commOf(this.unitTid),
      () => undefined,
    );
  }

  /** One record, in time order. */
  record(b: Uint8Array, v: DataView, p: number, no: number): void {
    const type = v.getUint32(p, true);
    const misc = v.getUint16(p + 4, true);
    const end = p + v.getUint16(p + 6, true);
    const s = p + 8;
    const m = this.map;
    const w = this.view;
    const l = this.events.layout;
    const ok = l !== null && (type === REC.SAMPLE ? l.sample(v, s, end, w) : l.sampleId(v, s, end, w));
    if (!ok) w.pid = w.tid = w.cpu = -1;
    if (type === REC.SAMPLE && !ok) {
      return this.ctx.decoder.reject(no, -1, 'SAMPLE record: its event id is unknown or its body is shorter than its sample_type says');
    }
    const least = BODY[type];
    if (least !== undefined && end - s < least) {
      return this.ctx.decoder.reject(no, w.cpu, `record of type ${type}: a body of ${end - s} bytes, shorter than its ${least} bytes of fields`);
    }
    // perf synthesizes its start-up records at time 0: untimed, not at the epoch
    const ts = ok && w.time !== 0 ? w.time : NaN;
    this.unitTid = w.tid;
    switch (type) {
      case REC.SAMPLE:
        return this.sample(b, v, no, ts);
      case REC.MMAP:
      case REC.MMAP2: {
        const err = readMmap(this.mmap, b, v, s, end, type === REC.MMAP2, misc, l?.trailer() ?? 0);
        if (err) {
          m.unit(no, ts, w.cpu, w.pid, w.tid);
          return m.reject(`${type === REC.MMAP2 ? 'MMAP2' : 'MMAP'} record: ${err}`);
        }
        m.unit(no, ts, w.cpu, ok ? w.pid : this.mmap.pid, ok ? w.tid : this.mmap.tid, ok && w.time === 0);
        if (!ok) this.unitTid = this.mmap.tid;
        return m.mmapRecord(this.mmap);
      }
      case REC.COMM: {
        const pid = v.getInt32(s, true);
        const tid = v.getInt32(s + 4, true);
        const comm = cString(b, s + 8, end - (l?.trailer() ?? 0));
        this.comms.set(tid, comm); // perf prints the record under the thread's new name
        if (!ok) this.unitTid = tid;
        m.unit(no, ts, w.cpu, ok ? w.pid : pid, ok ? w.tid : tid, ok && w.time === 0);
        return m.commRecord((misc & MISC.COMM_EXEC) !== 0, comm, pid, tid);
      }
      case REC.FORK:
      case REC.EXIT: {
        const pid = v.getInt32(s, true);
        const ppid = v.getInt32(s + 4, true);
        const tid = v.getInt32(s + 8, true);
        const ptid = v.getInt32(s + 12, true);
        const fork = type === REC.FORK;
        if (fork) this.comms.set(tid, this.commOf(ptid));
        const t = ok ? ts : u64At(v, s + 16);
        if (!ok) this.unitTid = fork ? ptid : tid;
        m.unit(no, t, w.cpu, ok ? w.pid : fork ? ppid : pid, ok ? w.tid : fork ? ptid : tid, ok && w.time === 0);
        return m.task(fork, pid, tid, ppid, ptid);
      }
      case REC.LOST:
        m.unit(no, ts, w.cpu, w.pid, w.tid);
        return m.lost(u64At(v, s + 8));
      case REC.LOST_SAMPLES:
        // perf record's per-event count of the same losses (read at the end): counted only without LOST records
        this.lostSamples += u64At(v, s);
        m.unit(no, ts, w.cpu, w.pid, w.tid);
        return m.other(null);
      default:
        m.unit(no, ts, w.cpu, w.pid, w.tid);
        return m.other(null);
    }
  }

  private sample(b: Uint8Array, v: DataView, no: number, ts: number): void {
    const w = this.view;
    const m = this.map;
    const pl = this.events.plans[w.attr]!;
    if (w.chain > 0) this.callchains++;
    m.unit(no, ts, w.cpu, w.pid, w.tid);
    const f = pl.f;
    const rs = w.rawStart;
    const re = w.rawEnd;
    switch (pl.kind) {
      case Kind.FaultUser:
      case Kind.FaultKernel: {
        if (!f.address || rs < 0 || rs + f.address.offset + 8 > re) return m.reject(`${pl.name}: no address in the payload`);
        const error = this.field(v, f.error);
        if (Number.isNaN(error)) return m.reject(`${pl.name}: no error_code in the payload`);
        const a = rs + f.address.offset;
        return m.faultEntry(v.getUint32(a + 4, true), v.getUint32(a, true), error, pl.kind === Kind.FaultUser);
      }
      case Kind.Minor:
      case Kind.Major:
        return m.accounting(pl.kind === Kind.Major);
      case Kind.Filemap: {
        const dev = this.field(v, f.dev);
        const ino = this.field(v, f.ino);
        const index = this.field(v, f.index);
        const hit =
          Number.isNaN(dev) || Number.isNaN(ino)
            ? null
            : { major: dev >>> 20, minor: dev & 0xfffff, ino, offset: Number.isNaN(index) ? 0 : index * this.events.pageSize };
        return m.filemap(hit);
      }
      case Kind.LockStart:
      case Kind.LockAcquired:
      case Kind.LockReleased: {
        if (!f.mm || rs < 0 || rs + f.mm.offset + 8 > re) return m.reject(`${pl.name}: no mm in the payload`);
        const write = this.field(v, f.write);
        if (Number.isNaN(write)) return m.reject(`${pl.name}: no write in the payload`);
        const success = f.success ? this.field(v, f.success) : 1;
        const a = rs + f.mm.offset;
        const step: LockStep = pl.kind === Kind.LockStart ? 'start' : pl.kind === Kind.LockReleased ? 'released' : 'acquired';
        return m.mmapLock(step, v.getUint32(a + 4, true), v.getUint32(a, true), write !== 0, success !== 0, null);
      }
      case Kind.ForkTp: {
        const child = this.field(v, f.child);
        if (Number.isNaN(child)) return m.reject(`${pl.name}: no child_pid in the payload`);
        return m.forkTracepoint(child);
      }
      case Kind.ExecTp:
        return m.execTracepoint(f.filename && rs >= 0 ? readString(b, v, rs, re, f.filename) : null);
      case Kind.ExitTp: {
        const dead = this.field(v, f.groupDead);
        return m.exitTracepoint(Number.isNaN(dead) ? null : dead !== 0);
      }
      case Kind.SyscallEnter:
      case Kind.SyscallExit: {
        const args: Record<string, number> = {};
        for (const [name, x] of pl.call!.fields) {
          const n = this.field(v, x);
          args[name] = Number.isNaN(n) || n > 2 ** 53 || (x.signed && n < 0) ? -1 : n;
        }
        return m.syscall(pl.call!.name, pl.kind === Kind.SyscallEnter, args);
      }
      case Kind.Readahead:
        return m.readahead();
      default:
        return m.other(pl.name);
    }
  }

  /** A number field of the current sample's raw payload; NaN when the format or the payload lacks it. */
  private field(v: DataView, x: Field | null): number {
    const w = this.view;
    return x && w.rawStart >= 0 ? readUnsigned(v, w.rawStart, w.rawEnd, x) : NaN;
  }

  private commOf(tid: number): string {
    return this.comms.get(tid) ?? `:${tid}`;
  }
}
