// What a trace framing (ktrdump, dtrace, JSON Lines, CSV, perf) provides: a
// sniffer that scores the first lines of a file, and a line parser that turns
// each line into an event (through the shared EventDecoder) or accounts for it
// as framing.

import type { EventDecoder, IngestContext } from './common/decoder.js';
import type { Sorter } from './common/sorter.js';
import type { FileStats } from './common/stats.js';

export const FORMATS = ['ktr', 'dtrace', 'jsonl', 'csv', 'perf'] as const;
export type FormatName = (typeof FORMATS)[number];

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
  /**
   * How sure this framing is that `lines` (the first non-blank lines of a file,
   * latin1) are its own: 0 = not mine, 1 = certain.
   */
  sniff(lines: readonly string[]): number;
  create(ctx: FramingContext): Framing;
}
