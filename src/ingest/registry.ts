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

export const WRITERS: Partial<Record<FormatName, () => EventWriter>> = {
  jsonl: jsonlWriter,
  // Polled like `ktrdump -l` with 2048-entry rings, so long traces stream.
  ktr: () => ktrWriter({ ring: 2048 }),
  dtrace: () => dtraceWriter(),
  // Columns for the vocabulary's keys and the synthetic marker's.
  csv: () => csvWriter({ extraKeys: SYNTHETIC_MARKER_KEYS }),
};

export function writerFor(format: FormatName): EventWriter {
  const make = WRITERS[format];
  if (!make) throw new Error(`events cannot be written as ${format}`);
  return make();
}
