// Printing a query result: an aligned table for the terminal, CSV, or JSON.
// CSV and JSON stream chunk by chunk, so `SELECT * FROM events` on a large run
// prints without holding the result; the table shows the first rows only.
//
// The table is for people: addresses (UBIGINT columns) are shown in hex, as
// kernel developers read them; every column selected is shown, a `<column>_hex`
// twin too; a table wider than the terminal is printed in pages of columns.
// CSV and JSON are for programs and keep every number exact, in decimal.
//
// JSON and 64-bit integers: UBIGINT columns (addresses, va) are written as
// decimal strings, always, since a JavaScript JSON.parse would round them
// (use the *_hex columns for hex text); other integers are JSON numbers,
// falling back to a decimal string only beyond ±2^53. Nothing is rounded.

import { type DuckDBResult, DuckDBTypeId, type DuckDBValue, type Json, JsonDuckDBValueConverter } from '@duckdb/node-api';
import { type Cell, pagedTextTable } from './text-table.js';

export const OUTPUT_FORMATS = ['table', 'csv', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const DEFAULT_TABLE_ROWS = 1000;

/** Where text goes; may return a promise to apply backpressure (a pipe that is full). */
export type Write = (text: string) => void | Promise<void>;

export interface RenderOptions {
  /** table format: rows shown (the rest are counted) */
  readonly maxRows?: number;
  /** table format: characters per line (default 80); wider tables are split into pages of columns */
  readonly width?: number;
}

/** Print `result` to `out` in `format`; returns the number of rows. */
export async function renderResult(result: DuckDBResult, format: OutputFormat, out: Write, options: RenderOptions = {}): Promise<number> {
  switch (format) {
    case 'table':
      return renderTable(result, out, options.maxRows ?? DEFAULT_TABLE_ROWS, options.width ?? 80);
    case 'csv':
      return renderCsv(result, out);
    case 'json':
      return renderJson(result, out);
  }
}

async function renderTable(result: DuckDBResult, out: Write, maxRows: number, width: number): Promise<number> {
  const names = result.columnNames();
  const address = result.columnTypes().map((t) => t.typeId === DuckDBTypeId.UBIGINT);
  const shown: Cell[][] = [];
  let total = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    if (shown.length < maxRows) {
      for (const row of chunk.getRows().slice(0, maxRows - shown.length)) shown.push(row.map((v, c) => (address[c] ? hex(v) : cell(v))));
    }
    total += chunk.rowCount;
  }
  await out(pagedTextTable(names, shown, width));
  const more = total - shown.length;
  await out(
    more > 0 ? `(${total} rows, first ${shown.length} shown: --max-rows N for more, --format csv for all)\n` : `(${total} row${total === 1 ? '' : 's'})\n`,
  );
  return total;
}

function hex(v: DuckDBValue): Cell {
  return typeof v === 'bigint' ? '0x' + v.toString(16) : cell(v);
}

function cell(v: DuckDBValue): Cell {
  if (v === null || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' || typeof v === 'boolean') return v;
  return String(v);
}

async function renderCsv(result: DuckDBResult, out: Write): Promise<number> {
  await out(result.columnNames().map(csvField).join(',') + '\n');
  let total = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    await out(
      chunk
        .getRows()
        .map((row) => row.map((v) => csvField(v === null ? '' : String(v))).join(',') + '\n')
        .join(''),
    );
    total += chunk.rowCount;
  }
  return total;
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const INTEGER_AS_TEXT = new Set([DuckDBTypeId.BIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UHUGEINT]);

async function renderJson(result: DuckDBResult, out: Write): Promise<number> {
  const names = result.columnNames();
  const types = result.columnTypes().map((t) => t.typeId);
  const keys = names.map((n) => JSON.stringify(n) + ':');
  let total = 0;
  await out('[');
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const rows = chunk.convertRows(JsonDuckDBValueConverter);
    let text = '';
    for (const row of rows) {
      const fields = row.map((v, c) => keys[c] + JSON.stringify(jsonValue(v, types[c]!)));
      text += (total++ === 0 ? '\n' : ',\n') + '{' + fields.join(',') + '}';
    }
    await out(text);
  }
  await out(total === 0 ? ']\n' : '\n]\n');
  return total;
}

/** The JSON converter writes 64-bit and wider integers and decimals as text; make them numbers where that is exact. */
function jsonValue(v: Json | null, type: DuckDBTypeId): Json | null {
  if (typeof v !== 'string') return v;
  if (INTEGER_AS_TEXT.has(type)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v;
  }
  if (type === DuckDBTypeId.DECIMAL) return Number(v);
  return v;
}
