// Aligned plain-text tables for the terminal: numbers right-aligned, text left;
// control characters in cells and names shown as escapes (common/printable.ts).

import { escapeControls } from '../../common/printable.js';

export type Cell = string | number | bigint | boolean | null | undefined;

export function textTable(names: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const header = names.map(escapeControls);
  const cells = rows.map((r) => r.map(show));
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((r) => r[c] == null || typeof r[c] === 'number' || typeof r[c] === 'bigint'));
  const width = columnWidths(header, cells);
  const line = (r: readonly string[]) =>
    r
      .map((v, c) => (numeric[c] ? v.padStart(width[c]!) : v.padEnd(width[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(width.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

function columnWidths(header: readonly string[], cells: readonly (readonly string[])[]): number[] {
  return header.map((h, c) => cells.reduce((w, r) => Math.max(w, (r[c] ?? '').length), h.length));
}

/**
 * A table no wider than `width`: when its rows are wider, the columns are
 * split into pages printed one after another, each repeating the first
 * column so a row can be followed across pages. Rows are never wrapped.
 */
export function pagedTextTable(header: readonly string[], rows: readonly (readonly Cell[])[], width: number): string {
  const widths = columnWidths(
    header.map(escapeControls),
    rows.map((r) => r.map(show)),
  );
  const total = widths.reduce((a, w) => a + w, 0) + 2 * (widths.length - 1);
  if (total <= width || header.length <= 1) return textTable(header, rows);
  const pages: number[][] = [];
  let page: number[] = [];
  let used = widths[0]!;
  for (let c = 1; c < header.length; c++) {
    if (page.length > 0 && used + 2 + widths[c]! > width) {
      pages.push(page);
      page = [];
      used = widths[0]!;
    }
    page.push(c);
    used += 2 + widths[c]!;
  }
  pages.push(page);
  return pages
    .map((cols, i) => {
      const pick = [0, ...cols];
      const title = `(page ${i + 1} of ${pages.length}: columns 1 and ${cols[0]! + 1}-${cols[cols.length - 1]! + 1} of ${header.length})\n`;
      return (
        title +
        textTable(
          pick.map((c) => header[c]!),
          rows.map((r) => pick.map((c) => r[c])),
        )
      );
    })
    .join('\n');
}

function show(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  return escapeControls(String(v));
}

export const percent = (part: number, whole: number): string => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`);

export function nanos(ns: number): string {
  if (!Number.isFinite(ns)) return '-';
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(3)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(3)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} µs`;
  return `${ns.toFixed(0)} ns`;
}

/** A unit of time for a whole column, so that its figures read alike (never "96050.00 ns" beside "12.3 µs"). */
export interface TimeUnit {
  readonly name: 'ns' | 'µs' | 'ms' | 's';
  readonly ns: number;
}

/** The unit the largest figure of a column reads best in. */
export function timeUnit(values: readonly number[]): TimeUnit {
  const max = Math.max(0, ...values.filter(Number.isFinite).map(Math.abs));
  if (max >= 1e9) return { name: 's', ns: 1e9 };
  if (max >= 1e6) return { name: 'ms', ns: 1e6 };
  if (max >= 1e3) return { name: 'µs', ns: 1e3 };
  return { name: 'ns', ns: 1 };
}

/** `ns` in `unit`: whole nanoseconds, else three significant places at most. */
export function inUnit(ns: number, unit: TimeUnit): string {
  if (!Number.isFinite(ns)) return '-';
  const v = ns / unit.ns;
  return `${unit.name === 'ns' ? v.toFixed(0) : v.toFixed(v !== 0 && Math.abs(v) < 10 ? 2 : 1)} ${unit.name}`;
}
