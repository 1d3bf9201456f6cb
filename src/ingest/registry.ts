// Every framing the ingest can read, in sniffing order (ties go to the first),
// and every framing events can be written in.

import { csv } from './csv/read.js';
import { csvWriter } from './csv/write.js';
import { SYNTHETIC_MARKER_KEYS } from '../events/vocabulary.js';
import { dtrace } from './dtrace/read.js';
import { dtraceWriter } from './dtrace/write.js';
import type { BinaryFramingDef, FormatName, FramingDef } from './framing.js';
import { jsonl } from './jsonl/read.js';
import { jsonlWriter } from './jsonl/write.js';
import { ktr } from './ktr/read.js';
import { ktrWriter } from './ktr/write.js';
import { perf } from './perf/read.js';
import { perfData } from './perf-data/read.js';
import type { EventWriter } from './writer.js';

export const FRAMINGS: readonly FramingDef[] = [ktr, dtrace, jsonl, csv, perf];

/** Framings told by their first bytes (checked before any text sniffing). */
export const BINARY_FRAMINGS: readonly BinaryFramingDef[] = [perfData];

/** Every framing's name, for --format. */
export const FORMATS: readonly FormatName[] = [...FRAMINGS, ...BINARY_FRAMINGS].map((f) => f.name);

/** Names a text trace of any framing may have (its framing is told by sniffing). */
const TEXT_EXTENSIONS = ['txt', 'trace', 'log'];

/** File name extensions of traces: every framing's own, then those of text traces of any framing. */
export const TRACE_EXTENSIONS: readonly string[] = [...[...FRAMINGS, ...BINARY_FRAMINGS].flatMap((f) => f.extensions), ...TEXT_EXTENSIONS];

export const WRITERS: Partial<Record<FormatName, () => EventWriter>> = {
  jsonl: jsonlWriter,
  // Polled like `ktrdump -l` with 2048-entry rings, so long traces stream.
  ktr: () => ktrWriter({ ring: 2048 }),
  dtrace: () => dtraceWriter(),
  // Columns for the vocabulary's keys and the synthetic marker's.
  csv: () => csvWriter({ extraKeys: SYNTHETIC_MARKER_KEYS }),
};

/** The framings events can be written in, in registry order. */
export const WRITABLE_FORMATS: readonly FormatName[] = FRAMINGS.map((f) => f.name).filter((n) => WRITERS[n] !== undefined);

/** The file name extensions of the writable framings. */
export const WRITABLE_EXTENSIONS: readonly string[] = FRAMINGS.filter((f) => WRITERS[f.name] !== undefined).flatMap((f) => f.extensions);

/** The writable framing a file name's extension names (a .gz or .zst suffix aside), or null. */
export function writableFormatOf(path: string): FormatName | null {
  const ext = /\.([^./]+)$/.exec(path.replace(/\.(gz|zst)$/, ''))?.[1];
  return FRAMINGS.find((f) => WRITERS[f.name] !== undefined && ext !== undefined && f.extensions.includes(ext))?.name ?? null;
}

export function writerFor(format: FormatName): EventWriter {
  const make = WRITERS[format];
  if (!make) throw new Error(`events cannot be written as ${format}`);
  return make();
}
