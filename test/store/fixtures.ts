// Shared helpers for the store tests: batches filled by hand, fingerprints
// (non-null count and exact sum per column) computed from the batches, from
// DuckDB and from Arrow, so every output can be compared with what was written.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { ColumnBatch, type ColumnSpec, isNull, isNullU64, NULL_U32, type TableSpec } from '../../src/columns/table.js';
import { AddressTable } from '../../src/columns/addresses.js';
import { StringTable } from '../../src/columns/strings.js';
import { ident } from '../../src/store/sql.js';

export type AnySpec = TableSpec<readonly ColumnSpec[]>;
export type AnyBatch = ColumnBatch<readonly ColumnSpec[]>;

export interface Dicts {
  strings: StringTable;
  addresses: AddressTable;
}

export const newDicts = (): Dicts => ({ strings: new StringTable(), addresses: new AddressTable() });

export async function tempDir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vmreplay-store-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** An address far above 2^53: doubles cannot hold it. */
export const HIGH_ADDRESS = 0xfffff80010a3c001n;

/**
 * Deterministic values for every column kind, with nulls spread over every
 * nullable column and strings that first appear in later batches.
 */
export function fillBatch(spec: AnySpec, dicts: Dicts, batchIndex: number, rows: number, capacity = rows): AnyBatch {
  const batch = new ColumnBatch(spec, capacity);
  spec.columns.forEach((c, ci) => {
    const a = batch.column(c.name);
    for (let r = 0; r < rows; r++) {
      const i = batchIndex * capacity + r;
      const nullHere = (i + ci) % 5 === 0;
      switch (c.kind) {
        case 'ts':
          a[r] = nullHere && c.name !== 'ts' ? NaN : 1.7e15 + i * 1000 + 0.4; // above 2^32, fractional part truncated
          break;
        case 'i64':
          a[r] = nullHere ? NaN : 2 ** 40 + i * 3;
          break;
        case 'f64':
          a[r] = nullHere ? NaN : i * 0.25;
          break;
        case 'i32':
          a[r] = nullHere ? -2147483648 : i - 50;
          break;
        case 'i16':
          a[r] = nullHere ? -32768 : (i % 300) - 100;
          break;
        case 'i8':
          a[r] = nullHere ? -128 : (i % 100) - 50;
          break;
        case 'bool':
          a[r] = nullHere ? -128 : i % 2;
          break;
        case 'u32': {
          const hash = Math.imul(i + 1, 2654435761) >>> 0;
          a[r] = nullHere ? NULL_U32 : hash === NULL_U32 ? 0 : hash;
          break;
        }
        case 'u64':
          a[2 * r] = nullHere ? NULL_U32 : i;
          a[2 * r + 1] = nullHere ? NULL_U32 : 0xfffff800 + (i % 3);
          break;
        case 'enum':
          a[r] = nullHere ? 255 : i % c.enum!.labels.length;
          break;
        case 'str':
          a[r] = nullHere ? -1 : dicts.strings.intern(`${c.name}-${batchIndex}-${i % 4}${i % 3 === 0 ? 'é' : ''}`);
          break;
        case 'addr':
          a[r] = nullHere ? -1 : dicts.addresses.internBigInt(HIGH_ADDRESS + BigInt(i % 13) * 0x1000n);
          break;
      }
    }
  });
  batch.length = rows;
  return batch;
}

/** Per column: non-null count and sum (strings: summed lengths; bools: trues), all as text. */
export type Fingerprint = Record<string, [string, string]>;

export class Expected {
  rows = 0;
  private readonly nonNull = new Map<string, number>();
  private readonly sums = new Map<string, bigint | number>();

  constructor(
    readonly spec: AnySpec,
    private readonly dicts: Dicts,
  ) {}

  add(batch: AnyBatch): void {
    this.rows += batch.length;
    for (const c of this.spec.columns) {
      const a = batch.column(c.name);
      for (let i = 0; i < batch.length; i++) {
        if (c.kind === 'u64') {
          if (isNullU64(a, i)) continue;
          this.sum(c.name, (BigInt(a[2 * i + 1]!) << 32n) | BigInt(a[2 * i]!));
          continue;
        }
        const v = a[i]!;
        if (isNull(c.kind, v)) continue;
        switch (c.kind) {
          case 'ts':
          case 'i64':
            this.sum(c.name, BigInt(Math.trunc(v)));
            break;
          case 'f64':
            this.sum(c.name, v);
            break;
          case 'bool':
            this.sum(c.name, BigInt(v));
            break;
          case 'enum':
            this.sum(c.name, BigInt(c.enum!.label(v)!.length));
            break;
          case 'str':
            this.sum(c.name, BigInt(this.dicts.strings.get(v)!.length));
            break;
          case 'addr':
            this.sum(c.name, this.dicts.addresses.bigint(v));
            break;
          default:
            this.sum(c.name, BigInt(v));
        }
      }
    }
  }

  fingerprint(): Fingerprint {
    const out: Fingerprint = {};
    for (const c of this.spec.columns) {
      const n = this.nonNull.get(c.name) ?? 0;
      out[c.name] = [String(n), n === 0 ? 'null' : String(this.sums.get(c.name))];
    }
    return out;
  }

  private sum(name: string, v: bigint | number): void {
    this.nonNull.set(name, (this.nonNull.get(name) ?? 0) + 1);
    const s = this.sums.get(name);
    this.sums.set(name, s === undefined ? v : typeof v === 'bigint' ? (s as bigint) + v : (s as number) + v);
  }
}

/** SQL computing the same fingerprint over `source` (a table, view or read_parquet(...)). */
export function fingerprintSql(spec: AnySpec, source: string): string {
  const parts = spec.columns.flatMap((c) => {
    const col = ident(c.name);
    const sum = c.kind === 'bool' ? `count(*) FILTER (WHERE ${col})` : c.kind === 'str' || c.kind === 'enum' ? `sum(length(${col}))` : `sum(${col})`;
    return [`count(${col})`, sum];
  });
  return `SELECT count(*), ${parts.join(', ')} FROM ${source}`;
}

export function fingerprintFromRow(spec: AnySpec, row: readonly unknown[]): { rows: number; fingerprint: Fingerprint } {
  const fingerprint: Fingerprint = {};
  spec.columns.forEach((c, i) => {
    const n = row[1 + 2 * i];
    const s = row[2 + 2 * i];
    fingerprint[c.name] = [String(n), Number(n) === 0 ? 'null' : String(s)];
  });
  return { rows: Number(row[0]), fingerprint };
}

export function fingerprintFromArrow(spec: AnySpec, table: Table): { rows: number; fingerprint: Fingerprint } {
  const fingerprint: Fingerprint = {};
  for (const c of spec.columns) {
    const vector = table.getChild(c.name)!;
    let n = 0;
    let sum: bigint | number | null = null;
    for (const v of vector) {
      if (v === null || v === undefined) continue;
      n++;
      const x: bigint | number =
        typeof v === 'bigint'
          ? v
          : typeof v === 'string'
            ? BigInt(v.length)
            : typeof v === 'boolean'
              ? BigInt(v ? 1 : 0)
              : c.kind === 'f64'
                ? (v as number)
                : BigInt(v as number);
      sum = sum === null ? x : typeof x === 'bigint' ? (sum as bigint) + x : (sum as number) + x;
    }
    fingerprint[c.name] = [String(n), n === 0 ? 'null' : String(sum)];
  }
  return { rows: table.numRows, fingerprint };
}

/** Sets columns of one row by name, from readable values (labels, strings, bigint addresses). */
export function addRow(batch: AnyBatch, dicts: Dicts, values: Record<string, string | number | bigint | boolean | null>): void {
  const r = batch.length++;
  for (const [name, v] of Object.entries(values)) {
    const c = batch.spec.columns.find((col) => col.name === name);
    if (!c) throw new Error(`no column ${name} in ${batch.spec.name}`);
    const a = batch.column(name);
    if (v === null) continue; // the batch is allocated with nulls
    switch (c.kind) {
      case 'str':
        a[r] = dicts.strings.intern(String(v));
        break;
      case 'enum':
        a[r] = c.enum!.code(String(v));
        break;
      case 'addr':
        a[r] = dicts.addresses.internBigInt(BigInt(v));
        break;
      case 'bool':
        a[r] = v ? 1 : 0;
        break;
      case 'u64':
        a[2 * r] = Number(BigInt(v) & 0xffffffffn);
        a[2 * r + 1] = Number(BigInt(v) >> 32n);
        break;
      default:
        a[r] = Number(v);
    }
  }
}
