// What `validate` (and a replay's summary) says about the input: per file and
// CPU, how every line was accounted for, the time window, truncated faults,
// the first rejected lines with their line numbers, warnings and notes.
// Notes, warnings and rejected lines are wrapped to `width`; the per-file
// line and the per-CPU table never are.

import type { FileStats } from '../ingest/common/stats.js';
import { nanos, textTable } from './render/text-table.js';
import { KEEP, wrap } from './render/wrap.js';

export function formatIngestStats(files: readonly FileStats[], width = 80): string {
  /** One indented paragraph, continuation lines indented further. */
  const item = (text: string) => indent(wrap(text, width - 2));
  let out = '';
  for (const f of files) {
    let head = `${f.path}: ${f.format}, ${f.lines} lines: ${f.events} events, ${f.context} context, ${f.unknown} unknown, ${f.rejected} rejected, ${f.framing} framing`;
    if (f.derived > 0) head += `; ${f.derived} more events derived from those lines`;
    if (f.dropped > 0) head += `, ${f.dropped} dropped by the tracer`;
    out += head + '\n'; // one line per file, whole, for grep
    const rows = f.perCpu.map((c) => [
      c.cpu < 0 ? '-' : c.cpu,
      c.lines,
      c.events,
      c.context,
      c.unknown,
      c.rejected,
      c.dropped,
      c.late,
      Number.isNaN(c.firstTs) ? '' : c.firstTs,
      Number.isNaN(c.lastTs) ? '' : c.lastTs,
      Number.isNaN(c.firstTs) ? '' : nanos(c.lastTs - c.firstTs),
      c.truncatedBegin,
      c.truncatedEnd,
    ]);
    if (rows.length > 0) {
      out += indent(
        textTable(
          ['cpu', 'lines', 'events', 'context', 'unknown', 'rejected', 'dropped', 'late', 'first_ts', 'last_ts', 'window', 'trunc_begin', 'trunc_end'],
          rows,
        ),
      );
    }
    if (f.unknownKeys > 0) out += item(`${f.unknownKeys} unknown keys kept in events.extra`);
    for (const r of f.rejects) out += item(`rejected${KEEP}${f.path}:${r.line}: ${r.reason}`);
    if (f.rejected > f.rejects.length) out += item(`... and ${f.rejected - f.rejects.length} more rejected lines`);
    for (const w of f.warnings) out += item(`warning: ${w}`);
    for (const n of f.notes) out += item(`note: ${n}`);
  }
  return out;
}

const indent = (s: string): string =>
  s
    .split('\n')
    .map((l) => (l ? '  ' + l : l))
    .join('\n');
