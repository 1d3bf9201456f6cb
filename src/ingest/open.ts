// The ingest entry point: open a trace (file, `-` for stdin, gzip or zstd),
// sniff its framing unless one is forced, and stream its events as sorted
// typed batches. Several traces are merged by time. With `worker`, all of
// that runs in a worker thread (worker/), and this Ingest takes its batches,
// its dictionaries' entries and its files' stats as they come.

import { statSync } from 'node:fs';
import type { AddressTable } from '../columns/addresses.js';
import { Dictionaries } from '../columns/dictionaries.js';
import { EVENT_BATCH_ROWS, EVENTS, type EventBatch, newEventBatch } from '../events/schema.js';
import type { StringTable } from '../columns/strings.js';
import { BatchBuilder } from '../columns/table.js';
import { EventDecoder, type IngestContext } from './common/decoder.js';
import { Sorter } from './common/sorter.js';
import { FileStats } from './common/stats.js';
import type { BinaryFramingDef, BinaryInput, FramingContext, FramingDef } from './framing.js';
import { type ByteInput, openBytes } from './source/bytes-in.js';
import { LINE_BINARY, LINE_TOO_LONG, LINE_UNTERMINATED, LineSplitter, MAX_LINE } from './source/lines.js';
import { BINARY_FRAMINGS, FORMATS, FRAMINGS } from './registry.js';
import { InputError } from '../common/errors.js';
import type { IngestOptions, IngestProgress } from './options.js';
import { eventsInWorker } from './worker/client.js';

export type { IngestOptions, IngestProgress } from './options.js';

/** Whether `path` is a regular file (not `-`, a pipe, a device; a path that cannot be read is the reader's to report). */
function regularFile(path: string): boolean {
  if (path === '-') return false;
  try {
    return statSync(path).isFile();
  } catch {
    return true;
  }
}

/** One file's counts for progress: bytes from its input, rows into and out of its sort window. */
interface FileProgress {
  consumed: () => number;
  rowsIn: number;
  rowsOut: number;
}

export const DEFAULT_SORT_WINDOW_NS = 1e9;

/** The shared state of one ingest run over one or more files. */
export class Ingest {
  readonly strings: StringTable;
  readonly addresses: AddressTable;
  readonly files: FileStats[] = [];
  private readonly progressOf: FileProgress[] = [];
  /** the worker's last word on its progress, when it reads */
  private workerProgress: IngestProgress | null = null;
  readonly ctx: IngestContext;

  constructor(
    readonly options: IngestOptions = {},
    dicts: Dictionaries = new Dictionaries(),
  ) {
    this.strings = dicts.strings;
    this.addresses = dicts.addresses;
    this.ctx = { strings: this.strings, addresses: this.addresses, strict: options.strict ?? false };
  }

  /** Bytes read, bytes whose events have been handed on, and events read, over all files. */
  progress(): IngestProgress {
    if (this.workerProgress) return this.workerProgress;
    let bytesRead = 0;
    let bytesHandedOn = 0;
    let eventsRead = 0;
    for (const f of this.progressOf) {
      const bytes = f.consumed();
      bytesRead += bytes;
      bytesHandedOn += f.rowsIn === 0 ? 0 : (bytes * f.rowsOut) / f.rowsIn;
      eventsRead += f.rowsIn;
    }
    return { bytesRead, bytesHandedOn, eventsRead };
  }

  /** Events of all `paths`, merged in time order. */
  events(paths: readonly string[]): AsyncGenerator<EventBatch> {
    // Standard input stays in this thread: a worker does not get the process's stdin. So do
    // pipes and devices: a read of one can block until its writer acts, past the worker's
    // termination, and a file that is not regular gains nothing from the thread.
    if (this.options.worker && paths.every(regularFile)) {
      return eventsInWorker(paths, this.options, {
        files: this.files,
        strings: this.strings,
        addresses: this.addresses,
        progress: (p) => (this.workerProgress = p),
      });
    }
    const streams = paths.map((p) => this.file(p));
    return streams.length === 1 ? streams[0]! : mergeByTime(streams, this.options.batchRows ?? EVENT_BATCH_ROWS);
  }

  /** Events of one file, in time order. */
  async *file(path: string): AsyncGenerator<EventBatch> {
    const stats = new FileStats(this.files.length, path);
    this.files.push(stats);
    const batchRows = this.options.batchRows ?? EVENT_BATCH_ROWS;
    let input: ByteInput;
    try {
      input = await openBytes(path);
    } catch (e) {
      throw new InputError(path, 0, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const progress: FileProgress = { consumed: () => input.consumed(), rowsIn: 0, rowsOut: 0 };
    this.progressOf.push(progress);
    const onRead = this.options.onRead ?? (() => {});
    stats.bytes = input.size ?? 0;
    if (input.compression !== 'none') stats.note(`${input.compression}-compressed`);

    const it = input.chunks[Symbol.asyncIterator]();
    let first = await next(it, path);
    // A UTF-8 byte order mark (editors on Windows write one) is not part of the first line, in any framing.
    if (first && first.length >= 3 && first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf) {
      stats.note('a UTF-8 byte order mark at the start was skipped');
      first = first.length > 3 ? first.subarray(3) : await next(it, path);
    }
    if (!first) {
      if (this.ctx.strict) throw new InputError(path, 0, 'empty trace');
      stats.warn('empty trace: no lines');
      stats.format = this.options.format && this.options.format !== 'auto' ? this.options.format : 'empty';
      return;
    }
    const binary = this.pickBinary(path, first);
    const def = binary ? null : this.pick(path, first);
    stats.format = (binary ?? def!).name;

    const sorter = new Sorter(this.options.sortWindowNs ?? DEFAULT_SORT_WINDOW_NS, stats, batchRows);
    // The sorter copies what it is given: the builder refills the same batch.
    const builder = new BatchBuilder(
      EVENTS,
      batchRows,
      (b) => {
        progress.rowsIn += b.length;
        sorter.push(b);
      },
      true,
    );
    /** The batches the sort window lets go now, counted as handed on. */
    function* released(): Generator<EventBatch> {
      for (const b of sorter.drain()) {
        progress.rowsOut += b.length;
        yield b;
      }
    }
    const decoder = new EventDecoder(this.ctx, stats, builder);
    const fctx: FramingContext = { decoder, stats, sorter, ingest: this.ctx };
    if (binary) {
      const bin: BinaryInput = { path, compressed: input.compression !== 'none', stream: resume(first, it, path), consumed: () => input.consumed() };
      progress.consumed = () => bin.consumed();
      for await (const _ of binary.read(bin, fctx)) {
        onRead();
        yield* released();
      }
      builder.finishBatch();
      sorter.finish();
      yield* released();
      return;
    }
    const framing = def!.create(fctx);
    const splitter = new LineSplitter((buf, start, end, lineNo, flags) => {
      stats.lines++;
      if (flags & LINE_BINARY) return decoder.reject(lineNo, -1, 'binary data (NUL byte) in a text trace');
      if (flags & LINE_TOO_LONG) return decoder.reject(lineNo, -1, `line longer than ${MAX_LINE} bytes`);
      if (flags & LINE_UNTERMINATED) stats.warn(`line ${lineNo} (the last) has no newline: the file may be truncated`);
      framing.line(buf, start, end, lineNo);
    });

    for (let chunk: Uint8Array | null = first; chunk; chunk = await next(it, path)) {
      splitter.push(chunk);
      onRead();
      yield* released();
    }
    splitter.end();
    if (splitter.crOnly) stats.note('lines end with a carriage return alone (old Mac line endings): read as line breaks');
    framing.finish();
    builder.finishBatch();
    sorter.finish();
    yield* released();
    if (stats.lines === 0) {
      if (this.ctx.strict) throw new InputError(path, 0, 'empty trace');
      stats.warn('empty trace: no lines');
    }
  }

  /** A binary framing for the file: forced by --format, or told by its first bytes. */
  private pickBinary(path: string, first: Uint8Array): BinaryFramingDef | null {
    const forced = this.options.format;
    if (forced && forced !== 'auto') {
      const def = BINARY_FRAMINGS.find((f) => f.name === forced);
      if (def && !def.matches(first)) throw new InputError(path, 0, `not ${forced}: its first bytes are not that format's magic${magicHint(first)}`);
      return def ?? null;
    }
    const def = BINARY_FRAMINGS.find((f) => f.matches(first)) ?? null;
    if (!def && /\.data$/.test(path) && first.subarray(0, 64).includes(0)) {
      throw new InputError(path, 0, `not a perf.data file (offset 0 holds no PERFILE2 magic${magicHint(first)}) and not a text trace`);
    }
    return def;
  }

  private pick(path: string, first: Uint8Array): FramingDef {
    const forced = this.options.format;
    if (forced && forced !== 'auto') {
      const def = FRAMINGS.find((f) => f.name === forced);
      if (!def) throw new InputError(path, 0, `unknown format '${forced}' (one of ${FORMATS.join(', ')})`);
      return def;
    }
    const head = Buffer.from(first.buffer, first.byteOffset, Math.min(first.length, 1 << 16)).toString('latin1');
    const lines = head
      .split('\n')
      .map((l) => l.replace(/\r$/, ''))
      .filter((l) => l.trim() !== '')
      .slice(0, 50);
    if (lines.length > 0 && lines.slice(0, 5).every((l) => l.includes('\0'))) {
      throw new InputError(path, 1, 'binary data, not a text trace (use the tool that wrote it to print text)');
    }
    let best: FramingDef | null = null;
    let score = 0;
    for (const f of FRAMINGS) {
      const s = f.sniff(lines);
      if (s > score) {
        score = s;
        best = f;
      }
    }
    if (!best && /\.data$/.test(path)) {
      throw new InputError(path, 1, `not a perf.data file (no PERFILE2 magic at offset 0) and not a text trace; give --format (${FORMATS.join(', ')})`);
    }
    if (!best) {
      const shown = (lines[0] ?? '').slice(0, 60);
      throw new InputError(
        path,
        0,
        `cannot tell the trace format: none of ${FORMATS.join(', ')} reads most of its first ${lines.length} non-blank lines (the first is '${shown}'); give --format`,
      );
    }
    return best;
  }
}

/** The stream again from its first chunk, read errors as InputErrors; closing it closes the file. */
async function* resume(first: Uint8Array, it: AsyncIterator<Uint8Array>, path: string): AsyncGenerator<Uint8Array> {
  try {
    yield first;
    for (let chunk = await next(it, path); chunk; chunk = await next(it, path)) yield chunk;
  } finally {
    await it.return?.();
  }
}

/** What a file's first eight bytes show, for an error message. */
function magicHint(first: Uint8Array): string {
  const shown = [...first.subarray(0, 8)].map((c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.')).join('');
  return `: it starts '${shown}'`;
}

async function next(it: AsyncIterator<Uint8Array>, path: string): Promise<Uint8Array | null> {
  try {
    const r = await it.next();
    return r.done ? null : r.value;
  } catch (e) {
    const code = String((e as NodeJS.ErrnoException).code ?? '');
    // zlib's codes (Z_DATA_ERROR, Z_BUF_ERROR): the bytes are there but do not decompress.
    throw new InputError(
      path,
      0,
      `cannot read: ${code.startsWith('Z_') ? `the compressed data is corrupt or truncated (${(e as Error).message})` : (e as Error).message}`,
    );
  }
}

/** k-way merge of time-ordered batch streams into one, row by row. */
async function* mergeByTime(streams: AsyncGenerator<EventBatch>[], batchRows: number): AsyncGenerator<EventBatch> {
  const heads: (EventBatch | null)[] = [];
  const rows: number[] = [];
  for (const s of streams) {
    heads.push(await fill(s));
    rows.push(0);
  }
  let out = newEventBatch(batchRows);
  for (;;) {
    let best = -1;
    let bestTs = Infinity;
    for (let k = 0; k < streams.length; k++) {
      const b = heads[k];
      if (!b) continue;
      const t = b.cols.ts[rows[k]!]!;
      const key = Number.isNaN(t) ? -Infinity : t;
      if (best < 0 || key < bestTs) {
        best = k;
        bestTs = key;
      }
    }
    if (best < 0) break;
    out.copyRowFrom(heads[best]!, rows[best]!);
    if (++rows[best]! === heads[best]!.length) {
      heads[best] = await fill(streams[best]!);
      rows[best] = 0;
    }
    if (out.full) {
      yield out;
      out = newEventBatch(batchRows);
    }
  }
  if (out.length > 0) yield out;
}

async function fill(s: AsyncGenerator<EventBatch>): Promise<EventBatch | null> {
  for (;;) {
    const r = await s.next();
    if (r.done) return null;
    if (r.value.length > 0) return r.value;
  }
}
