// How each column kind is staged, what SQL type it ends up as, and the SQL that
// turns a staged value (raw typed-array bytes with sentinel nulls) into the
// final one. The database build and
// docs/tables.md both read these, so the documented types are the real ones.

import { type ColumnKind, type ColumnSpec, NULL_I16, NULL_I32, NULL_I8, NULL_U32 } from '../columns/table.js';
import type { ParquetColumn } from './parquet.js';

export const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;
export const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/**
 * Staging column of a spec column: numbers as the typed array's own bytes
 * (small integers widened to 32 bits); strings, enums, booleans and
 * addresses already in their final form.
 */
export function stagingColumn(c: ColumnSpec): ParquetColumn {
  switch (c.kind) {
    case 'ts':
    case 'f64':
    case 'i64':
      return { name: c.name, type: 'double' };
    case 'u32':
      return { name: c.name, type: 'uint32' };
    case 'u64':
      return { name: c.name, type: 'uint64' };
    case 'str':
    case 'enum':
      return { name: c.name, type: 'utf8', optional: true };
    case 'bool':
      return { name: c.name, type: 'boolean', optional: true };
    case 'addr':
      return { name: c.name, type: 'uint64', optional: true };
    default:
      return { name: c.name, type: 'int32' };
  }
}

/** Final SQL type of a column (Parquet and DuckDB). */
export function sqlType(kind: ColumnKind): string {
  switch (kind) {
    case 'ts':
    case 'i64':
      return 'BIGINT';
    case 'f64':
      return 'DOUBLE';
    case 'i32':
      return 'INTEGER';
    case 'i16':
      return 'SMALLINT';
    case 'i8':
      return 'TINYINT';
    case 'bool':
      return 'BOOLEAN';
    case 'u32':
      return 'UINTEGER';
    case 'enum':
    case 'str':
      return 'VARCHAR';
    case 'addr':
    case 'u64':
      return 'UBIGINT';
  }
}

/** Columns holding 64-bit addresses: the database views add a `<name>_hex` text column for each. */
export const isAddress = (c: ColumnSpec): boolean => c.kind === 'addr' || c.kind === 'u64';

/** SELECT turning staged rows into the final table: a projection, so DuckDB keeps the rows in order. */
export function finalSelect(columns: readonly ColumnSpec[], source: string): string {
  return `SELECT ${columns.map((c) => `${convert(c, ident(c.name))} AS ${ident(c.name)}`).join(', ')} FROM ${source}`;
}

function convert(c: ColumnSpec, v: string): string {
  switch (c.kind) {
    case 'ts':
    case 'i64':
      return `CAST(trunc(NULLIF(${v}, 'NaN'::DOUBLE)) AS BIGINT)`;
    case 'f64':
      return `NULLIF(${v}, 'NaN'::DOUBLE)`;
    case 'i32':
      return `NULLIF(${v}, ${NULL_I32})`;
    case 'i16':
      return `CAST(NULLIF(${v}, ${NULL_I16}) AS SMALLINT)`;
    case 'i8':
      return `CAST(NULLIF(${v}, ${NULL_I8}) AS TINYINT)`;
    case 'u32':
      return `NULLIF(${v}, ${NULL_U32})`;
    case 'u64':
      return `NULLIF(${v}, ${(BigInt(NULL_U32) << 32n) | BigInt(NULL_U32)}::UBIGINT)`;
    default:
      return v; // str, enum, bool and addr were resolved while staging
  }
}
