// The options every command that reads traces takes (replay, validate, and
// the commands that replay first), parsed in one place.

import { FORMATS } from '../ingest/framing.js';
import { DEFAULT_SORT_WINDOW_NS, type IngestOptions } from '../ingest/open.js';
import { number, oneOf } from './args.js';

export const INGEST_OPTIONS = {
  format: { type: 'string' },
  strict: { type: 'boolean' },
  'sort-window-ms': { type: 'string' },
} as const;

export const INGEST_USAGE = `  --format F           auto (default) or one of ${FORMATS.join(', ')}
  --strict             stop at the first malformed line (exit 2)
  --sort-window-ms MS  how late an event may arrive and still be put in order (default ${DEFAULT_SORT_WINDOW_NS / 1e6})`;

export function ingestOptions(values: { format?: string; strict?: boolean; 'sort-window-ms'?: string }): Required<Omit<IngestOptions, 'batchRows'>> {
  return {
    format: oneOf(values.format, ['auto', ...FORMATS] as const, '--format', 'auto'),
    strict: values.strict ?? false,
    sortWindowNs: number(values['sort-window-ms'], '--sort-window-ms', DEFAULT_SORT_WINDOW_NS / 1e6) * 1e6,
  };
}
