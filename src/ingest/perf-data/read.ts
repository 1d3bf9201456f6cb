// perf.data read directly: the file `perf record` writes, without perf. The
// header gives the events (attrs) and, after the data, the tracing data whose
// format descriptions locate each tracepoint field in a sample's raw payload.
// The data section's records are decoded into plain values and handed to the
// perf text reader's mapper (../perf/mapper.ts), so a capture read from
// perf.data yields the events its `perf script` text does.
//
// Records are not in time order in the file (each CPU's buffer is written in
// turn); like perf, the reader queues them and, at each FINISHED_ROUND, passes
// on in time order those no later than the previous round's latest (perf
// record guarantees nothing after a round goes before that). The queue holds
// the raw bytes of one or two rounds, not per-record objects.
//
// Each record counts as one input line (`src_line` is its number in the data
// section). What perf.data cannot give: kernel symbols (call chains are bare
// addresses, so no call-chain site hints) and the comm of a thread perf never
// saw a COMM record for (shown as `:TID`, as perf script does).
//
// Also read: records zstd-compressed by `perf record -z` (one zstd stream
// over all COMPRESSED records), and pipe mode (`perf record -o -`), where the
// attrs, the tracing data and the header features arrive as records before
// the samples that need them, so the file is read in one pass (stdin too).

import { Decompress } from 'fzstd';
import { InputError } from '../../common/errors.js';
import type { BinaryFramingDef, BinaryInput, FramingContext } from '../framing.js';
import { type MmapRecord, newMmapRecord } from '../perf/records.js';
import { ADDRESS_SPACE_CALLS } from '../perf/records.js';
import { type LockStep, PerfMapper } from '../perf/mapper.js';
import { type Attr, FEAT, PERF_TYPE, PIPE_HEADER_SIZE, attrAt, eventNames, featureSections, headerSize, headerString, isPerfData, parseAttrs, parseHeader } from './header.js';
import { openSections } from './input.js';
import { Layout, MISC, REC, cString, newSampleView, u64At } from './records.js';
import { type EventFormat, type Field, type TracingData, parseTracingData, readString, readUnsigned } from './tracing-data.js';
import { widen } from '../../columns/typed.js';

export const perfData: BinaryFramingDef = {
  name: 'perf-data',
  description:
    'Linux perf.data (perf record of page-fault, mmap_lock, filemap and sched tracepoints and minor/major-faults) read directly: header, attrs, tracing-data formats, MMAP/MMAP2/COMM/FORK/EXIT/LOST and SAMPLE records, mapped as the perf text is',
  matches: isPerfData,
  read: readPerfData,
};

/** What a sample of each event means. */
const enum Kind {
  Other,
  FaultUser,
  FaultKernel,
  LockStart,
  LockAcquired,
  LockReleased,
  Filemap,
  ForkTp,
  ExecTp,
  ExitTp,
  Minor,
  Major,
  SyscallEnter,
  SyscallExit,
  Readahead,
}

const TRACEPOINTS: Record<string, Kind> = {
  'exceptions:page_fault_user': Kind.FaultUser,
  'exceptions:page_fault_kernel': Kind.FaultKernel,
  'mmap_lock:mmap_lock_start_locking': Kind.LockStart,
  'mmap_lock:mmap_lock_acquire_returned': Kind.LockAcquired,
  'mmap_lock:mmap_lock_released': Kind.LockReleased,
  'filemap:mm_filemap_fault': Kind.Filemap,
  'sched:sched_process_fork': Kind.ForkTp,
  'sched:sched_process_exec': Kind.ExecTp,
  'sched:sched_process_exit': Kind.ExitTp,
  'readahead:page_cache_sync_ra': Kind.Readahead,
  'readahead:page_cache_async_ra': Kind.Readahead,
};
/** PERF_COUNT_SW_PAGE_FAULTS_MIN / _MAJ */
const SW_MINOR = 5;
const SW_MAJOR = 6;
const SW_NAMES: Record<number, string> = { 0: 'cpu-clock', 1: 'task-clock', 2: 'page-faults', 3: 'context-switches', 4: 'cpu-migrations', 5: 'minor-faults', 6: 'major-faults' };

/** The fields of a tracepoint the mapping reads, located once per event. */
interface EventPlan {
  kind: Kind;
  name: string;
  /** for a tracepoint: its fields by role (null when the format lacks one) */
  f: Record<'address' | 'error' | 'mm' | 'write' | 'success' | 'ino' | 'dev' | 'index' | 'child' | 'filename' | 'groupDead', Field | null>;
  /** an address-space syscall tracepoint: the call, and its fields by name (`ret` on exit) */
  call?: { readonly name: string; readonly fields: readonly [string, Field][] };
}

/** The fixed fields of each record body the reader reads (bytes), before any name and sample_id. */
const BODY: Record<number, number> = { [REC.MMAP]: 32, [REC.MMAP2]: 64, [REC.COMM]: 8, [REC.FORK]: 24, [REC.EXIT]: 24, [REC.LOST]: 16, [REC.LOST_SAMPLES]: 8 };

/** Queue memory past which the older half is passed on without waiting for a round (as perf does). */
const QUEUE_LIMIT = 64 << 20;

async function* readPerfData(input: BinaryInput, ctx: FramingContext): AsyncGenerator<void> {
  const first = await input.stream.next();
  const head = first.done ? new Uint8Array(0) : first.value;
  if (headerSize(head) === PIPE_HEADER_SIZE) return yield* readPipe(input.path, head, input.stream, ctx);
  await input.stream.return(undefined); // a file is read by offset
  yield* readFile(input, ctx);
}

/** Pipe mode: one pass over the stream; the events, their formats and the features come as records. */
async function* readPipe(path: string, head: Uint8Array, rest: AsyncGenerator<Uint8Array>, ctx: FramingContext): AsyncGenerator<void> {
  const reader = new DataReader(path, ctx);
  reader.noteRecords('perf.data (pipe mode)');
  let at = PIPE_HEADER_SIZE;
  let carry: Uint8Array | null = head.subarray(PIPE_HEADER_SIZE);
  for (let r: IteratorResult<Uint8Array> = { done: false, value: new Uint8Array(0) }; !r.done; r = await rest.next()) {
    const buf: Uint8Array = carry ? concat(carry, r.value) : r.value;
    const used = reader.records(buf, at);
    at += used;
    carry = used < buf.length ? buf.slice(used) : null;
    yield;
  }
  if (carry) throw new InputError(path, reader.count + 1, `truncated perf.data: the stream ends inside record ${reader.count + 1} at byte ${at} (${carry.length} bytes of it)`);
  reader.finish();
  await noteOrigin(ctx, async (bit) => reader.feature(bit), reader.attrList(), reader.planList());
  yield;
}

async function* readFile(input: BinaryInput, ctx: FramingContext): AsyncGenerator<void> {
  const { path } = input;
  const src = await openSections(path, input.compressed);
  input.consumed = () => src.consumed();
  try {
    const head = await src.read({ offset: 0, size: 104 });
    const h = parseHeader(path, head, src.size);
    const attrs = await parseAttrs(path, h, (s) => src.read(s));
    const tableAt = h.data.offset + h.data.size;
    const table = await src.read({ offset: tableAt, size: 16 * h.features.length });
    if (table.length < 16 * h.features.length) throw new InputError(path, 0, `truncated perf.data: the feature section table at byte ${tableAt} is cut short (the event formats are lost)`);
    const features = featureSections(h, table);
    const featuresEnd = Math.max(0, ...[...features.values()].map((f) => f.offset + f.size));
    if (src.size !== null && featuresEnd > src.size) {
      ctx.stats.warn(`truncated perf.data: its feature sections end at byte ${featuresEnd} but the file has ${src.size} bytes (the data is whole; a section the reader needs would stop it)`);
    }
    // the sections the reader uses, read in one go (a compressed file is decompressed once for them)
    const wanted = [FEAT.TRACING_DATA, FEAT.EVENT_DESC, FEAT.HOSTNAME, FEAT.OSRELEASE, FEAT.ARCH, FEAT.VERSION, FEAT.CMDLINE].map((bit) => features.get(bit)).filter((x) => x !== undefined);
    const spanStart = Math.min(...wanted.map((x) => x.offset));
    const spanBytes = wanted.length ? await src.read({ offset: spanStart, size: Math.max(...wanted.map((x) => x.offset + x.size)) - spanStart }) : new Uint8Array(0);
    const feature = async (bit: number): Promise<Uint8Array | null> => {
      const s = features.get(bit);
      if (!s) return null;
      const b = spanBytes.subarray(s.offset - spanStart, s.offset - spanStart + s.size);
      if (b.length < s.size) throw new InputError(path, 0, `truncated perf.data: feature section ${bit} at byte ${s.offset} is cut short`);
      return b;
    };

    let tracing: TracingData | null = null;
    if (attrs.some((a) => a.type === PERF_TYPE.TRACEPOINT)) {
      const b = await feature(FEAT.TRACING_DATA);
      if (!b) throw new InputError(path, 0, 'perf.data with tracepoint events but no tracing data section: their payloads cannot be decoded');
      const t = parseTracingData(b);
      if (typeof t === 'string') throw new InputError(path, 0, `tracing data at byte ${features.get(FEAT.TRACING_DATA)!.offset}: ${t}`);
      tracing = t;
    }
    const desc = await feature(FEAT.EVENT_DESC);
    const reader = new DataReader(path, ctx);
    reader.setEvents(attrs, desc ? eventNames(desc) : new Map<number, string>(), tracing);
    reader.noteRecords('perf.data');
    await noteOrigin(ctx, feature, attrs, reader.planList());

    let at = h.data.offset;
    const end = h.data.offset + h.data.size;
    let carry: Uint8Array | null = null;
    for await (const chunk of src.stream(h.data)) {
      const buf: Uint8Array = carry ? concat(carry, chunk) : chunk;
      const used = reader.records(buf, at);
      at += used;
      carry = used < buf.length ? buf.slice(used) : null;
      yield;
    }
    if (at < end) {
      const n = end - at;
      throw new InputError(path, reader.count + 1, `truncated perf.data: the data section ends at byte ${at}, ${n} bytes short of the ${h.data.size} its header gives`);
    }
    reader.finish();
    yield;
  } finally {
    await src.close();
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Where each event's fields are, and what its samples mean. */
function plan(a: Attr, names: Map<number, string>, tracing: TracingData | null): EventPlan {
  const empty: EventPlan['f'] = { address: null, error: null, mm: null, write: null, success: null, ino: null, dev: null, index: null, child: null, filename: null, groupDead: null };
  const fmt: EventFormat | undefined = a.type === PERF_TYPE.TRACEPOINT ? tracing?.events.get(a.config) : undefined;
  let name = a.ids.map((id) => names.get(id)).find((n) => n !== undefined) ?? '';
  if (!name) name = fmt ? `${fmt.system}:${fmt.name}` : a.type === PERF_TYPE.SOFTWARE ? (SW_NAMES[a.config] ?? `software-${a.config}`) : `event-${a.type}-${a.config}`;
  a.name = name;
  if (a.type === PERF_TYPE.SOFTWARE && (a.config === SW_MINOR || a.config === SW_MAJOR)) return { kind: a.config === SW_MINOR ? Kind.Minor : Kind.Major, name, f: empty };
  if (!fmt) return { kind: Kind.Other, name, f: empty };
  let kind = TRACEPOINTS[`${fmt.system}:${fmt.name}`] ?? Kind.Other;
  const g = (n: string): Field | null => fmt.fields.get(n) ?? null;
  const sys = fmt.system === 'syscalls' ? /^sys_(enter|exit)_(\w+)$/.exec(fmt.name) : null;
  let call: EventPlan['call'];
  if (sys && ADDRESS_SPACE_CALLS.has(sys[2]!)) {
    kind = sys[1] === 'enter' ? Kind.SyscallEnter : Kind.SyscallExit;
    call = { name: sys[2]!, fields: [...fmt.fields].filter(([n]) => n !== '__syscall_nr' && !n.startsWith('common_')) };
  }
  return {
    kind,
    name,
    ...(call ? { call } : {}),
    f: {
      address: g('address'),
      error: g('error_code'),
      mm: g('mm'),
      write: g('write'),
      success: g('success'),
      ino: g('i_ino'),
      dev: g('s_dev'),
      index: g('index'),
      child: g('child_pid'),
      filename: g('filename'),
      groupDead: g('group_dead'),
    },
  };
}

/** Where and how the capture was made, from the feature sections. */
async function noteOrigin(ctx: FramingContext, feature: (bit: number) => Promise<Uint8Array | null>, attrs: Attr[], plans: EventPlan[]): Promise<void> {
  // descriptive sections: one cut short just reads as unknown
  const optional = (bit: number): Promise<Uint8Array | null> => feature(bit).catch(() => null);
  const str = async (bit: number): Promise<string> => {
    const b = await optional(bit);
    return b ? headerString(b) : '?';
  };
  const cmd = await optional(FEAT.CMDLINE);
  let cmdline = '?';
  if (cmd && cmd.length >= 4) {
    const v = new DataView(cmd.buffer, cmd.byteOffset, cmd.length);
    const words: string[] = [];
    for (let k = 0, at = 4; k < v.getUint32(0, true) && at + 4 <= cmd.length; k++) {
      words.push(headerString(cmd, at));
      at += 4 + v.getUint32(at, true);
    }
    cmdline = words.join(' ');
  }
  const release = await str(FEAT.OSRELEASE);
  if (release !== '?') ctx.stats.kernelRelease = release;
  ctx.stats.note(`perf.data: recorded on ${await str(FEAT.HOSTNAME)}, Linux ${release} ${await str(FEAT.ARCH)}, perf ${await str(FEAT.VERSION)}: ${cmdline}`);
  const unknown = plans.filter((p, i) => p.kind === Kind.Other && attrs[i]!.type === PERF_TYPE.TRACEPOINT).map((p) => p.name);
  if (unknown.length > 0) ctx.stats.note(`perf.data: events the mapping does not use, kept as context: ${unknown.join(', ')}`);
}

/** Queues the data section's records and maps them in time order. */
class DataReader {
  readonly map: PerfMapper;
  /** records read so far (the line numbers) */
  count = 0;
  private readonly view = newSampleView();
  private readonly mmap: MmapRecord = newMmapRecord();
  private readonly comms = new Map<number, string>();
  /** the queue: raw record bytes, and per record its start, number and time */
  private arena = new Uint8Array(1 << 20);
  private used = 0;
  private starts: number[] = [];
  private numbers: number[] = [];
  private times: number[] = [];
  private maxTs = -Infinity;
  private flushLimit = -Infinity;
  private callchains = 0;
  private throttles = 0;
  /** perf record -z: the zstd stream, what it gave, and a record cut at the end of what it gave */
  private zstd: Decompress | null = null;
  private inflated: Uint8Array[] = [];
  private zCarry: Uint8Array | null = null;
  private compressed = 0;
  private lostSamples = 0;
  private unitTid = -1;

  /** the events (attrs), where their samples' fields are, and the tracepoint formats */
  private attrs: Attr[] = [];
  private names = new Map<number, string>();
  private tracing: TracingData | null = null;
  private layout: Layout | null = null;
  private plans: EventPlan[] = [];
  private pageSize = 4096;
  /** pipe mode: the header features sent as records */
  private readonly features = new Map<number, Uint8Array>();
  private what = 'perf.data';

  constructor(
    private readonly path: string,
    private readonly ctx: FramingContext,
  ) {
    this.map = new PerfMapper(ctx, () => this.commOf(this.unitTid), () => undefined);
  }

  setEvents(attrs: Attr[], names: Map<number, string>, tracing: TracingData | null): void {
    this.attrs = attrs;
    this.names = names;
    this.tracing = tracing;
    this.pageSize = tracing?.pageSize ?? 4096;
    this.layout = attrs.length > 0 ? new Layout(attrs) : null;
    this.plans = attrs.map((a) => plan(a, names, tracing));
  }

  attrList(): Attr[] {
    return this.attrs;
  }

  planList(): EventPlan[] {
    return this.plans;
  }

  feature(bit: number): Uint8Array | null {
    return this.features.get(bit) ?? null;
  }

  /** How the notes name the input. */
  noteRecords(what: string): void {
    this.what = what;
  }

  /** The whole records at the start of buf (file offset `at`); returns the bytes used. */
  records(buf: Uint8Array, at: number): number {
    const v = new DataView(buf.buffer, buf.byteOffset, buf.length);
    let p = 0;
    while (p + 8 <= buf.length) {
      const size = v.getUint16(p + 6, true);
      if (size < 8) {
        const where = at >= 0 ? `at byte ${at + p}` : 'inside the compressed records';
        throw new InputError(this.path, this.count + 1, `perf.data record ${this.count + 1} ${where}: size ${size}, shorter than its header (the data section is corrupt)`);
      }
      const type = v.getUint32(p, true);
      // the tracing data follows its record, 8-byte aligned
      const extra = type === REC.HEADER_TRACING_DATA && size >= 12 ? (v.getUint32(p + 8, true) + 7) & ~7 : 0;
      if (p + size + extra > buf.length) break;
      this.count++;
      this.ctx.stats.lines++;
      if (type === REC.HEADER_ATTR || type === REC.HEADER_TRACING_DATA || type === REC.HEADER_FEATURE) {
        this.ctx.decoder.framing();
        this.header(buf, v, p, size, type, at);
        p += size + extra;
        continue;
      }
      if (type === REC.FINISHED_ROUND) {
        this.ctx.decoder.framing();
        this.round();
      } else if (type === REC.COMPRESSED || type === REC.COMPRESSED2) {
        this.ctx.decoder.framing();
        // perf record -z: one zstd stream over all such records; a record may straddle two
        const data = type === REC.COMPRESSED ? buf.subarray(p + 8, p + size) : buf.subarray(p + 16, p + 16 + Math.min(size - 16, u64At(v, p + 8)));
        this.inflate(data, at + p);
      } else if (type >= REC.USER_START || type === REC.THROTTLE || type === REC.UNTHROTTLE) {
        if (type === REC.THROTTLE) this.throttles++;
        this.ctx.decoder.framing(); // perf's own bookkeeping (ids, maps, clock), throttling notices
      } else {
        this.enqueue(buf, v, p, size);
      }
      p += size;
    }
    return p;
  }

  /** Pipe mode: an event attr, the tracing data, or a header feature, sent as a record. */
  private header(buf: Uint8Array, v: DataView, p: number, size: number, type: number, at: number): void {
    if (type === REC.HEADER_ATTR) {
      const attrSize = v.getUint32(p + 12, true);
      if (attrSize < 64 || 8 + attrSize > size) throw new InputError(this.path, this.count, `perf.data attr record at byte ${at + p}: attr of ${attrSize} bytes in a ${size}-byte record`);
      const ids: number[] = [];
      for (let k = p + 8 + attrSize; k + 8 <= p + size; k += 8) ids.push(u64At(v, k));
      this.setEvents([...this.attrs, attrAt(v, p + 8, ids)], this.names, this.tracing);
    } else if (type === REC.HEADER_TRACING_DATA) {
      const n = v.getUint32(p + 8, true);
      const t = parseTracingData(buf.subarray(p + size, p + size + n));
      if (typeof t === 'string') throw new InputError(this.path, this.count, `tracing data at byte ${at + p + size}: ${t}`);
      this.setEvents(this.attrs, this.names, t);
    } else if (size >= 16) {
      const bit = u64At(v, p + 8);
      const data = buf.slice(p + 16, p + size);
      this.features.set(bit, data);
      if (bit === FEAT.EVENT_DESC) this.setEvents(this.attrs, eventNames(data), this.tracing);
    }
  }

  /** The records inside a compressed record's zstd data. */
  private inflate(data: Uint8Array, at: number): void {
    this.compressed++;
    this.zstd ??= new Decompress((chunk) => void this.inflated.push(chunk));
    try {
      this.zstd.push(data);
    } catch (e) {
      throw new InputError(this.path, this.count, `perf.data compressed record at byte ${at}: ${(e as Error).message}`);
    }
    if (this.inflated.length === 0) return;
    const parts = this.zCarry ? [this.zCarry, ...this.inflated] : this.inflated;
    const buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    this.inflated = [];
    const used = this.records(buf, -1);
    this.zCarry = used < buf.length ? buf.slice(used) : null;
  }

  finish(): void {
    if (this.zCarry) throw new InputError(this.path, this.count, `perf.data: the compressed records end inside a record (${this.zCarry.length} bytes left over)`);
    this.flush(Infinity);
    this.map.finish();
    const { stats } = this.ctx;
    stats.note(`${this.what}: ${this.count} records read directly (each counted as a line; src_line is the record's number in the data section)`);
    const undecoded = this.plans.filter((p, i) => p.kind === Kind.Other && this.attrs[i]!.type === PERF_TYPE.TRACEPOINT && !this.tracing).length;
    if (undecoded > 0) stats.warn(`perf.data: no tracing data for ${undecoded} tracepoint events: their samples cannot be decoded (kept as context)`);
    if (this.compressed > 0) stats.note(`perf.data: ${this.compressed} zstd-compressed records (perf record -z) decompressed; the records inside them are counted as lines`);
    if (this.callchains > 0) {
      stats.note(`perf.data: ${this.callchains} samples carry call chains, as bare addresses (perf.data holds no kernel symbols): no call-chain site hints; perf script on the capturing machine prints them`);
    }
    if (this.lostSamples > 0) {
      if (this.map.lostRecords === 0) {
        stats.dropped += this.lostSamples;
        stats.warn(`perf.data: ${this.lostSamples} samples lost (PERF_RECORD_LOST_SAMPLES): faults are missing; counts are low`);
      } else {
        stats.note(`perf.data: LOST_SAMPLES records count ${this.lostSamples} lost samples per event, the same losses the LOST records count (${stats.dropped}): not added again`);
      }
    }
    if (this.throttles > 0) stats.warn(`perf.data: the kernel throttled sampling ${this.throttles} times (kernel.perf_event_max_sample_rate): faults are missing`);
  }

  private enqueue(buf: Uint8Array, v: DataView, p: number, size: number): void {
    const type = v.getUint32(p, true);
    const l = this.layout;
    const ok = l !== null && (type === REC.SAMPLE ? l.sample(v, p + 8, p + size, this.view) : l.sampleId(v, p + 8, p + size, this.view));
    const ts = ok ? this.view.time : NaN;
    if (this.used + size > this.arena.length) this.arena = widen(this.arena, Math.max(this.arena.length * 2, this.used + size));
    this.arena.set(buf.subarray(p, p + size), this.used);
    this.starts.push(this.used);
    this.numbers.push(this.count);
    // untimed records keep their place: they take the time of the record before
    const t = Number.isNaN(ts) ? (this.times.length ? this.times[this.times.length - 1]! : 0) : ts;
    this.times.push(t);
    if (t > this.maxTs) this.maxTs = t;
    this.used += size;
    if (this.used > QUEUE_LIMIT) this.flushHalf();
  }

  /** FINISHED_ROUND: what is no later than the last round's latest time can go. */
  private round(): void {
    this.flush(this.flushLimit);
    this.flushLimit = this.maxTs;
  }

  private flushHalf(): void {
    const sorted = [...this.times].sort((a, b) => a - b);
    this.flush(sorted[sorted.length >> 1]!);
  }

  /** Map every queued record with time <= limit, in time order (file order among equal times). */
  private flush(limit: number): void {
    const n = this.starts.length;
    if (n === 0) return;
    const go: number[] = [];
    const keep: number[] = [];
    for (let k = 0; k < n; k++) (this.times[k]! <= limit ? go : keep).push(k);
    if (go.length === 0) return;
    go.sort((a, b) => this.times[a]! - this.times[b]! || a - b);
    const v = new DataView(this.arena.buffer, this.arena.byteOffset, this.used);
    for (const k of go) this.dispatch(this.arena, v, this.starts[k]!, this.numbers[k]!);
    // keep the rest, moved to the front of the arena (records only move towards it, in order)
    let used = 0;
    const starts: number[] = [];
    const numbers: number[] = [];
    const times: number[] = [];
    for (const k of keep) {
      const s = this.starts[k]!;
      const size = v.getUint16(s + 6, true);
      this.arena.copyWithin(used, s, s + size);
      starts.push(used);
      numbers.push(this.numbers[k]!);
      times.push(this.times[k]!);
      used += size;
    }
    this.used = used;
    this.starts = starts;
    this.numbers = numbers;
    this.times = times;
  }

  private commOf(tid: number): string {
    return this.comms.get(tid) ?? `:${tid}`;
  }

  /** One record, in time order. */
  private dispatch(b: Uint8Array, v: DataView, p: number, no: number): void {
    const type = v.getUint32(p, true);
    const misc = v.getUint16(p + 4, true);
    const end = p + v.getUint16(p + 6, true);
    const s = p + 8;
    const m = this.map;
    const w = this.view;
    const l = this.layout;
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
        const err = this.readMmap(b, v, s, end, type === REC.MMAP2, misc);
        if (err) {
          m.unit(no, ts, w.cpu, w.pid, w.tid);
          return m.reject(`${type === REC.MMAP2 ? 'MMAP2' : 'MMAP'} record: ${err}`);
        }
        m.unit(no, ts, w.cpu, ok ? w.pid : this.mmap.pid, ok ? w.tid : this.mmap.tid);
        if (!ok) this.unitTid = this.mmap.tid;
        return m.mmapRecord(this.mmap);
      }
      case REC.COMM: {
        const pid = v.getInt32(s, true);
        const tid = v.getInt32(s + 4, true);
        const comm = cString(b, s + 8, end - (this.layout?.trailer() ?? 0));
        this.comms.set(tid, comm); // perf prints the record under the thread's new name
        if (!ok) this.unitTid = tid;
        m.unit(no, ts, w.cpu, ok ? w.pid : pid, ok ? w.tid : tid);
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
        m.unit(no, t, w.cpu, ok ? w.pid : fork ? ppid : pid, ok ? w.tid : fork ? ptid : tid);
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
    const pl = this.plans[w.attr]!;
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
        const hit = Number.isNaN(dev) || Number.isNaN(ino) ? null : { major: dev >>> 20, minor: dev & 0xfffff, ino, offset: Number.isNaN(index) ? 0 : index * this.pageSize };
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

  /** An MMAP or MMAP2 record body into this.mmap; an error reason or null. */
  private readMmap(b: Uint8Array, v: DataView, s: number, end: number, two: boolean, misc: number): string | null {
    const r = this.mmap;
    const fixed = two ? 8 + 24 + 24 + 8 : 8 + 24;
    if (s + fixed > end) return 'shorter than its fields';
    r.pid = v.getInt32(s, true);
    r.tid = v.getInt32(s + 4, true);
    const hi = v.getUint32(s + 12, true);
    if (hi >= 0x8000) {
      r.start = -1; // the kernel's own map: not a user mapping
      return null;
    }
    r.start = hi * 2 ** 32 + v.getUint32(s + 8, true);
    r.length = u64At(v, s + 16);
    r.offset = u64At(v, s + 24);
    r.major = r.minor = r.ino = -1;
    if (two) {
      if (!(misc & MISC.MMAP_BUILD_ID)) {
        r.major = v.getUint32(s + 32, true);
        r.minor = v.getUint32(s + 36, true);
        r.ino = u64At(v, s + 40);
      }
      const prot = v.getUint32(s + 56, true);
      const flags = v.getUint32(s + 60, true);
      r.read = (prot & 1) !== 0;
      r.write = (prot & 2) !== 0;
      r.exec = (prot & 4) !== 0;
      r.shared = (flags & 1) !== 0; // MAP_SHARED
    } else {
      r.read = true;
      r.write = false;
      r.exec = !(misc & MISC.MMAP_DATA);
      r.shared = false;
    }
    r.path = cString(b, s + fixed, end - (this.layout?.trailer() ?? 0));
    return null;
  }
}
