// Staging files written while the replay runs: each batch becomes one Parquet
// row group (see parquet.ts), so the cost per batch is a writev plus one pass
// over the string, enum, boolean and address columns. Numbers go in as the
// batch's raw bytes with their sentinel nulls (the SQL of the conversion turns
// those into NULL). The others are resolved here, while the batch is at hand, as
// OPTIONAL columns: strings dictionary-encoded per row group, enums with
// their label list as the dictionary, booleans as bits, addresses as exact
// uint64. That leaves DuckDB a plain projection, which keeps the rows in
// order; resolving ids with joins did not (hash joins reorder rows) and was
// slower.
//
// A table's staging is split into files of ROW_GROUPS_PER_FILE row groups;
// each finished file is handed on at once (convert.ts turns it into a part
// of the final table while the replay goes on), so the files on disk and the
// footer kept in memory stay small however long the trace is.

import { join } from 'node:path';
import { type ColumnBatch, type ColumnSpec, NULL_ENUM, NULL_I8, NULL_ID, type TableSpec } from '../columns/table.js';
import type { StringTable } from '../columns/strings.js';
import { bytesOf, type ColumnPage, type ParquetColumn, ParquetWriter, plainStrings } from './parquet.js';
import { stagingColumn } from './sql.js';
import type { Dictionaries } from '../columns/dictionaries.js';
import { widen } from '../columns/typed.js';

/**
 * 15 batches of 8192 rows are 122880 rows, DuckDB's own row group size: each
 * converted part is then one whole row group, and the joined table has the
 * row groups a single COPY of the whole table would have written. Small
 * files also leave little to convert once the replay ends.
 */
export const ROW_GROUPS_PER_FILE = 15;

/** Hears of each staging file once it is complete (footer written, closed). */
export type FileDone = (path: string) => void;

type Encode = (batch: ColumnBatch<readonly ColumnSpec[]>, n: number) => ColumnPage;

export class StagingTable {
  private writer: ParquetWriter | null = null;
  private files = 0;
  private readonly columns: ParquetColumn[];
  private readonly encoders: Encode[];

  constructor(
    private readonly dir: string,
    readonly spec: TableSpec<readonly ColumnSpec[]>,
    dicts: Dictionaries,
    utf8: Utf8Cache,
    private readonly onFileDone: FileDone,
  ) {
    this.columns = spec.columns.map(stagingColumn);
    this.encoders = spec.columns.map((c) => encoderFor(c, dicts, utf8));
  }

  write(batch: ColumnBatch<readonly ColumnSpec[]>): void {
    const n = batch.length;
    if (n === 0) return;
    const pages = this.encoders.map((encode) => encode(batch, n));
    this.current().writeRowGroup(n, pages);
    if (this.writer!.rowGroups >= ROW_GROUPS_PER_FILE) this.finishFile();
  }

  /** Finish the last file; a table that got no rows still gets one (empty) file for its schema. */
  close(): void {
    if (this.writer || this.files === 0) {
      this.current();
      this.finishFile();
    }
  }

  /** Close the open file without handing it on (the run is being given up). */
  abandon(): void {
    this.writer?.discard();
    this.writer = null;
  }

  private current(): ParquetWriter {
    if (!this.writer) {
      const path = join(this.dir, `${this.spec.name}.${String(this.files++).padStart(5, '0')}.parquet`);
      this.writer = new ParquetWriter(path, this.columns);
    }
    return this.writer;
  }

  private finishFile(): void {
    const writer = this.writer!;
    writer.close();
    this.writer = null;
    this.onFileDone(writer.path);
  }
}

/** UTF-8 bytes of interned strings, encoded once per run and shared by every table. */
export class Utf8Cache {
  private readonly bytes: (Uint8Array | undefined)[] = [];
  private readonly encoder = new TextEncoder();

  constructor(private readonly strings: StringTable) {}

  get(id: number): Uint8Array {
    return (this.bytes[id] ??= this.encoder.encode(this.strings.get(id) ?? ''));
  }
}

function encoderFor(c: ColumnSpec, dicts: Dictionaries, utf8: Utf8Cache): Encode {
  switch (c.kind) {
    case 'str':
      return stringEncoder(c, dicts.strings, utf8);
    case 'addr':
      return addressEncoder(c, dicts);
    case 'enum':
      return enumEncoder(c);
    case 'bool':
      return boolEncoder(c);
    case 'i16':
    case 'i8': {
      // Parquet has no narrower physical type than INT32: widen into a reused buffer.
      let wide = new Int32Array(0);
      return (batch, n) => {
        if (wide.length < n) wide = new Int32Array(batch.capacity);
        wide.set(batch.column(c.name).subarray(0, n)); // sign- or zero-extends natively
        return { plain: bytesOf(wide, n) };
      };
    }
    case 'u64':
      return (batch, n) => ({ plain: bytesOf(batch.column(c.name), 2 * n) });
    default:
      return (batch, n) => ({ plain: bytesOf(batch.column(c.name), n) });
  }
}

/** Reused validity bitmap, filled by the encoders' own loops. */
function bitmap(bits: Uint8Array, n: number): Uint8Array {
  const bytes = (n + 7) >> 3;
  if (bits.length < bytes) bits = new Uint8Array(bytes);
  bits.fill(0, 0, bytes);
  return bits;
}

/** Strings as a per-row-group dictionary of the strings this batch used, and indices into it. */
function stringEncoder(c: ColumnSpec, strings: StringTable, utf8: Utf8Cache): Encode {
  let localOf = new Int32Array(0); // global string id -> index in this batch's dictionary, -1 between batches
  let indices = new Int32Array(0);
  let narrow8 = new Uint8Array(0);
  let narrow16 = new Uint16Array(0);
  let bits: Uint8Array = new Uint8Array(0);
  return (batch, n) => {
    const ids = batch.column(c.name) as Int32Array;
    if (localOf.length < strings.size) localOf = widen(localOf, Math.max(strings.size, 2 * localOf.length), -1);
    if (indices.length < n) indices = new Int32Array(batch.capacity);
    bits = bitmap(bits, n);
    const used: number[] = [];
    let k = 0;
    for (let i = 0; i < n; i++) {
      const g = ids[i]!;
      if (g === NULL_ID) continue;
      let local = localOf[g]!;
      if (local < 0) {
        local = localOf[g] = used.length;
        used.push(g);
      }
      indices[k++] = local;
      bits[i >> 3]! |= 1 << (i & 7);
    }
    for (const g of used) localOf[g] = -1;
    const dictionary = plainStrings(used.map((g) => utf8.get(g)));
    const validity = k === n ? null : bits.subarray(0, (n + 7) >> 3);
    if (used.length <= 0x100) {
      if (narrow8.length < k) narrow8 = new Uint8Array(batch.capacity);
      narrow8.set(indices.subarray(0, k));
      return { validity, dictionary, dictionarySize: used.length, indices: narrow8.subarray(0, k), bitWidth: 8 };
    }
    if (used.length <= 0x10000) {
      if (narrow16.length < k) narrow16 = new Uint16Array(batch.capacity);
      narrow16.set(indices.subarray(0, k));
      return { validity, dictionary, dictionarySize: used.length, indices: bytesOf(narrow16, k), bitWidth: 16 };
    }
    return { validity, dictionary, dictionarySize: used.length, indices: bytesOf(indices, k), bitWidth: 32 };
  };
}

/** Enum codes are indices into the fixed label list: a dictionary page of the labels, the codes of the non-null rows. */
function enumEncoder(c: ColumnSpec): Encode {
  const labels = c.enum!.labels;
  const dictionary = plainStrings(labels);
  let codes = new Uint8Array(0);
  let bits: Uint8Array = new Uint8Array(0);
  return (batch, n) => {
    const values = batch.column(c.name) as Uint8Array;
    if (codes.length < n) codes = new Uint8Array(batch.capacity);
    bits = bitmap(bits, n);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const code = values[i]!;
      if (code === NULL_ENUM) continue;
      codes[k++] = code;
      bits[i >> 3]! |= 1 << (i & 7);
    }
    return { validity: k === n ? null : bits.subarray(0, (n + 7) >> 3), dictionary, dictionarySize: labels.length, indices: codes.subarray(0, k), bitWidth: 8 };
  };
}

/** Booleans as PLAIN bits of the non-null rows. */
function boolEncoder(c: ColumnSpec): Encode {
  let packed: Uint8Array = new Uint8Array(0);
  let bits: Uint8Array = new Uint8Array(0);
  return (batch, n) => {
    const values = batch.column(c.name) as Int8Array;
    packed = bitmap(packed, n);
    bits = bitmap(bits, n);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (v === NULL_I8) continue;
      if (v !== 0) packed[k >> 3]! |= 1 << (k & 7);
      k++;
      bits[i >> 3]! |= 1 << (i & 7);
    }
    return { validity: k === n ? null : bits.subarray(0, (n + 7) >> 3), values: packed.subarray(0, (k + 7) >> 3) };
  };
}

/** Address ids as their exact 64-bit values, non-null values only. */
function addressEncoder(c: ColumnSpec, dicts: Dictionaries): Encode {
  const addresses = dicts.addresses;
  let pairs = new Uint32Array(0);
  let bits: Uint8Array = new Uint8Array(0);
  return (batch, n) => {
    const ids = batch.column(c.name) as Int32Array;
    if (pairs.length < 2 * n) pairs = new Uint32Array(2 * batch.capacity);
    bits = bitmap(bits, n);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      if (id === NULL_ID) continue;
      pairs[2 * k] = addresses.low(id);
      pairs[2 * k + 1] = addresses.high(id);
      k++;
      bits[i >> 3]! |= 1 << (i & 7);
    }
    return { validity: k === n ? null : bits.subarray(0, (n + 7) >> 3), values: bytesOf(pairs, 2 * k) };
  };
}
