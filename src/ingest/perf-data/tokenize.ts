// The tokenizer of a perf.data data section: it cuts bytes into records,
// counts each as an input line, takes in what pipe mode sends as records
// (attrs, tracing data, header features), inflates `perf record -z`'s
// compressed records, accounts for perf's own bookkeeping, and pushes every
// other record, with its time, into the queue that orders them for the parser.

import { Decompress } from 'fzstd';
import { InputError } from '../../common/errors.js';
import type { FramingContext } from '../framing.js';
import { attrAt, eventNames, FEAT } from './header.js';
import type { CaptureEvents } from './plan.js';
import type { RecordQueue } from './queue.js';
import { newSampleView, REC, u64At } from './records.js';
import { parseTracingData } from './tracing-data.js';

export class RecordTokenizer {
  /** records read so far (the line numbers) */
  count = 0;
  /** perf record -z records, and the kernel's throttling notices */
  compressed = 0;
  throttles = 0;
  private readonly view = newSampleView();
  /** perf record -z: the zstd stream, what it gave, and a record cut at the end of what it gave */
  private zstd: Decompress | null = null;
  private inflated: Uint8Array[] = [];
  private zCarry: Uint8Array | null = null;
  /** pipe mode: the header features sent as records */
  private readonly features = new Map<number, Uint8Array>();

  constructor(
    private readonly path: string,
    private readonly ctx: FramingContext,
    private readonly events: CaptureEvents,
    private readonly queue: RecordQueue,
  ) {}

  /** Pipe mode: a header feature sent as a record, or null. */
  feature(bit: number): Uint8Array | null {
    return this.features.get(bit) ?? null;
  }

  /** The whole records at the start of buf (file offset `at`, -1 inside compressed records); returns the bytes used. */
  records(buf: Uint8Array, at: number): number {
    const v = new DataView(buf.buffer, buf.byteOffset, buf.length);
    let p = 0;
    while (p + 8 <= buf.length) {
      const size = v.getUint16(p + 6, true);
      if (size < 8) {
        const where = at >= 0 ? `at byte ${at + p}` : 'inside the compressed records';
        throw new InputError(
          this.path,
          this.count + 1,
          `perf.data record ${this.count + 1} ${where}: size ${size}, shorter than its header (the data section is corrupt)`,
        );
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
        this.queue.round();
      } else if (type === REC.COMPRESSED || type === REC.COMPRESSED2) {
        this.ctx.decoder.framing();
        // perf record -z: one zstd stream over all such records; a record may straddle two
        const data = type === REC.COMPRESSED ? buf.subarray(p + 8, p + size) : buf.subarray(p + 16, p + 16 + Math.min(size - 16, u64At(v, p + 8)));
        this.inflate(data, at + p);
      } else if (type >= REC.USER_START || type === REC.THROTTLE || type === REC.UNTHROTTLE) {
        if (type === REC.THROTTLE) this.throttles++;
        this.ctx.decoder.framing(); // perf's own bookkeeping (ids, maps, clock), throttling notices
      } else {
        this.push(buf, v, p, size, type);
      }
      p += size;
    }
    return p;
  }

  /** The end of the records: a compressed record cut short is an error. */
  finish(): void {
    if (this.zCarry)
      throw new InputError(this.path, this.count, `perf.data: the compressed records end inside a record (${this.zCarry.length} bytes left over)`);
  }

  /** A record for the parser, queued at its time (NaN when its event or its sample_id does not give one). */
  private push(buf: Uint8Array, v: DataView, p: number, size: number, type: number): void {
    const l = this.events.layout;
    const ok = l !== null && (type === REC.SAMPLE ? l.sample(v, p + 8, p + size, this.view) : l.sampleId(v, p + 8, p + size, this.view));
    this.queue.push(buf, p, size, this.count, ok ? this.view.time : NaN);
  }

  /** Pipe mode: an event attr, the tracing data, or a header feature, sent as a record. */
  private header(buf: Uint8Array, v: DataView, p: number, size: number, type: number, at: number): void {
    const e = this.events;
    if (type === REC.HEADER_ATTR) {
      const attrSize = v.getUint32(p + 12, true);
      if (attrSize < 64 || 8 + attrSize > size)
        throw new InputError(this.path, this.count, `perf.data attr record at byte ${at + p}: attr of ${attrSize} bytes in a ${size}-byte record`);
      const ids: number[] = [];
      for (let k = p + 8 + attrSize; k + 8 <= p + size; k += 8) ids.push(u64At(v, k));
      e.set([...e.attrs, attrAt(v, p + 8, ids)], e.names, e.tracing);
    } else if (type === REC.HEADER_TRACING_DATA) {
      const n = v.getUint32(p + 8, true);
      const t = parseTracingData(buf.subarray(p + size, p + size + n));
      if (typeof t === 'string') throw new InputError(this.path, this.count, `tracing data at byte ${at + p + size}: ${t}`);
      e.set(e.attrs, e.names, t);
    } else if (size >= 16) {
      const bit = u64At(v, p + 8);
      const data = buf.slice(p + 16, p + size);
      this.features.set(bit, data);
      if (bit === FEAT.EVENT_DESC) e.set(e.attrs, eventNames(data), e.tracing);
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
}

/**
 * Feed `chunks` to the tokenizer, starting at file offset `at` with `carry`
 * (bytes before the first chunk); a record cut between chunks waits for the
 * next. Yields after each chunk; returns where it stopped and what was left.
 */
export async function* tokenizeChunks(
  tokenizer: RecordTokenizer,
  chunks: AsyncIterable<Uint8Array>,
  at: number,
  carry: Uint8Array | null,
): AsyncGenerator<void, { at: number; carry: Uint8Array | null }> {
  for await (const chunk of chunks) {
    const buf: Uint8Array = carry ? concat(carry, chunk) : chunk;
    const used = tokenizer.records(buf, at);
    at += used;
    carry = used < buf.length ? buf.slice(used) : null;
    yield;
  }
  return { at, carry };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
