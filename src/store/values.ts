// DuckDB values as plain JavaScript, one rule for every reader of a run (the
// report, the library's Run): node-api's own JS conversion, with 64-bit
// integers as numbers while exact (counts, nanoseconds, pids) and bigint
// beyond 2^53 (addresses), and dates and timestamps as ISO text. Use it as
// `result.convertRowObjects(plainValue)`.

import { type DuckDBType, DuckDBTypeId, type DuckDBValueConverter, type JS, JSDuckDBValueConverter } from '@duckdb/node-api';

/** A value of a row: integers are numbers while exact, larger ones (addresses) stay bigint. */
export type Value = string | number | bigint | boolean | null | Value[] | { readonly [key: string]: Value };
export type Row = Record<string, Value>;

/** Types whose JS value holds other values, already converted by plainValue as node-api recurses. */
const NESTED: ReadonlySet<DuckDBTypeId> = new Set([
  DuckDBTypeId.LIST,
  DuckDBTypeId.ARRAY,
  DuckDBTypeId.STRUCT,
  DuckDBTypeId.MAP,
  DuckDBTypeId.UNION,
  DuckDBTypeId.VARIANT,
]);

/** A DuckDB value as a plain Value (the converter for convertRowObjects and convertRows). */
export const plainValue: DuckDBValueConverter<Value> = (value, type: DuckDBType, self) => {
  // node-api converts the children of nested values with `self`: they are Values, not its own JS.
  const js = JSDuckDBValueConverter(value, type, self as unknown as DuckDBValueConverter<JS>);
  return NESTED.has(type.typeId) ? (js as Value) : leaf(js);
};

/** A converted scalar: exact bigints as numbers, dates as ISO text, the parts of intervals and times likewise. */
function leaf(v: unknown): Value {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === v ? Number(v) : v;
  if (v instanceof Date) return v.toISOString();
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, leaf(x)]));
  return v as Value;
}
