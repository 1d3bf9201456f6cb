// The column encoders of a table's row groups (table-file.ts): one per column
// kind, each gathering the non-null values of a row group and its validity,
// then giving the PLAIN or dictionary page and the statistics parquet.ts writes.

import { type ColumnBatch, type ColumnSpec, NULL_ENUM, NULL_I16, NULL_I32, NULL_I8, NULL_ID, NULL_U32 } from '../columns/table.js';
import type { AddressTable } from '../columns/addresses.js';
import type { Dictionaries } from '../columns/dictionaries.js';
import type { StringTable } from '../columns/strings.js';
import { widen } from '../columns/typed.js';
import { bitWidthOf, bytesOf, type ColumnPage, type ColumnStats, packBits, plainStrings } from './parquet.js';

/** DuckDB's own row group size: what a COPY of the whole table would write. */
export const ROW_GROUP_ROWS = 122880;

type AnyBatch = ColumnBatch<readonly ColumnSpec[]>;

/** Encoded bytes shared by every table of a run: UTF-8 of interned strings, hex text of interned addresses. */
export class ByteCaches {
  private readonly utf8: (Uint8Array | undefined)[] = [];
  private readonly hex: (Uint8Array | undefined)[] = [];
  private readonly encoder = new TextEncoder();

  constructor(private readonly dicts: Dictionaries) {}

  string(id: number): Uint8Array {
    return (this.utf8[id] ??= this.encoder.encode(this.dicts.strings.get(id) ?? ''));
  }

  address(id: number): Uint8Array {
    return (this.hex[id] ??= this.encoder.encode(hex64(this.dicts.addresses.high(id), this.dicts.addresses.low(id))));
  }
}

/** `0x` and the lowercase hex digits of (hi, lo), no leading zeros: what the database's hex64() gives. */
export function hex64(hi: number, lo: number): string {
  return hi === 0 ? `0x${lo.toString(16)}` : `0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}`;
}

export interface ColumnEncoder {
  /** Rows [from, to) of the batch, stored from row `at` of the row group. */
  add(batch: AnyBatch, from: number, to: number, at: number): void;
  /**
   * The row group's pages: the column's own, then, for an address column,
   * its hex text's. They are views into the encoder's buffers, good until
   * reset() (the writer copies them at once).
   */
  pages(rows: number): ColumnPage[];
  reset(): void;
}

/** The encoder of column `c`. */
export function encoderFor(c: ColumnSpec, dicts: Dictionaries, caches: ByteCaches): ColumnEncoder {
  switch (c.kind) {
    case 'ts':
    case 'i64':
      return new Int64Encoder(c.name);
    case 'f64':
      return new DoubleEncoder(c.name);
    case 'i32':
      return new Int32Encoder(c.name, NULL_I32, false);
    case 'i16':
      return new Int32Encoder(c.name, NULL_I16, false);
    case 'i8':
      return new Int32Encoder(c.name, NULL_I8, false);
    case 'u32':
      return new Int32Encoder(c.name, NULL_U32, true);
    case 'bool':
      return new BoolEncoder(c.name);
    case 'enum':
      return new EnumEncoder(c.name, c.enum!.labels);
    case 'str':
      return new StringEncoder(c.name, dicts.strings, caches);
    case 'addr':
      return new AddressEncoder(c.name, dicts.addresses, caches);
    case 'u64':
      return new U64Encoder(c.name);
  }
}

/** What every encoder keeps: the validity bitmap of the row group and the count of its non-null values. */
abstract class Encoder implements ColumnEncoder {
  protected readonly bits = new Uint8Array(ROW_GROUP_ROWS >> 3);
  protected count = 0;
  private rows = 0;

  constructor(protected readonly name: string) {}

  abstract add(batch: AnyBatch, from: number, to: number, at: number): void;
  abstract pages(rows: number): ColumnPage[];

  reset(): void {
    this.bits.fill(0, 0, (this.rows + 7) >> 3);
    this.count = 0;
  }

  /** The validity of a page of `rows` rows: null when none is null. */
  protected validity(rows: number): Uint8Array | null {
    this.rows = rows;
    return this.count === rows ? null : this.bits.subarray(0, (rows + 7) >> 3);
  }
}

/** Encoders of numbers: the row group's min and max, for the statistics. */
abstract class NumberEncoder extends Encoder {
  protected min = Number.POSITIVE_INFINITY;
  protected max = Number.NEGATIVE_INFINITY;

  /** Statistics of a page of `rows` rows, min and max as `plain` writes a value. */
  protected stats(rows: number, plain: (v: number) => Uint8Array): ColumnStats {
    const some = this.count > 0;
    return { nulls: rows - this.count, min: some ? plain(this.min) : null, max: some ? plain(this.max) : null };
  }

  override reset(): void {
    super.reset();
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
  }
}

const le32 = (v: number, unsigned: boolean): Uint8Array => {
  const b = new Uint8Array(4);
  const view = new DataView(b.buffer);
  if (unsigned) view.setUint32(0, v, true);
  else view.setInt32(0, v, true);
  return b;
};

/** Distinct values an INT32 column's dictionary may hold in a row group before the column goes PLAIN. */
const INT_DICTIONARY_MAX = 2048;
const INT_SLOT_BITS = 12; // 4096 slots: the table stays at most half full
/** Values from 0 to SMALL - 1 (cpus, attempts, depths, sequence numbers) find their index in an array, without hashing. */
const SMALL = 4096;

/**
 * INT32-backed columns (int8, int16, int32, uint32): non-null values widened
 * to 32 bits, dictionary-encoded while the row group has few distinct values
 * (cpus, pids, attempts, sequence numbers), PLAIN otherwise.
 */
class Int32Encoder extends NumberEncoder {
  private readonly values = new Int32Array(ROW_GROUP_ROWS);
  private readonly indices = new Int32Array(ROW_GROUP_ROWS);
  private readonly slotKey = new Int32Array(1 << INT_SLOT_BITS);
  private readonly slotIndex = new Int32Array(1 << INT_SLOT_BITS).fill(-1);
  /** index of each small value (0 to SMALL - 1) in the dictionary, -1 when not in it: no hashing for them */
  private readonly small = new Int32Array(SMALL).fill(-1);
  private readonly dictionary = new Int32Array(INT_DICTIONARY_MAX);
  private size = 0;
  private dictionaryFull = false;
  /** the value looked up last and its index (NaN: none yet) */
  private last = Number.NaN;
  private lastIndex = -1;
  /** whether a value went through the hash table this row group */
  private hashed = false;

  constructor(
    name: string,
    private readonly nullValue: number,
    private readonly unsigned: boolean,
  ) {
    super(name);
  }

  add(batch: AnyBatch, from: number, to: number, at: number): void {
    const col = batch.column(this.name) as Int32Array | Int16Array | Int8Array | Uint32Array;
    const { values, indices, bits, slotKey, slotIndex, small, dictionary, nullValue } = this;
    let { count: k, min, max, size, last, lastIndex, hashed } = this;
    let full = this.dictionaryFull;
    for (let i = from, r = at; i < to; i++, r++) {
      const v = col[i]!;
      if (v === nullValue) continue;
      bits[r >> 3]! |= 1 << (r & 7);
      values[k] = v;
      if (v < min) min = v;
      if (v > max) max = v;
      if (!full) {
        // runs of one value are common (a thread's rows): the last lookup first
        if (v !== last) {
          let index = -1;
          if (v >= 0 && v < SMALL) {
            index = small[v]!;
            if (index < 0 && size < INT_DICTIONARY_MAX) {
              index = small[v] = size;
              dictionary[size++] = v;
            }
          } else {
            hashed = true;
            for (let slot = Math.imul(v, 0x9e3779b1) >>> (32 - INT_SLOT_BITS); ; slot = (slot + 1) & ((1 << INT_SLOT_BITS) - 1)) {
              index = slotIndex[slot]!;
              if (index >= 0 && slotKey[slot] === (v | 0)) break;
              if (index < 0) {
                if (size < INT_DICTIONARY_MAX) {
                  slotKey[slot] = v;
                  index = slotIndex[slot] = size;
                  dictionary[size++] = v;
                }
                break;
              }
            }
          }
          if (index < 0) full = true;
          last = v;
          lastIndex = index;
        }
        indices[k] = lastIndex;
      }
      k++;
    }
    this.count = k;
    this.min = min;
    this.max = max;
    this.size = size;
    this.dictionaryFull = full;
    this.last = last;
    this.lastIndex = lastIndex;
    this.hashed = hashed;
  }

  pages(rows: number): ColumnPage[] {
    const count = this.count;
    const stats = this.stats(rows, (v) => le32(v, this.unsigned));
    const validity = this.validity(rows);
    // a dictionary pays when values repeat: a quarter as many entries as values at most
    if (!this.dictionaryFull && this.size * 4 <= count) {
      const bitWidth = bitWidthOf(this.size);
      return [
        {
          validity,
          dictionary: bytesOf(this.dictionary, this.size),
          dictionarySize: this.size,
          indices: packBits(this.indices, count, bitWidth),
          bitWidth,
          stats,
        },
      ];
    }
    return [{ validity, values: bytesOf(this.values, count), stats }];
  }

  override reset(): void {
    super.reset();
    for (let i = 0; i < this.size; i++) {
      const v = this.dictionary[i]!;
      if (v >= 0 && v < SMALL) this.small[v] = -1;
    }
    if (this.hashed) this.slotIndex.fill(-1);
    this.hashed = false;
    this.last = Number.NaN;
    this.lastIndex = -1;
    this.size = 0;
    this.dictionaryFull = false;
  }
}

const TWO_32 = 2 ** 32;

function le64(v: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt(v), true);
  return b;
}

/** Counts and times, held as doubles (NaN = null), written as INT64. */
class Int64Encoder extends NumberEncoder {
  /** (lo, hi) halves of each non-null value */
  private readonly halves = new Int32Array(2 * ROW_GROUP_ROWS);

  add(batch: AnyBatch, from: number, to: number, at: number): void {
    const col = batch.column(this.name) as Float64Array;
    const { halves, bits } = this;
    let { count: k, min, max } = this;
    for (let i = from, r = at; i < to; i++, r++) {
      const d = col[i]!;
      if (d !== d) continue; // NaN: null
      bits[r >> 3]! |= 1 << (r & 7);
      const v = Math.trunc(d);
      const hi = Math.floor(v / TWO_32);
      halves[2 * k] = v - hi * TWO_32;
      halves[2 * k + 1] = hi;
      k++;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    this.count = k;
    this.min = min;
    this.max = max;
  }

  pages(rows: number): ColumnPage[] {
    const count = this.count;
    const stats = this.stats(rows, le64);
    return [{ validity: this.validity(rows), values: bytesOf(this.halves, 2 * count), stats }];
  }
}

class DoubleEncoder extends NumberEncoder {
  private readonly values = new Float64Array(ROW_GROUP_ROWS);

  add(batch: AnyBatch, from: number, to: number, at: number): void {
    const col = batch.column(this.name) as Float64Array;
    const { values, bits } = this;
    let { count: k, min, max } = this;
    for (let i = from, r = at; i < to; i++, r++) {
      const v = col[i]!;
      if (v !== v) continue;
      bits[r >> 3]! |= 1 << (r & 7);
      values[k++] = v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    this.count = k;
    this.min = min;
    this.max = max;
  }

  pages(rows: number): ColumnPage[] {
    const count = this.count;
    const stats = this.stats(rows, (v) => bytesOf(Float64Array.of(v), 1));
    return [{ validity: this.validity(rows), values: bytesOf(this.values, count), stats }];
  }
}

class BoolEncoder extends Encoder {
  private readonly packed = new Uint8Array(ROW_GROUP_ROWS >> 3);
  private seen = 0; // bit 1: a false, bit 2: a true

  add(batch: AnyBatch, from: number, to: number, at: number): void {
    const col = batch.column(this.name) as Int8Array;
    const { packed, bits } = this;
    let k = this.count;
    let seen = this.seen;
    for (let i = from, r = at; i < to; i++, r++) {
      const v = col[i]!;
      if (v === NULL_I8) continue;
      bits[r >> 3]! |= 1 << (r & 7);
      if (v !== 0) packed[k >> 3]! |= 1 << (k & 7);
      seen |= v !== 0 ? 2 : 1;
      k++;
    }
    this.count = k;
    this.seen = seen;
  }

  pages(rows: number): ColumnPage[] {
    const count = this.count;
    const stats: ColumnStats = {
      nulls: rows - count,
      min: count ? Uint8Array.of(this.seen & 1 ? 0 : 1) : null,
      max: count ? Uint8Array.of(this.seen & 2 ? 1 : 0) : null,
    };
    return [{ validity: this.validity(rows), values: this.packed.subarray(0, (count + 7) >> 3), stats }];
  }

  override reset(): void {
    this.packed.fill(0, 0, (this.count + 7) >> 3);
    super.reset();
    this.seen = 0;
  }
}

/** Byte-wise order of UTF-8 strings (Parquet's order for BYTE_ARRAY). */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.byteLength, b.byteLength);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.byteLength - b.byteLength;
}

/** Longest min or max a string column's statistics carry; longer ones are left out. */
const MAX_STAT_BYTES = 256;

function stringStats(values: readonly Uint8Array[], nulls: number): ColumnStats {
  if (values.length === 0) return { nulls, min: null, max: null };
  let min = values[0]!;
  let max = min;
  for (const v of values) {
    if (compareBytes(v, min) < 0) min = v;
    if (compareBytes(v, max) > 0) max = v;
  }
  if (min.byteLength > MAX_STAT_BYTES || max.byteLength > MAX_STAT_BYTES) return { nulls, min: null, max: null };
  return { nulls, min, max };
}

/**
 * Values held as dense ids (interned strings and addresses): the row group's
 * dictionary is the ids it used, in order of first use, found through an
 * array indexed by id (no hashing).
 */
abstract class IdDictionary extends Encoder {
  protected readonly indices = new Int32Array(ROW_GROUP_ROWS);
  /** id -> index in this row group's dictionary, -1 when not in it */
  private localOf = new Int32Array(0);
  protected used: number[] = [];

  constructor(
    name: string,
    /** how many ids there are so far */
    private readonly idCount: () => number,
  ) {
    super(name);
  }

  add(batch: AnyBatch, from: number, to: number, at: number): void {
    const ids = batch.column(this.name) as Int32Array;
    if (this.localOf.length < this.idCount()) this.localOf = widen(this.localOf, Math.max(this.idCount(), 2 * this.localOf.length), -1);
    const { indices, bits, localOf, used } = this;
    let k = this.count;
    for (let i = from, r = at; i < to; i++, r++) {
      const g = ids[i]!;
      if (g === NULL_ID) continue;
      bits[r >> 3]! |= 1 << (r & 7);
      let local = localOf[g]!;
      if (local < 0) {
        local = localOf[g] = used.length;
        used.push(g);
      }
      indices[k++] = local;
    }
    this.count = k;
  }

  /** The packed indices and their width. */
  protected packed(): { indices: Uint8Array; bitWidth: number } {
    const bitWidth = bitWidthOf(this.used.length);
    return { indices: packBits(this.indices, this.count, bitWidth), bitWidth };
  }

  override reset(): void {
    super.reset();
    for (const g of this.used) this.localOf[g] = -1;
    this.used = [];
  }
}

class StringEncoder extends IdDictionary {
  constructor(
    name: string,
    strings: StringTable,
    private readonly caches: ByteCaches,
  ) {
    super(name, () => strings.size);
  }

  pages(rows: number): ColumnPage[] {
    const values = this.used.map((g) => this.caches.string(g));
    const stats = stringStats(values, rows - this.count);
    return [{ validity: this.validity(rows), dictionary: plainStrings(values), dictionarySize: values.length, ...this.packed(), stats }];
  }
}

/** Unsigned 64-bit (hi, lo) as PLAIN bytes, and the min and max of a list of them, compared unsigned. */
const u64Bytes = (hi: number, lo: number): Uint8Array => bytesOf(Uint32Array.of(lo, hi), 2);

function u64Stats(his: ArrayLike<number>, los: ArrayLike<number>, n: number, nulls: number): ColumnStats {
  if (n === 0) return { nulls, min: null, max: null };
  let min = 0;
  let max = 0;
  for (let i = 1; i < n; i++) {
    if (his[i]! < his[min]! || (his[i] === his[min] && los[i]! < los[min]!)) min = i;
    if (his[i]! > his[max]! || (his[i] === his[max] && los[i]! > los[max]!)) max = i;
  }
  return { nulls, min: u64Bytes(his[min]!, los[min]!), max: u64Bytes(his[max]!, los[max]!) };
}

/** Address ids, written as the addresses themselves and as their hex text, both through one dictionary. */
class AddressEncoder extends IdDictionary {
  constructor(
    name: string,
    private readonly addresses: AddressTable,
    private readonly caches: ByteCaches,
  ) {
    super(name, () => addresses.size);
  }

  pages(rows: number): ColumnPage[] {
    const n = this.used.length;
    const halves = new Uint32Array(2 * n);
    const his = new Uint32Array(n);
    this.used.forEach((id, i) => {
      halves[2 * i] = this.addresses.low(id);
      halves[2 * i + 1] = his[i] = this.addresses.high(id);
    });
    const los = halves.filter((_, i) => i % 2 === 0);
    const texts = this.used.map((id) => this.caches.address(id));
    const validity = this.validity(rows);
    const packed = this.packed();
    const nulls = rows - this.count;
    return [
      { validity, dictionary: bytesOf(halves, 2 * n), dictionarySize: n, ...packed, stats: u64Stats(his, los, n, nulls) },
      { validity, dictionary: plainStrings(texts), dictionarySize: n, ...packed, stats: stringStats(texts, nulls) },
    ];
  }
}

/** Enum codes are indices into the fixed label list: a dictionary page of the labels, the codes of the non-null rows. */
class EnumEncoder extends Encoder {
  private readonly codes = new Int32Array(ROW_GROUP_ROWS);
  private readonly seen = new Uint8Array(256);
  private readonly dictionary: Uint8Array;
  private readonly bytes: Uint8Array[];

  constructor(name: string, labels: readonly string[]) {
    super(name);
    const encoder = new TextEncoder();
    this.bytes = labels.map((l) => encoder.encode(l));
    this.dictionary = plainStrings(this.bytes);
  }

  add(batch: AnyBatch, from: number, to: number, at: number): void {
    const col = batch.column(this.name) as Uint8Array;
    const { codes, seen, bits } = this;
    let k = this.count;
    for (let i = from, r = at; i < to; i++, r++) {
      const code = col[i]!;
      if (code === NULL_ENUM) continue;
      bits[r >> 3]! |= 1 << (r & 7);
      codes[k++] = code;
      seen[code] = 1;
    }
    this.count = k;
  }

  pages(rows: number): ColumnPage[] {
    const used = this.bytes.filter((_, code) => this.seen[code] === 1);
    const bitWidth = bitWidthOf(this.bytes.length);
    const stats = stringStats(used, rows - this.count);
    return [
      {
        validity: this.validity(rows),
        dictionary: this.dictionary,
        dictionarySize: this.bytes.length,
        indices: packBits(this.codes, this.count, bitWidth),
        bitWidth,
        stats,
      },
    ];
  }

  override reset(): void {
    super.reset();
    this.seen.fill(0);
  }
}

/** Largest high half whose (hi, lo) is exact as one double: user-space addresses; kernel ones are keyed by their text. */
const EXACT_HI = 0x1fffff;

/** u64 columns (interleaved lo, hi; 2^64-1 the null): the values PLAIN, their hex text through a dictionary of the row group's texts. */
class U64Encoder extends Encoder {
  private readonly halves = new Uint32Array(2 * ROW_GROUP_ROWS);
  private readonly indices = new Int32Array(ROW_GROUP_ROWS);
  private readonly localOf = new Map<number | string, number>();
  private texts: string[] = [];

  add(batch: AnyBatch, from: number, to: number, at: number): void {
    const col = batch.column(this.name) as Uint32Array;
    const { halves, indices, bits, localOf, texts } = this;
    let k = this.count;
    for (let i = from, r = at; i < to; i++, r++) {
      const lo = col[2 * i]!;
      const hi = col[2 * i + 1]!;
      if (lo === NULL_U32 && hi === NULL_U32) continue;
      bits[r >> 3]! |= 1 << (r & 7);
      halves[2 * k] = lo;
      halves[2 * k + 1] = hi;
      const key = hi <= EXACT_HI ? hi * TWO_32 + lo : hex64(hi, lo);
      let local = localOf.get(key);
      if (local === undefined) {
        local = texts.length;
        localOf.set(key, local);
        texts.push(hex64(hi, lo));
      }
      indices[k++] = local;
    }
    this.count = k;
  }

  pages(rows: number): ColumnPage[] {
    const count = this.count;
    const his = new Uint32Array(count);
    const los = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      los[i] = this.halves[2 * i]!;
      his[i] = this.halves[2 * i + 1]!;
    }
    const nulls = rows - count;
    const validity = this.validity(rows);
    const encoder = new TextEncoder();
    const texts = this.texts.map((t) => encoder.encode(t));
    const bitWidth = bitWidthOf(texts.length);
    return [
      { validity, values: bytesOf(this.halves, 2 * count), stats: u64Stats(his, los, count, nulls) },
      {
        validity,
        dictionary: plainStrings(texts),
        dictionarySize: texts.length,
        indices: packBits(this.indices, count, bitWidth),
        bitWidth,
        stats: stringStats(texts, nulls),
      },
    ];
  }

  override reset(): void {
    super.reset();
    this.localOf.clear();
    this.texts = [];
  }
}
