// What a trace framing (ktrdump, dtrace, JSON Lines, CSV, perf) provides: a
// sniffer that scores the first lines of a file, and a line parser that turns
// each line into an event (through the shared EventDecoder) or accounts for it
// as framing. A binary framing (perf.data) is told by its magic bytes and
// reads the file itself, each record counted as a line.

import type { EventDecoder, IngestContext } from './common/decoder.js';
import type { Sorter } from './common/sorter.js';
import type { FileStats } from './common/stats.js';

/** The framings' names (registry.ts lists the framings themselves, and FORMATS from them). */
export type FormatName = 'ktr' | 'dtrace' | 'jsonl' | 'csv' | 'perf' | 'perf-data';

export interface FramingContext {
  readonly decoder: EventDecoder;
  readonly stats: FileStats;
  /** The file's sorter: a framing that knows its CPU order may change the window. */
  readonly sorter: Sorter;
  readonly ingest: IngestContext;
}

export interface Framing {
  /** One line buf[start, end) (no newline, no CR). It must be counted exactly once. */
  line(buf: Uint8Array, start: number, end: number, lineNo: number): void;
  /** End of the file. */
  finish(): void;
}

export interface FramingDef {
  readonly name: FormatName;
  readonly description: string;
  /** file name extensions of its traces (without the dot; compression extensions come on top) */
  readonly extensions: readonly string[];
  /**
   * How sure this framing is that `lines` (the first non-blank lines of a file,
   * latin1) are its own: 0 = not mine, 1 = certain.
   */
  sniff(lines: readonly string[]): number;
  create(ctx: FramingContext): Framing;
}

/** How a binary framing gets at its file. */
export interface BinaryInput {
  readonly path: string;
  /** the file is gzip or zstd compressed (its sections are read by decompressing again) */
  readonly compressed: boolean;
  /** the (decompressed) bytes from the start, already open: a framing that reads by offset closes it */
  readonly stream: AsyncGenerator<Uint8Array>;
  /** set by the framing: bytes of the file read so far, for progress */
  consumed: () => number;
}

export interface BinaryFramingDef {
  readonly name: FormatName;
  readonly description: string;
  /** file name extensions of its traces (without the dot) */
  readonly extensions: readonly string[];
  /** The file's first (decompressed) bytes are this framing's. */
  matches(head: Uint8Array): boolean;
  /**
   * Read the whole file: every record counted in ctx.stats.lines and exactly
   * once as an event, context, rejected or framing. Yields whenever rows may
   * be ready, so they leave while the file is read.
   */
  read(input: BinaryInput, ctx: FramingContext): AsyncGenerator<void>;
}
