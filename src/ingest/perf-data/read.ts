// perf.data read directly: the file `perf record` writes, without perf. The
// header gives the events (attrs) and, after the data, the tracing data whose
// format descriptions locate each tracepoint field in a sample's raw payload
// (plan.ts). The data section goes through three stages, as in Perfetto's
// importer: the tokenizer cuts it into records (tokenize.ts), the queue puts
// them in time order (queue.ts), and the parser maps each, in that order,
// onto the perf text reader's events (parse.ts).
//
// Each record counts as one input line (`src_line` is its number in the data
// section).
//
// Also read: records zstd-compressed by `perf record -z` (one zstd stream
// over all COMPRESSED records), and pipe mode (`perf record -o -`), where the
// attrs, the tracing data and the header features arrive as records before
// the samples that need them, so the file is read in one pass (stdin too).

import { InputError } from '../../common/errors.js';
import type { BinaryFramingDef, BinaryInput, FramingContext } from '../framing.js';
import {
  FEAT,
  HEADER_SIZE,
  PERF_TYPE,
  PIPE_HEADER_SIZE,
  eventNames,
  featureSections,
  headerSize,
  headerString,
  isPerfData,
  parseAttrs,
  parseCmdline,
  parseHeader,
} from './header.js';
import { openSections } from './input.js';
import { RecordParser } from './parse.js';
import { CaptureEvents } from './plan.js';
import { RecordQueue } from './queue.js';
import { RecordTokenizer, tokenizeChunks } from './tokenize.js';
import { type TracingData, parseTracingData } from './tracing-data.js';

export const perfData: BinaryFramingDef = {
  name: 'perf-data',
  extensions: ['data'],
  description:
    'Linux perf.data (perf record of page-fault, mmap_lock, filemap and sched tracepoints and minor/major-faults) read directly: header, attrs, tracing-data formats, MMAP/MMAP2/COMM/FORK/EXIT/LOST and SAMPLE records, mapped as the perf text is',
  matches: isPerfData,
  read: readPerfData,
};

async function* readPerfData(input: BinaryInput, ctx: FramingContext): AsyncGenerator<void> {
  const first = await input.stream.next();
  const head = first.done ? new Uint8Array(0) : first.value;
  if (headerSize(head) === PIPE_HEADER_SIZE) return yield* readPipe(input.path, head, input.stream, ctx);
  await input.stream.return(undefined); // a file is read by offset
  yield* readFile(input, ctx);
}

/** Pipe mode: one pass over the stream; the events, their formats and the features come as records. */
async function* readPipe(path: string, head: Uint8Array, rest: AsyncGenerator<Uint8Array>, ctx: FramingContext): AsyncGenerator<void> {
  const reader = new DataReader(path, ctx, 'perf.data (pipe mode)');
  // what came with the header first, then the rest of the stream
  const { at, carry } = yield* tokenizeChunks(reader.tokenizer, after(new Uint8Array(0), rest), PIPE_HEADER_SIZE, head.subarray(PIPE_HEADER_SIZE));
  const count = reader.tokenizer.count;
  if (carry)
    throw new InputError(path, count + 1, `truncated perf.data: the stream ends inside record ${count + 1} at byte ${at} (${carry.length} bytes of it)`);
  reader.finish();
  await noteOrigin(ctx, async (bit) => reader.tokenizer.feature(bit), reader.events);
  yield;
}

async function* after(first: Uint8Array, rest: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield first;
  yield* rest;
}

async function* readFile(input: BinaryInput, ctx: FramingContext): AsyncGenerator<void> {
  const { path } = input;
  const src = await openSections(path, input.compressed);
  input.consumed = () => src.consumed();
  try {
    const head = await src.read({ offset: 0, size: HEADER_SIZE });
    const h = parseHeader(path, head, src.size);
    const attrs = await parseAttrs(path, h, (s) => src.read(s));
    const tableAt = h.data.offset + h.data.size;
    const table = await src.read({ offset: tableAt, size: 16 * h.features.length });
    if (table.length < 16 * h.features.length)
      throw new InputError(path, 0, `truncated perf.data: the feature section table at byte ${tableAt} is cut short (the event formats are lost)`);
    const features = featureSections(h, table);
    const featuresEnd = Math.max(0, ...[...features.values()].map((f) => f.offset + f.size));
    if (src.size !== null && featuresEnd > src.size) {
      ctx.stats.warn(
        `truncated perf.data: its feature sections end at byte ${featuresEnd} but the file has ${src.size} bytes (the data is whole; a section the reader needs would stop it)`,
      );
    }
    // the sections the reader uses, read in one go (a compressed file is decompressed once for them)
    const wanted = [FEAT.TRACING_DATA, FEAT.EVENT_DESC, FEAT.HOSTNAME, FEAT.OSRELEASE, FEAT.ARCH, FEAT.VERSION, FEAT.CMDLINE]
      .map((bit) => features.get(bit))
      .filter((x) => x !== undefined);
    const spanStart = Math.min(...wanted.map((x) => x.offset));
    const spanBytes = wanted.length
      ? await src.read({ offset: spanStart, size: Math.max(...wanted.map((x) => x.offset + x.size)) - spanStart })
      : new Uint8Array(0);
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
    const reader = new DataReader(path, ctx, 'perf.data');
    reader.events.set(attrs, desc ? eventNames(desc) : new Map<number, string>(), tracing);
    await noteOrigin(ctx, feature, reader.events);

    const end = h.data.offset + h.data.size;
    const { at } = yield* tokenizeChunks(reader.tokenizer, src.stream(h.data), h.data.offset, null);
    if (at < end) {
      const n = end - at;
      throw new InputError(
        path,
        reader.tokenizer.count + 1,
        `truncated perf.data: the data section ends at byte ${at}, ${n} bytes short of the ${h.data.size} its header gives`,
      );
    }
    reader.finish();
    yield;
  } finally {
    await src.close();
  }
}

/** Where and how the capture was made, from the feature sections. */
async function noteOrigin(ctx: FramingContext, feature: (bit: number) => Promise<Uint8Array | null>, events: CaptureEvents): Promise<void> {
  // descriptive sections: one cut short just reads as unknown
  const optional = (bit: number): Promise<Uint8Array | null> => feature(bit).catch(() => null);
  const str = async (bit: number): Promise<string> => {
    const b = await optional(bit);
    return b ? headerString(b) : '?';
  };
  const cmd = await optional(FEAT.CMDLINE);
  const cmdline = cmd ? parseCmdline(cmd) : '?';
  const release = await str(FEAT.OSRELEASE);
  if (release !== '?') ctx.stats.kernelRelease = release;
  ctx.stats.note(`perf.data: recorded on ${await str(FEAT.HOSTNAME)}, Linux ${release} ${await str(FEAT.ARCH)}, perf ${await str(FEAT.VERSION)}: ${cmdline}`);
  const unknown = events.unusedTracepoints();
  if (unknown.length > 0) ctx.stats.note(`perf.data: events the mapping does not use, kept as context: ${unknown.join(', ')}`);
}

/** One capture's stages: its events, the tokenizer, the queue and the parser, wired together. */
class DataReader {
  readonly events = new CaptureEvents();
  readonly parser: RecordParser;
  readonly queue: RecordQueue;
  readonly tokenizer: RecordTokenizer;

  constructor(
    path: string,
    private readonly ctx: FramingContext,
    /** how the notes name the input */
    private readonly what: string,
  ) {
    this.parser = new RecordParser(this.events, ctx);
    this.queue = new RecordQueue((b, v, p, no) => this.parser.record(b, v, p, no));
    this.tokenizer = new RecordTokenizer(path, ctx, this.events, this.queue);
  }

  /** The end of the data: the queue emptied, the mapping finished, and what the notes say of the records. */
  finish(): void {
    const { tokenizer, parser, events } = this;
    tokenizer.finish();
    this.queue.finish();
    parser.map.finish();
    const { stats } = this.ctx;
    stats.note(`${this.what}: ${tokenizer.count} records read directly (each counted as a line; src_line is the record's number in the data section)`);
    const undecoded = events.tracing ? 0 : events.unusedTracepoints().length;
    if (undecoded > 0) stats.warn(`perf.data: no tracing data for ${undecoded} tracepoint events: their samples cannot be decoded (kept as context)`);
    if (tokenizer.compressed > 0)
      stats.note(`perf.data: ${tokenizer.compressed} zstd-compressed records (perf record -z) decompressed; the records inside them are counted as lines`);
    if (parser.callchains > 0) {
      stats.note(
        `perf.data: ${parser.callchains} samples carry call chains, as bare addresses (perf.data holds no kernel symbols): no call-chain site hints; perf script on the capturing machine prints them`,
      );
    }
    if (parser.lostSamples > 0) {
      if (parser.map.lostRecords === 0) {
        stats.dropped += parser.lostSamples;
        stats.warn(`perf.data: ${parser.lostSamples} samples lost (PERF_RECORD_LOST_SAMPLES): faults are missing; counts are low`);
      } else {
        stats.note(
          `perf.data: LOST_SAMPLES records count ${parser.lostSamples} lost samples per event, the same losses the LOST records count (${stats.dropped}): not added again`,
        );
      }
    }
    if (tokenizer.throttles > 0)
      stats.warn(`perf.data: the kernel throttled sampling ${tokenizer.throttles} times (kernel.perf_event_max_sample_rate): faults are missing`);
  }
}
