// The records of a perf.data data section: a perf_event_header
// { u32 type; u16 misc; u16 size } and a body whose layout the record type
// and (for samples and the trailing sample_id) the event's sample_type give.
//
//   SAMPLE     [identifier] [ip] [pid tid] [time] [addr] [id] [stream_id] [cpu res] [period] [read] [callchain] [raw]
//   MMAP       pid tid addr len pgoff filename                                  + sample_id
//   MMAP2      pid tid addr len pgoff maj min ino ino_gen (or build id) prot flags filename + sample_id
//   COMM       pid tid comm (misc COMM_EXEC: an exec)                           + sample_id
//   FORK/EXIT  pid ppid tid ptid time                                          + sample_id
//   LOST       id lost;  LOST_SAMPLES lost                                     + sample_id
//   sample_id  [pid tid] [time] [id] [stream_id] [cpu res] [identifier]
//
// Nothing here makes strings except the names and paths a record carries.

import { readSize, SAMPLE, type Attr } from './header.js';
import type { MmapRecord } from '../perf/records.js';

export const REC = {
  MMAP: 1,
  LOST: 2,
  COMM: 3,
  EXIT: 4,
  THROTTLE: 5,
  UNTHROTTLE: 6,
  FORK: 7,
  SAMPLE: 9,
  MMAP2: 10,
  LOST_SAMPLES: 13,
  /** perf's own records (64 and up) */
  USER_START: 64,
  /** pipe mode: an event's attr and ids; the tracing data (which follows the record); a header feature */
  HEADER_ATTR: 64,
  HEADER_TRACING_DATA: 66,
  FINISHED_ROUND: 68,
  HEADER_FEATURE: 80,
  /** perf record -z: zstd data (81: bare; 83: a u64 data size first) */
  COMPRESSED: 81,
  COMPRESSED2: 83,
} as const;

/** perf_event_header.misc bits */
export const MISC = {
  /** COMM: the comm changed by exec; MMAP: a data (not exec) mapping */
  COMM_EXEC: 1 << 13,
  MMAP_DATA: 1 << 13,
  /** MMAP2 carries a build id instead of device and inode */
  MMAP_BUILD_ID: 1 << 14,
} as const;

/** Where a sample's or a record's common fields are, as one decoded view (reused). */
export interface SampleView {
  attr: number;
  pid: number;
  tid: number;
  /** ns; NaN when the layout has none */
  time: number;
  cpu: number;
  /** the callchain's frame count (0 when none) */
  chain: number;
  /** RAW payload [rawStart, rawEnd) in the record, -1 when none */
  rawStart: number;
  rawEnd: number;
}

export function newSampleView(): SampleView {
  return { attr: 0, pid: -1, tid: -1, time: NaN, cpu: -1, chain: 0, rawStart: -1, rawEnd: -1 };
}

export const u64At = (v: DataView, at: number): number => v.getUint32(at, true) + v.getUint32(at + 4, true) * 2 ** 32;

/** How records name their event: which attr a sample or a sample_id belongs to. */
export class Layout {
  /** attr index by event id */
  private readonly byId = new Map<number, number>();
  /** all attrs share one sample_type: no id needed */
  private readonly uniform: boolean;
  private readonly hasIdentifier: boolean;

  constructor(readonly attrs: readonly Attr[]) {
    attrs.forEach((a, i) => a.ids.forEach((id) => this.byId.set(id, i)));
    this.uniform = attrs.every((a) => a.sampleType === attrs[0]!.sampleType);
    this.hasIdentifier = attrs.every((a) => (a.sampleType & SAMPLE.IDENTIFIER) !== 0);
  }

  private attrOf(id: number): number {
    return this.byId.get(id) ?? (this.attrs.length === 1 ? 0 : -1);
  }

  /** A SAMPLE record body [s, e) into out; false when its event cannot be told or the body is short. */
  sample(v: DataView, s: number, e: number, out: SampleView): boolean {
    let at = s;
    let attr: number;
    if (this.hasIdentifier) {
      if (at + 8 > e) return false;
      attr = this.attrOf(u64At(v, at));
    } else if (this.attrs.length === 1) {
      attr = 0;
    } else {
      // PERF_SAMPLE_ID at the position the leading fields give (perf requires them alike in every event)
      const t = this.attrs[0]!.sampleType;
      let pos = s;
      for (const bit of [SAMPLE.IP, SAMPLE.TID, SAMPLE.TIME, SAMPLE.ADDR]) if (t & bit) pos += 8;
      if (!(t & SAMPLE.ID) || pos + 8 > e) return false;
      attr = this.attrOf(u64At(v, pos));
    }
    if (attr < 0) return false;
    const a = this.attrs[attr]!;
    const t = a.sampleType;
    out.attr = attr;
    out.pid = out.tid = out.cpu = -1;
    out.time = NaN;
    out.chain = 0;
    out.rawStart = out.rawEnd = -1;
    if (t & SAMPLE.IDENTIFIER) at += 8;
    if (t & SAMPLE.IP) at += 8;
    at = readTidTime(v, at, t, out);
    if (t & SAMPLE.ADDR) at += 8;
    if (t & SAMPLE.ID) at += 8;
    if (t & SAMPLE.STREAM_ID) at += 8;
    if (t & SAMPLE.CPU) {
      out.cpu = v.getUint32(at, true);
      at += 8;
    }
    if (t & SAMPLE.PERIOD) at += 8;
    if (t & SAMPLE.READ) at += readSize(a.readFormat, () => (at + 8 <= e ? u64At(v, at) : 0));
    if (t & SAMPLE.CALLCHAIN) {
      if (at + 8 > e) return false;
      out.chain = u64At(v, at);
      at += 8 + 8 * out.chain;
    }
    if (t & SAMPLE.RAW) {
      if (at + 4 > e) return false;
      const n = v.getUint32(at, true);
      out.rawStart = at + 4;
      out.rawEnd = at + 4 + n;
      at = out.rawEnd;
    }
    return at <= e;
  }

  /**
   * The sample_id at the end [s, e) of a non-sample record into out (pid,
   * tid, time, cpu); false when the events record none.
   */
  sampleId(v: DataView, s: number, e: number, out: SampleView): boolean {
    out.pid = out.tid = out.cpu = -1;
    out.time = NaN;
    out.chain = 0;
    out.rawStart = out.rawEnd = -1;
    let attr = 0;
    if (!this.uniform) {
      if (!this.hasIdentifier || e - 8 < s) return false;
      // perf's own synthesized records (start-up maps and comms) carry id 0: read with the first event's layout, as perf does
      attr = Math.max(0, this.attrOf(u64At(v, e - 8)));
    }
    const a = this.attrs[attr]!;
    if (!a.sampleIdAll) return false;
    const t = a.sampleType;
    const size = sampleIdSize(t);
    let at = e - size;
    if (at < s) return false;
    out.attr = attr;
    at = readTidTime(v, at, t, out);
    if (t & SAMPLE.ID) at += 8;
    if (t & SAMPLE.STREAM_ID) at += 8;
    if (t & SAMPLE.CPU) out.cpu = v.getUint32(at, true);
    return true;
  }

  /** Bytes of the sample_id trailer non-sample records carry (0 when none). */
  trailer(): number {
    const a = this.attrs[0]!;
    return a.sampleIdAll ? sampleIdSize(a.sampleType) : 0;
  }
}

function sampleIdSize(t: number): number {
  let n = 0;
  for (const bit of [SAMPLE.TID, SAMPLE.TIME, SAMPLE.ID, SAMPLE.STREAM_ID, SAMPLE.CPU, SAMPLE.IDENTIFIER]) if (t & bit) n += 8;
  return n;
}

/** A NUL-terminated string in [s, e). */
/**
 * An MMAP or MMAP2 record body b[s, end) into `r`; `trailer` is the length of
 * its sample_id. An error reason, or null. A kernel map comes back with start -1.
 */
export function readMmap(r: MmapRecord, b: Uint8Array, v: DataView, s: number, end: number, two: boolean, misc: number, trailer: number): string | null {
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
  r.path = cString(b, s + fixed, end - trailer);
  return null;
}

export function cString(b: Uint8Array, s: number, e: number): string {
  let k = s;
  while (k < e && b[k] !== 0) k++;
  return Buffer.from(b.buffer, b.byteOffset + s, k - s).toString('utf8');
}

/** The TID and TIME fields at `at`, where both a sample and a sample_id trailer put them; the offset after them. */
function readTidTime(v: DataView, at: number, sampleType: number, out: SampleView): number {
  if (sampleType & SAMPLE.TID) {
    out.pid = v.getInt32(at, true);
    out.tid = v.getInt32(at + 4, true);
    at += 8;
  }
  if (sampleType & SAMPLE.TIME) {
    out.time = u64At(v, at);
    at += 8;
  }
  return at;
}
