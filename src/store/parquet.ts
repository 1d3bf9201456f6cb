// A Parquet file writer for the run's tables: one data page (v1) per column
// per row group, zstd-compressed on libuv's thread pool, with column
// statistics in the footer. The pages come already encoded (table-file.ts):
//  - PLAIN fixed-width values are the little-endian bytes of a typed array,
//    PLAIN booleans a bitmap;
//  - definition levels of an OPTIONAL column are one RLE run when no value is
//    null, else one bit-packed run whose bytes are exactly a validity bitmap
//    (LSB first, 1 = present);
//  - dictionary indices are one bit-packed run of the dictionary's bit width
//    (packBits).
// So encoding a row group costs about one pass over its values, and the
// costly part, compression, runs beside the replay on the second core. Row groups are
// written in the order they were added, whatever order their compression
// finishes in.

import { closeSync, openSync, writev } from 'node:fs';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';

// The package's index.js (1.2.2) drops the level its README documents, so the
// native binding it wraps is called directly: same function, with a level.
const { compress } = createRequire(import.meta.url)('@mongodb-js/zstd/bindings.js') as {
  compress(data: Buffer, level?: number): Promise<Buffer>;
};
import { encodeStruct, type ThriftStruct, type ThriftValue } from './thrift.js';

export type ParquetType = 'boolean' | 'int8' | 'int16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'double' | 'utf8';

export interface ParquetColumn {
  readonly name: string;
  readonly type: ParquetType;
  /** OPTIONAL (may hold nulls) rather than REQUIRED */
  readonly optional?: boolean;
}

/** Column statistics of one row group: min and max PLAIN-encoded (absent when every value is null). */
export interface ColumnStats {
  readonly nulls: number;
  readonly min: Uint8Array | null;
  readonly max: Uint8Array | null;
}

/** One column's data in one row group. addRowGroup() copies what it needs before it returns: the caller may then reuse the buffers. */
export type ColumnPage = (
  | /** every value, PLAIN (REQUIRED columns) */ { readonly plain: Uint8Array }
  /** OPTIONAL column: validity bitmap (null = no nulls) and the PLAIN bytes of the non-null values only */
  | { readonly validity: Uint8Array | null; readonly values: Uint8Array }
  /** OPTIONAL column, dictionary encoded: the dictionary's PLAIN bytes and the non-null values' indices */
  | {
      readonly validity: Uint8Array | null;
      readonly dictionary: Uint8Array;
      readonly dictionarySize: number;
      readonly indices: Uint8Array;
      /** 1 to 32; indices of width 8, 16 or 32 may be given as the bytes of a Uint8Array, Uint16Array or Int32Array */
      readonly bitWidth: number;
    }
) & { readonly stats?: ColumnStats };

export type Codec = 'zstd' | 'none';

/**
 * zstd level 6. On the tables of a 1M-event run (docs/scale.md) the default
 * level 3 leaves the output at 37% of the input, over the 35% it must stay
 * under; 6 makes it 34%, for about 1 more CPU-second per million events, spent
 * on the thread pool and not on the replay's thread.
 */
export const ZSTD_LEVEL = 6;

export interface ParquetWriterOptions {
  /** default zstd (at ZSTD_LEVEL) */
  readonly codec?: Codec;
  /** the footer's created_by */
  readonly createdBy?: string;
}

// parquet.thrift enums
const PHYSICAL: Record<ParquetType, number> = { boolean: 0, int8: 1, int16: 1, int32: 1, uint32: 1, int64: 2, uint64: 2, double: 5, utf8: 6 };
const CONVERTED: Partial<Record<ParquetType, number>> = { utf8: 0, uint32: 13, uint64: 14, int8: 15, int16: 16, int32: 17, int64: 18 };
const REQUIRED = 0;
const OPTIONAL = 1;
const PLAIN = 0;
const RLE = 3;
const RLE_DICTIONARY = 8;
const CODEC: Record<Codec, number> = { none: 0, zstd: 6 };
const DATA_PAGE = 0;
const DICTIONARY_PAGE = 2;
const MAGIC = new TextEncoder().encode('PAR1');

interface ChunkMeta {
  readonly start: number;
  readonly size: number;
  readonly uncompressed: number;
  readonly dataPage: number;
  readonly dictionaryPage: number | null;
  readonly stats: ColumnStats | undefined;
}

interface RowGroupMeta {
  readonly rows: number;
  readonly chunks: readonly ChunkMeta[];
}

/** A column chunk's pages, uncompressed, in buffers of the writer's own. */
interface BuiltChunk {
  readonly dictionary: Uint8Array | null;
  readonly dictionarySize: number;
  readonly body: Uint8Array;
  readonly encoding: number;
  readonly stats: ColumnStats | undefined;
  readonly rows?: number;
}

/** A column chunk compressed and ready to write: its parts in file order. */
interface ReadyChunk {
  readonly parts: readonly Uint8Array[];
  readonly dictionaryBytes: number; // header and body of the dictionary page, 0 without one
  readonly uncompressed: number;
  readonly stats: ColumnStats | undefined;
}

export class ParquetWriter {
  private position = 0;
  private rowCount = 0;
  private readonly groups: RowGroupMeta[] = [];
  /** the writes so far, one after the other; rejects with the first failure */
  private tail: Promise<void>;
  /** the row groups added and not yet on disk, oldest first */
  private readonly inFlight: Promise<void>[] = [];
  private failure: { readonly error: unknown } | null = null;
  private readonly codec: Codec;

  private readonly fd: number;
  private closed = false;

  /** Opens (creates or truncates) `path` at once; the writes then go on in the background. */
  constructor(
    readonly path: string,
    readonly columns: readonly ParquetColumn[],
    private readonly options: ParquetWriterOptions = {},
  ) {
    this.fd = openSync(path, 'w');
    this.codec = options.codec ?? 'zstd';
    this.tail = this.write([MAGIC]);
  }

  get rows(): number {
    return this.rowCount;
  }

  /** Row groups added but not yet on disk. */
  get pending(): number {
    return this.inFlight.length;
  }

  /** Settles when the oldest row group not yet on disk is (at once when none is). */
  oldest(): Promise<void> {
    return (this.inFlight[0] ?? Promise.resolve()).catch(() => {});
  }

  /** The first failure of a compression or a write, if one failed. */
  get failed(): unknown {
    return this.failure?.error;
  }

  /**
   * Add one row group of `rows` rows; `pages[i]` is column i's data. Its
   * pages are compressed at once on the thread pool and written after the
   * row groups added before it; the returned promise settles when it is on
   * disk (a failure is also kept for close()).
   */
  addRowGroup(rows: number, pages: readonly ColumnPage[]): Promise<void> {
    if (pages.length !== this.columns.length) throw new Error(`parquet: ${this.path}: ${pages.length} pages for ${this.columns.length} columns`);
    this.rowCount += rows;
    const built = pages.map((page, i) => ({ ...this.build(i, rows, page), rows }));
    const ready = Promise.all(built.map((c) => this.chunk(c)));
    const written = Promise.all([ready, this.tail]).then(([chunks]) => this.place(rows, chunks));
    this.tail = written;
    this.inFlight.push(written);
    written.then(
      () => this.inFlight.shift(),
      (error: unknown) => {
        this.inFlight.shift();
        this.failure ??= { error };
      },
    );
    return written;
  }

  /** Wait for every row group, write the footer and close the file (closed even when something failed). */
  async close(): Promise<void> {
    try {
      await this.tail;
      const footer = encodeStruct(this.fileMetaData());
      const length = new Uint8Array(4);
      new DataView(length.buffer).setUint32(0, footer.byteLength, true);
      await this.write([footer, length, MAGIC]);
    } finally {
      this.closeFile();
    }
  }

  /** Close the file without a footer once the writes in flight are done: it is being thrown away. */
  async discard(): Promise<void> {
    await this.tail.catch(() => {});
    this.closeFile();
  }

  private closeFile(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  /** One column chunk's pages, each in one buffer of its own: the caller's buffers are read here and never after. */
  private build(column: number, rows: number, page: ColumnPage): BuiltChunk {
    const body = concat(this.dataPageBody(column, rows, page));
    if (!('dictionary' in page)) return { dictionary: null, dictionarySize: 0, body, encoding: PLAIN, stats: page.stats };
    return { dictionary: page.dictionary.slice(), dictionarySize: page.dictionarySize, body, encoding: RLE_DICTIONARY, stats: page.stats };
  }

  /** A chunk's pages compressed (on the thread pool) behind their headers. */
  private async chunk(c: BuiltChunk & { readonly rows: number }): Promise<ReadyChunk> {
    const parts: Uint8Array[] = [];
    let uncompressed = 0;
    let dictionaryBytes = 0;
    const [dictionary, body] = await Promise.all([c.dictionary && this.compressed(c.dictionary), this.compressed(c.body)]);
    if (c.dictionary && dictionary) {
      const header = encodeStruct(pageHeader(DICTIONARY_PAGE, c.dictionary.byteLength, dictionary.byteLength, [7, dictionaryHeader(c.dictionarySize)]));
      parts.push(header, dictionary);
      uncompressed += header.byteLength + c.dictionary.byteLength;
      dictionaryBytes = header.byteLength + dictionary.byteLength;
    }
    const header = encodeStruct(pageHeader(DATA_PAGE, c.body.byteLength, body.byteLength, [5, dataHeader(c.rows, c.encoding)]));
    parts.push(header, body);
    uncompressed += header.byteLength + c.body.byteLength;
    return { parts, dictionaryBytes, uncompressed, stats: c.stats };
  }

  private async compressed(bytes: Uint8Array): Promise<Uint8Array> {
    if (this.codec === 'none') return bytes;
    return compress(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), ZSTD_LEVEL);
  }

  /** Write a row group's chunks at the end of the file and note where each landed. */
  private async place(rows: number, ready: readonly ReadyChunk[]): Promise<void> {
    let at = this.position;
    const chunks = ready.map((c): ChunkMeta => {
      const start = at;
      const size = c.parts.reduce((n, b) => n + b.byteLength, 0);
      at += size;
      return {
        start,
        size,
        uncompressed: c.uncompressed,
        dictionaryPage: c.dictionaryBytes > 0 ? start : null,
        dataPage: start + c.dictionaryBytes,
        stats: c.stats,
      };
    });
    await this.write(ready.flatMap((c) => c.parts));
    this.groups.push({ rows, chunks });
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

  private async write(parts: readonly Uint8Array[]): Promise<void> {
    const size = parts.reduce((n, b) => n + b.byteLength, 0);
    const at = this.position;
    this.position += size;
    let offset = at;
    // writev may stop short: continue from the first byte not written
    let pending = parts.filter((p) => p.byteLength > 0);
    while (pending.length > 0) {
      const batch = pending.slice(0, 512);
      let bytesWritten = await writevAt(this.fd, batch, offset);
      offset += bytesWritten;
      let i = 0;
      while (i < batch.length && bytesWritten >= batch[i]!.byteLength) bytesWritten -= batch[i++]!.byteLength;
      pending = [...(i < batch.length ? [batch[i]!.subarray(bytesWritten), ...batch.slice(i + 1)] : []), ...pending.slice(batch.length)];
    }
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
          [2, { i64: g.chunks.reduce((n, c) => n + c.uncompressed, 0) }],
          [3, { i64: g.rows }],
          [5, { i64: g.chunks[0]?.start ?? MAGIC.byteLength }],
          [6, { i64: g.chunks.reduce((n, c) => n + c.size, 0) }],
        ],
      }),
    );
    // Every column sorts by its type's own order (signed, unsigned, bytes): this is what lets readers trust min_value/max_value.
    const typeOrder: ThriftValue = { struct: [[1, { struct: [] }]] };
    return [
      [1, { i32: 1 }],
      [2, { list: schema, of: 'struct' }],
      [3, { i64: this.rowCount }],
      [4, { list: rowGroups, of: 'struct' }],
      [6, { bin: this.options.createdBy ?? 'vmreplay' }],
      [7, { list: this.columns.map(() => typeOrder), of: 'struct' }],
    ];
  }

  private columnChunk(column: number, rows: number, chunk: ChunkMeta): ThriftStruct {
    const c = this.columns[column]!;
    const encodings = chunk.dictionaryPage === null ? [PLAIN, RLE] : [PLAIN, RLE, RLE_DICTIONARY];
    const meta: [number, ThriftValue][] = [
      [1, { i32: PHYSICAL[c.type] }],
      [2, { list: encodings.map((e) => ({ i32: e })), of: 'i32' }],
      [3, { list: [{ bin: c.name }], of: 'bin' }],
      [4, { i32: CODEC[this.codec] }],
      [5, { i64: rows }],
      [6, { i64: chunk.uncompressed }],
      [7, { i64: chunk.size }],
      [9, { i64: chunk.dataPage }],
    ];
    if (chunk.dictionaryPage !== null) meta.push([11, { i64: chunk.dictionaryPage }]);
    if (chunk.stats) meta.push([12, { struct: statistics(chunk.stats) }]);
    return [
      [2, { i64: chunk.start }],
      [3, { struct: meta }],
    ];
  }
}

const writevAsync = promisify(writev);
const writevAt = async (fd: number, buffers: readonly Uint8Array[], position: number): Promise<number> =>
  (await writevAsync(fd, buffers as NodeJS.ArrayBufferView[], position)).bytesWritten;

function statistics(s: ColumnStats): ThriftStruct {
  const fields: [number, ThriftValue][] = [[3, { i64: s.nulls }]];
  if (s.max && s.min) fields.push([5, { bin: s.max }], [6, { bin: s.min }]);
  return fields;
}

function pageHeader(type: number, uncompressed: number, compressed: number, header: readonly [number, ThriftValue]): ThriftStruct {
  return [[1, { i32: type }], [2, { i32: uncompressed }], [3, { i32: compressed }], header];
}

function dataHeader(rows: number, encoding: number): ThriftValue {
  return {
    struct: [
      [1, { i32: rows }],
      [2, { i32: encoding }],
      [3, { i32: RLE }],
      [4, { i32: RLE }],
    ],
  };
}

function dictionaryHeader(values: number): ThriftValue {
  return {
    struct: [
      [1, { i32: values }],
      [2, { i32: PLAIN }],
    ],
  };
}

/**
 * Definition levels (bit width 1) of a DataPage v1: a 4-byte length, then one
 * RLE run of 1s when nothing is null, else the validity bitmap as one
 * bit-packed run.
 */
function definitionLevels(rows: number, validity: Uint8Array | null): Uint8Array[] {
  const run = validity === null ? [Uint8Array.from([...varint(rows * 2), 1])] : bitPackedRun(validity.subarray(0, (rows + 7) >> 3), 1);
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
  const header = Uint8Array.from(varint(groups * 2 + 1));
  return padding > 0 ? [header, packed, new Uint8Array(padding)] : [header, packed];
}

function varint(value: number): number[] {
  const out: number[] = [];
  for (let v = value; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      out.push(v);
      return out;
    }
    out.push((v % 128) | 128);
  }
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

/** One buffer holding `parts` one after the other. */
function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * The first `count` of `values` (each below 2^width, width 1 to 24) packed
 * LSB first, as the RLE/bit-packed hybrid's bit-packed runs hold them.
 */
export function packBits(values: Int32Array, count: number, width: number): Uint8Array {
  // whole bytes: the packed bits are the values' own little-endian bytes
  if (width === 8) return Uint8Array.from(values.subarray(0, count));
  if (width === 16) return bytesOf(Uint16Array.from(values.subarray(0, count)), count);
  const out = new Uint8Array(Math.ceil((count * width) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < count; i++) {
    acc |= values[i]! << bits;
    bits += width;
    while (bits >= 8) {
      out[o++] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) out[o] = acc & 0xff;
  return out;
}

/** Bits needed for indices into a dictionary of `size` entries (at least 1). */
export function bitWidthOf(size: number): number {
  return Math.max(1, 32 - Math.clz32(Math.max(0, size - 1)));
}

/** The bytes of a typed array's first `count` elements (no copy). */
export function bytesOf(a: ArrayBufferView & { readonly BYTES_PER_ELEMENT: number }, count: number): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, count * a.BYTES_PER_ELEMENT);
}
