// A minimal Parquet writer for staging files: uncompressed, one data page per
// column per row group, and only encodings whose bytes JavaScript already
// holds:
//  - PLAIN fixed-width values are the little-endian bytes of a typed array,
//    PLAIN booleans a bitmap;
//  - definition levels of an OPTIONAL column are one bit-packed run whose
//    bytes are exactly a validity bitmap (LSB first, 1 = present);
//  - dictionary indices are one bit-packed run of width 8, 16 or 32, whose
//    bytes are exactly a Uint8Array, Uint16Array or Int32Array of indices.
// So a batch is written with one writev and no per-value encoding work; DuckDB
// reads the files with its parallel Parquet reader at close.

import { closeSync, openSync } from 'node:fs';
import { writeAllSync } from './files.js';
import { encodeStruct, type ThriftStruct, type ThriftValue } from './thrift.js';

export type ParquetType = 'boolean' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'double' | 'utf8';

export interface ParquetColumn {
  readonly name: string;
  readonly type: ParquetType;
  /** OPTIONAL (may hold nulls) rather than REQUIRED */
  readonly optional?: boolean;
}

/** One column's data in one row group. */
export type ColumnPage =
  /** every value, PLAIN (REQUIRED columns) */
  | { readonly plain: Uint8Array }
  /** OPTIONAL column: validity bitmap (null = no nulls) and the PLAIN bytes of the non-null values only */
  | { readonly validity: Uint8Array | null; readonly values: Uint8Array }
  /** OPTIONAL column, dictionary encoded: the dictionary's PLAIN bytes and the non-null values' indices */
  | {
      readonly validity: Uint8Array | null;
      readonly dictionary: Uint8Array;
      readonly dictionarySize: number;
      readonly indices: Uint8Array;
      readonly bitWidth: 8 | 16 | 32;
    };

// parquet.thrift enums
const PHYSICAL: Record<ParquetType, number> = { boolean: 0, int32: 1, uint32: 1, int64: 2, uint64: 2, double: 5, utf8: 6 };
const CONVERTED: Partial<Record<ParquetType, number>> = { utf8: 0, uint32: 13, uint64: 14 };
const REQUIRED = 0;
const OPTIONAL = 1;
const PLAIN = 0;
const RLE = 3;
const RLE_DICTIONARY = 8;
const UNCOMPRESSED = 0;
const DATA_PAGE = 0;
const DICTIONARY_PAGE = 2;
const MAGIC = new TextEncoder().encode('PAR1');

interface ChunkMeta {
  readonly start: number;
  readonly size: number;
  readonly dataPage: number;
  readonly dictionaryPage: number | null;
}

interface RowGroupMeta {
  readonly rows: number;
  readonly chunks: readonly ChunkMeta[];
}

export class ParquetWriter {
  private readonly fd: number;
  private position = 0;
  private rowCount = 0;
  private readonly groups: RowGroupMeta[] = [];

  constructor(
    readonly path: string,
    readonly columns: readonly ParquetColumn[],
  ) {
    this.fd = openSync(path, 'w');
    this.writeAll([MAGIC]);
  }

  get rowGroups(): number {
    return this.groups.length;
  }

  get rows(): number {
    return this.rowCount;
  }

  /** One row group of `rows` rows; `pages[i]` is column i's data. */
  writeRowGroup(rows: number, pages: readonly ColumnPage[]): void {
    const parts: Uint8Array[] = [];
    const chunks: ChunkMeta[] = [];
    let at = this.position;
    pages.forEach((page, i) => {
      const start = at;
      let dictionaryPage: number | null = null;
      const push = (bytes: Uint8Array) => {
        parts.push(bytes);
        at += bytes.byteLength;
      };
      if ('dictionary' in page) {
        dictionaryPage = at;
        push(encodeStruct(dictionaryPageHeader(page.dictionarySize, page.dictionary.byteLength)));
        push(page.dictionary);
      }
      const dataPage = at;
      const body = this.dataPageBody(i, rows, page);
      const size = body.reduce((n, b) => n + b.byteLength, 0);
      push(encodeStruct(dataPageHeader(rows, size, 'dictionary' in page ? RLE_DICTIONARY : PLAIN)));
      for (const b of body) push(b);
      chunks.push({ start, size: at - start, dataPage, dictionaryPage });
    });
    this.writeAll(parts);
    this.groups.push({ rows, chunks });
    this.rowCount += rows;
  }

  /** Write the footer and close the file (closed even when the footer cannot be written). */
  close(): void {
    try {
      const footer = encodeStruct(this.fileMetaData());
      const length = new Uint8Array(4);
      new DataView(length.buffer).setUint32(0, footer.byteLength, true);
      this.writeAll([footer, length, MAGIC]);
    } finally {
      closeSync(this.fd);
    }
  }

  /** Close the file without a footer: it is being thrown away (and a full disk must not keep it open). */
  discard(): void {
    closeSync(this.fd);
  }

  private dataPageBody(column: number, rows: number, page: ColumnPage): Uint8Array[] {
    if ('plain' in page) {
      if (this.columns[column]!.optional) throw new Error(`parquet: column ${this.columns[column]!.name} is OPTIONAL and needs a validity`);
      return [page.plain];
    }
    const levels = definitionLevels(rows, page.validity);
    if ('values' in page) return [...levels, page.values];
    return [...levels, Uint8Array.of(page.bitWidth), ...bitPackedRun(page.indices, page.bitWidth)];
  }

  private writeAll(parts: readonly Uint8Array[]): void {
    this.position += writeAllSync(this.fd, parts);
  }

  private fileMetaData(): ThriftStruct {
    const schema: ThriftValue[] = [
      {
        struct: [
          [4, { bin: 'schema' }],
          [5, { i32: this.columns.length }],
        ],
      },
      ...this.columns.map((c): ThriftValue => {
        const converted = CONVERTED[c.type];
        const element: [number, ThriftValue][] = [
          [1, { i32: PHYSICAL[c.type] }],
          [3, { i32: c.optional ? OPTIONAL : REQUIRED }],
          [4, { bin: c.name }],
        ];
        if (converted !== undefined) element.push([6, { i32: converted }]);
        return { struct: element };
      }),
    ];
    const rowGroups = this.groups.map(
      (g): ThriftValue => ({
        struct: [
          [1, { list: g.chunks.map((chunk, i) => ({ struct: this.columnChunk(i, g.rows, chunk) })), of: 'struct' }],
          [2, { i64: g.chunks.reduce((n, c) => n + c.size, 0) }],
          [3, { i64: g.rows }],
        ],
      }),
    );
    return [
      [1, { i32: 1 }],
      [2, { list: schema, of: 'struct' }],
      [3, { i64: this.rowCount }],
      [4, { list: rowGroups, of: 'struct' }],
      [6, { bin: 'vmreplay staging' }],
    ];
  }

  private columnChunk(column: number, rows: number, chunk: ChunkMeta): ThriftStruct {
    const c = this.columns[column]!;
    const encodings = chunk.dictionaryPage === null ? [PLAIN, RLE] : [PLAIN, RLE, RLE_DICTIONARY];
    const meta: [number, ThriftValue][] = [
      [1, { i32: PHYSICAL[c.type] }],
      [2, { list: encodings.map((e) => ({ i32: e })), of: 'i32' }],
      [3, { list: [{ bin: c.name }], of: 'bin' }],
      [4, { i32: UNCOMPRESSED }],
      [5, { i64: rows }],
      [6, { i64: chunk.size }],
      [7, { i64: chunk.size }],
      [9, { i64: chunk.dataPage }],
    ];
    if (chunk.dictionaryPage !== null) meta.push([11, { i64: chunk.dictionaryPage }]);
    return [
      [2, { i64: chunk.start }],
      [3, { struct: meta }],
    ];
  }
}

function dataPageHeader(rows: number, bytes: number, encoding: number): ThriftStruct {
  return [
    [1, { i32: DATA_PAGE }],
    [2, { i32: bytes }],
    [3, { i32: bytes }],
    [
      5,
      {
        struct: [
          [1, { i32: rows }],
          [2, { i32: encoding }],
          [3, { i32: RLE }],
          [4, { i32: RLE }],
        ],
      },
    ],
  ];
}

function dictionaryPageHeader(values: number, bytes: number): ThriftStruct {
  return [
    [1, { i32: DICTIONARY_PAGE }],
    [2, { i32: bytes }],
    [3, { i32: bytes }],
    [
      7,
      {
        struct: [
          [1, { i32: values }],
          [2, { i32: PLAIN }],
        ],
      },
    ],
  ];
}

/** Definition levels (bit width 1) of a DataPage v1: a 4-byte length, then the validity bitmap as one bit-packed run. */
function definitionLevels(rows: number, validity: Uint8Array | null): Uint8Array[] {
  const bytes = (rows + 7) >> 3;
  const bits = validity ?? new Uint8Array(bytes).fill(0xff);
  const run = bitPackedRun(bits.subarray(0, bytes), 1);
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(
    0,
    run.reduce((n, b) => n + b.byteLength, 0),
    true,
  );
  return [length, ...run];
}

/**
 * One bit-packed run of the RLE/bit-packed hybrid: a varint header
 * (groups of 8 values << 1 | 1) and the packed bytes, padded to whole groups.
 */
function bitPackedRun(packed: Uint8Array, bitWidth: number): Uint8Array[] {
  const groupBytes = bitWidth; // 8 values of bitWidth bits
  const groups = Math.ceil(packed.byteLength / groupBytes);
  const padding = groups * groupBytes - packed.byteLength;
  const header: number[] = [];
  for (let v = groups * 2 + 1; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      header.push(v);
      break;
    }
    header.push((v % 128) | 128);
  }
  return padding > 0 ? [Uint8Array.from(header), packed, new Uint8Array(padding)] : [Uint8Array.from(header), packed];
}

const utf8 = new TextEncoder();

/** PLAIN bytes of strings: each value as a 4-byte little-endian length and its UTF-8 bytes. */
export function plainStrings(values: readonly (string | Uint8Array)[]): Uint8Array {
  const encoded = values.map((v) => (typeof v === 'string' ? utf8.encode(v) : v));
  const out = new Uint8Array(encoded.reduce((n, e) => n + 4 + e.byteLength, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const e of encoded) {
    view.setUint32(at, e.byteLength, true);
    out.set(e, at + 4);
    at += 4 + e.byteLength;
  }
  return out;
}

/** The bytes of a typed array's first `count` elements (no copy). */
export function bytesOf(a: ArrayBufferView & { readonly BYTES_PER_ELEMENT: number }, count: number): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, count * a.BYTES_PER_ELEMENT);
}
