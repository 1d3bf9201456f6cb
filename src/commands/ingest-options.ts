// The options every command that reads traces takes (replay, validate, and
// the commands that replay first), parsed in one place. The traces' framing is
// `--trace-format`; `--format` said the same before query and compare took it
// for their output, and is still read here, with a warning.

import { THREADS_BY_DEFAULT } from '../common/module-worker.js';
import { FORMATS } from '../ingest/registry.js';
import { DEFAULT_SORT_WINDOW_NS, type IngestOptions } from '../ingest/open.js';
import { number, oneOf } from './args.js';
import { warn } from './console.js';

export const INGEST_OPTIONS = {
  'trace-format': { type: 'string' },
  format: { type: 'string' },
  strict: { type: 'boolean' },
  'sort-window-ms': { type: 'string' },
} as const;

export const INGEST_USAGE = `  --trace-format F     the traces' framing: auto (default, sniffed) or one of ${FORMATS.join(', ')}
  --format F           the same, deprecated: say --trace-format
  --strict             stop at the first malformed line (exit 2)
  --sort-window-ms MS  how late an event may arrive and still be put in order (default ${DEFAULT_SORT_WINDOW_NS / 1e6})`;

export interface IngestValues {
  'trace-format'?: string;
  format?: string;
  strict?: boolean;
  'sort-window-ms'?: string;
}

export function ingestOptions(values: IngestValues): Required<Omit<IngestOptions, 'batchRows' | 'onRead'>> {
  return {
    format: oneOf(traceFormat(values), ['auto', ...FORMATS] as const, '--trace-format', 'auto'),
    strict: values.strict ?? false,
    sortWindowNs: number(values['sort-window-ms'], '--sort-window-ms', DEFAULT_SORT_WINDOW_NS / 1e6) * 1e6,
    // Files are read in a worker thread, so the replay and the store have this one to themselves.
    worker: THREADS_BY_DEFAULT,
  };
}

/** The framing asked for: --trace-format, else the deprecated --format (with one warning line). */
function traceFormat(values: IngestValues): string | undefined {
  if (values.format === undefined) return values['trace-format'];
  warn(`--format for the traces' framing is deprecated: say --trace-format ${values.format} (--format names the output of query and compare)`);
  return values['trace-format'] ?? values.format;
}
