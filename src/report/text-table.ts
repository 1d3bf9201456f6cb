// Aligned plain-text tables for the terminal: numbers right-aligned, text left.

export type Cell = string | number | bigint | boolean | null | undefined;

export function textTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cells = rows.map((r) => r.map(show));
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((r) => r[c] == null || typeof r[c] === 'number' || typeof r[c] === 'bigint'));
  const width = header.map((h, c) => Math.max(h.length, ...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((v, c) => (numeric[c] ? v.padStart(width[c]!) : v.padEnd(width[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(width.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

function show(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  return String(v);
}

export const percent = (part: number, whole: number): string => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`);

export function nanos(ns: number): string {
  if (!Number.isFinite(ns)) return '-';
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(3)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(3)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} µs`;
  return `${ns.toFixed(0)} ns`;
}
