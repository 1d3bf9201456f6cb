// Rows of a batch as plain objects: enums as labels, strings and addresses
// resolved, nulls as null. For tests, debugging and small outputs, not for
// the hot path.

import type { Dictionaries } from './dictionaries.js';
import { type ColumnBatch, type ColumnSpec, isNull, isNullU64 } from './table.js';

export type Row = Record<string, string | number | boolean | null>;

export function rowsOf(batch: ColumnBatch<readonly ColumnSpec[]>, dict: Dictionaries): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < batch.length; i++) out.push(rowOf(batch, i, dict));
  return out;
}

export function rowOf(batch: ColumnBatch<readonly ColumnSpec[]>, i: number, dict: Dictionaries): Row {
  const row: Row = {};
  for (const c of batch.spec.columns) {
    const a = batch.column(c.name);
    if (c.kind === 'u64') {
      if (isNullU64(a, i)) {
        row[c.name] = null;
        continue;
      }
      const v = (BigInt(a[2 * i + 1]!) << 32n) | BigInt(a[2 * i]!);
      row[c.name] = '0x' + v.toString(16);
      continue;
    }
    const v = a[i]!;
    if (isNull(c.kind, v)) {
      row[c.name] = null;
      continue;
    }
    switch (c.kind) {
      case 'enum':
        row[c.name] = c.enum!.label(v);
        break;
      case 'str':
        row[c.name] = dict.strings.get(v);
        break;
      case 'addr':
        row[c.name] = dict.addresses.hex(v);
        break;
      case 'bool':
        row[c.name] = v === 1;
        break;
      default:
        row[c.name] = v;
    }
  }
  return row;
}
