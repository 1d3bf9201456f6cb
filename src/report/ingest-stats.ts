// What `validate` (and a replay's summary) says about the input: per file and
// CPU, how every line was accounted for, the time window, truncated faults,
// the first rejected lines with their line numbers, warnings and notes.

import type { FileStats } from '../ingest/common/stats.js';
import { nanos, textTable } from './text-table.js';

export function formatIngestStats(files: readonly FileStats[]): string {
  let out = '';
  for (const f of files) {
    out += `${f.path}: ${f.format}, ${f.lines} lines: ${f.events} events, ${f.context} context, ${f.unknown} unknown, ${f.rejected} rejected, ${f.framing} framing`;
    if (f.derived > 0) out += `; ${f.derived} more events derived from those lines`;
    out += f.dropped > 0 ? `, ${f.dropped} dropped by the tracer\n` : '\n';
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
    if (f.unknownKeys > 0) out += `  ${f.unknownKeys} unknown keys kept in events.extra\n`;
    for (const r of f.rejects) out += `  rejected ${f.path}:${r.line}: ${r.reason}\n`;
    if (f.rejected > f.rejects.length) out += `  ... and ${f.rejected - f.rejects.length} more rejected lines\n`;
    for (const w of f.warnings) out += `  warning: ${w}\n`;
    for (const n of f.notes) out += `  note: ${n}\n`;
  }
  return out;
}

const indent = (s: string): string =>
  s
    .split('\n')
    .map((l) => (l ? '  ' + l : l))
    .join('\n');
