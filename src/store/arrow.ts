// One table's Arrow IPC stream file, written a batch at a time while the replay
// runs. Record batches are built straight over the batch's typed arrays (plus
// a validity bitmap where the column has nulls); only 64-bit conversions,
// addresses and string indices go through reused scratch buffers. Strings are
// Dictionary<Int32, Utf8> with a dictionary per column holding only the
// strings that column used: a batch that uses new strings is preceded by a
// delta dictionary batch. Enums are Dictionary<Int8, Utf8> over their fixed
// labels. The bytes go to the file before write() returns (see FileSink), so
// nothing accumulates between batches.

import { closeSync, openSync } from 'node:fs';
import {
  AsyncByteQueue,
  Bool,
  type Data,
  type DataType,
  Dictionary,
  Field,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Uint32,
  Uint64,
  Utf8,
  Vector,
} from 'apache-arrow';
import type { AddressTable } from '../columns/addresses.js';
import type { StringTable } from '../columns/strings.js';
import { type ColumnBatch, type ColumnSpec, NULL_ENUM, NULL_I16, NULL_I32, NULL_I8, NULL_ID, NULL_U32, type TableSpec } from '../columns/table.js';
import { writeAllSync } from './files.js';
import type { Dictionaries } from '../columns/dictionaries.js';
import { widen } from '../columns/typed.js';

/** Turns one column of a batch into Arrow data. */
interface ColumnEncoder {
  readonly field: Field;
  encode(values: ArrayLike<number> & ArrayBufferView, n: number): Data;
}

export class ArrowTableWriter {
  private readonly sink: FileSink;
  private readonly writer = new StreamWriter();
  private readonly schema: Schema;
  private readonly encoders: ColumnEncoder[];

  constructor(
    readonly path: string,
    readonly spec: TableSpec<readonly ColumnSpec[]>,
    dicts: Dictionaries,
  ) {
    let dictionaryId = 0;
    this.encoders = spec.columns.map((c) => encoderFor(c, dicts, () => dictionaryId++));
    this.schema = new Schema(
      this.encoders.map((e) => e.field),
      new Map([
        ['vmreplay.table', spec.name],
        ['vmreplay.doc', spec.doc],
      ]),
    );
    this.sink = new FileSink(path);
    // Write the schema now so a table that never gets a row is still a valid stream.
    this.writer.reset(this.sink, this.schema);
    this.sink.flush();
  }

  write(batch: ColumnBatch<readonly ColumnSpec[]>): void {
    const n = batch.length;
    if (n === 0) return;
    const children = this.spec.columns.map((c, i) => this.encoders[i]!.encode(batch.column(c.name), n));
    const data = makeData({ type: new Struct(this.schema.fields), length: n, nullCount: 0, children });
    this.writer.write(new RecordBatch(this.schema, data));
    this.writer.forgetBlocks();
    this.sink.flush();
  }

  close(): void {
    this.writer.close(); // writes the end-of-stream marker, then closes the sink
  }
}

/** Collects the writer's output and hands it to the file in one writev per batch. */
class FileSink extends AsyncByteQueue {
  private readonly fd: number;
  private pending: Uint8Array[] = [];

  constructor(path: string) {
    super();
    this.fd = openSync(path, 'w');
  }

  override write(value: ArrayBufferView | ArrayBuffer | Uint8Array): void {
    const bytes = ArrayBuffer.isView(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : new Uint8Array(value);
    if (bytes.byteLength > 0) this.pending.push(bytes);
  }

  flush(): void {
    writeAllSync(this.fd, this.pending);
    this.pending = [];
  }

  override close(): void {
    this.flush();
    closeSync(this.fd);
    super.close();
  }
}

/** A stream has no footer: drop the block index the base class keeps for the file format, so memory stays flat. */
class StreamWriter extends RecordBatchStreamWriter {
  forgetBlocks(): void {
    this._recordBatchBlocks.length = 0;
    this._dictionaryBlocks.length = 0;
  }
}

function field(c: ColumnSpec, type: DataType, nullable = true): Field {
  return new Field(
    c.name,
    type,
    nullable,
    new Map([
      ['vmreplay.kind', c.kind],
      ['vmreplay.doc', c.doc],
    ]),
  );
}

function encoderFor(c: ColumnSpec, dicts: Dictionaries, nextDictionaryId: () => number): ColumnEncoder {
  switch (c.kind) {
    case 'ts':
    case 'i64':
      return int64Encoder(c);
    case 'f64':
      return plainEncoder(c, new Float64(), 'NaN');
    case 'i32':
      return plainEncoder(c, new Int32(), NULL_I32);
    case 'i16':
      return plainEncoder(c, new Int16(), NULL_I16);
    case 'i8':
      return plainEncoder(c, new Int8(), NULL_I8);
    case 'u32':
      return plainEncoder(c, new Uint32(), NULL_U32);
    case 'u64':
      return u64Encoder(c);
    case 'bool':
      return boolEncoder(c);
    case 'enum':
      return enumEncoder(c, nextDictionaryId());
    case 'str':
      return stringEncoder(c, dicts.strings, nextDictionaryId());
    case 'addr':
      return addressEncoder(c, dicts.addresses);
  }
}

/** A column's null test: its sentinel value, or NaN for float columns. */
type NullTest = number | 'NaN' | null;

/** Reused validity bitmap, built a byte (8 rows) at a time; returns the null count. */
class Validity {
  bits = new Uint8Array(0);

  build(values: ArrayLike<number>, n: number, nullValue: number | 'NaN'): number {
    const bytes = (n + 7) >> 3;
    if (this.bits.length < bytes) this.bits = new Uint8Array(bytes);
    const bits = this.bits;
    let valid = 0;
    for (let byte = 0, i = 0; byte < bytes; byte++) {
      let b = 0;
      const end = Math.min(i + 8, n);
      if (nullValue === 'NaN') {
        for (let bit = 0; i < end; i++, bit++) if (values[i] === values[i]) b |= 1 << bit;
      } else {
        for (let bit = 0; i < end; i++, bit++) if (values[i] !== nullValue) b |= 1 << bit;
      }
      bits[byte] = b;
      valid += POPCOUNT[b]!;
    }
    return n - valid;
  }

  /** As build(), over interleaved (lo, hi) pairs: a row is null when both halves are `nullValue`. */
  buildPairs(values: ArrayLike<number>, n: number, nullValue: number): number {
    const bytes = (n + 7) >> 3;
    if (this.bits.length < bytes) this.bits = new Uint8Array(bytes);
    this.bits.fill(0, 0, bytes);
    let nulls = 0;
    for (let i = 0; i < n; i++) {
      if (values[2 * i] === nullValue && values[2 * i + 1] === nullValue) nulls++;
      else this.bits[i >> 3]! |= 1 << (i & 7);
    }
    return nulls;
  }

  /** The bitmap to hand to Arrow: none when nothing is null. */
  view(n: number, nulls: number): Uint8Array | undefined {
    return nulls === 0 ? undefined : this.bits.subarray(0, (n + 7) >> 3);
  }
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let x = b; x; x >>= 1) n += x & 1;
  return n;
});

/** Columns whose typed array already is the Arrow value buffer. */
function plainEncoder<T extends Float64 | Int32 | Int16 | Int8 | Uint32>(c: ColumnSpec, type: T, nullValue: NullTest): ColumnEncoder {
  const validity = new Validity();
  return {
    field: field(c, type, nullValue !== null),
    encode(values, n) {
      const nulls = nullValue === null ? 0 : validity.build(values, n, nullValue);
      const data = (values as unknown as { subarray(a: number, b: number): T['TArray'] }).subarray(0, n);
      // makeData's overloads are per type; this one path serves five fixed-width types.
      return makeData({ type, length: n, nullCount: nulls, nullBitmap: validity.view(n, nulls), data } as never);
    },
  };
}

/** Float64 holding integers (ts, counts) to Int64: split into 32-bit halves without going through BigInt. */
function int64Encoder(c: ColumnSpec): ColumnEncoder {
  const type = new Int64();
  const validity = new Validity();
  let pairs = new Int32Array(0);
  return {
    field: field(c, type),
    encode(values, n) {
      if (pairs.length < 2 * n) pairs = new Int32Array(2 * n);
      const f = values as Float64Array;
      let nulls = 0;
      for (let i = 0; i < n; i++) {
        const x = Math.trunc(f[i]!);
        if (x !== x) {
          nulls++;
          pairs[2 * i] = 0;
          pairs[2 * i + 1] = 0;
        } else {
          pairs[2 * i] = x >>> 0; // ToUint32 is x modulo 2^32
          pairs[2 * i + 1] = Math.floor(x / 4294967296);
        }
      }
      if (nulls > 0) validity.build(f, n, 'NaN');
      const data = new BigInt64Array(pairs.buffer, 0, n);
      return makeData({ type, length: n, nullCount: nulls, nullBitmap: validity.view(n, nulls), data });
    },
  };
}

/** Interleaved (lo, hi) u32 pairs are little-endian u64s already. */
function u64Encoder(c: ColumnSpec): ColumnEncoder {
  const type = new Uint64();
  const validity = new Validity();
  return {
    field: field(c, type),
    encode(values, n) {
      const a = values as Uint32Array;
      const nulls = validity.buildPairs(a, n, NULL_U32);
      const data = a.byteOffset % 8 === 0 ? new BigUint64Array(a.buffer, a.byteOffset, n) : new BigUint64Array(a.slice(0, 2 * n).buffer);
      return makeData({ type, length: n, nullCount: nulls, nullBitmap: validity.view(n, nulls), data });
    },
  };
}

function boolEncoder(c: ColumnSpec): ColumnEncoder {
  const type = new Bool();
  const validity = new Validity();
  const truth = new Validity();
  return {
    field: field(c, type),
    encode(values, n) {
      const nulls = validity.build(values, n, NULL_I8);
      truth.build(values, n, 0); // set where the value is not 0 (nulls are masked by the validity)
      return makeData({ type, length: n, nullCount: nulls, nullBitmap: validity.view(n, nulls), data: truth.bits.subarray(0, (n + 7) >> 3) });
    },
  };
}

function utf8Data(values: readonly string[]): Data<Utf8> {
  const encoder = new TextEncoder();
  const encoded = values.map((v) => encoder.encode(v));
  const offsets = new Int32Array(values.length + 1);
  for (let i = 0; i < encoded.length; i++) offsets[i + 1] = offsets[i]! + encoded[i]!.length;
  const bytes = new Uint8Array(offsets[values.length]!);
  for (let i = 0; i < encoded.length; i++) bytes.set(encoded[i]!, offsets[i]!);
  return makeData({ type: new Utf8(), length: values.length, nullCount: 0, valueOffsets: offsets, data: bytes });
}

function enumEncoder(c: ColumnSpec, id: number): ColumnEncoder {
  const type = new Dictionary(new Utf8(), new Int8(), id);
  const labels = new Vector([utf8Data(c.enum!.labels)]);
  const validity = new Validity();
  return {
    field: field(c, type),
    encode(values, n) {
      const codes = values as Uint8Array;
      const nulls = validity.build(codes, n, NULL_ENUM);
      // Codes are < 128, so the same bytes read as Int8 indices; the null code is masked out.
      const data = new Int8Array(codes.buffer, codes.byteOffset, n);
      return makeData({ type, length: n, nullCount: nulls, nullBitmap: validity.view(n, nulls), data, dictionary: labels });
    },
  };
}

/**
 * Interned string ids to indices into this column's own dictionary. The
 * dictionary only grows: each batch's new strings become one more chunk, which
 * the stream writer emits as a delta dictionary batch.
 */
function stringEncoder(c: ColumnSpec, strings: StringTable, id: number): ColumnEncoder {
  const type = new Dictionary(new Utf8(), new Int32(), id);
  const validity = new Validity();
  const chunks: Data<Utf8>[] = [];
  let localOf = new Int32Array(1024).fill(-1); // global string id -> index in this dictionary
  let size = 0;
  let indices = new Int32Array(0);
  return {
    field: field(c, type),
    encode(values, n) {
      const ids = values as Int32Array;
      if (indices.length < n) indices = new Int32Array(n);
      if (localOf.length < strings.size) localOf = widen(localOf, Math.max(strings.size, 2 * localOf.length), -1);
      const added: string[] = [];
      let nulls = 0;
      for (let i = 0; i < n; i++) {
        const g = ids[i]!;
        if (g === NULL_ID) {
          nulls++;
          indices[i] = 0;
          continue;
        }
        let local = localOf[g]!;
        if (local < 0) {
          local = localOf[g] = size++;
          added.push(strings.get(g)!);
        }
        indices[i] = local;
      }
      if (nulls > 0) validity.build(ids, n, NULL_ID);
      if (added.length > 0 || chunks.length === 0) chunks.push(utf8Data(added));
      const dictionary = new Vector(chunks);
      return makeData({ type, length: n, nullCount: nulls, nullBitmap: validity.view(n, nulls), data: indices.subarray(0, n), dictionary });
    },
  };
}

/** Address ids resolved to their exact 64-bit values. */
function addressEncoder(c: ColumnSpec, addresses: AddressTable): ColumnEncoder {
  const type = new Uint64();
  const validity = new Validity();
  let pairs = new Uint32Array(0);
  return {
    field: field(c, type),
    encode(values, n) {
      const ids = values as Int32Array;
      if (pairs.length < 2 * n) pairs = new Uint32Array(2 * n);
      let nulls = 0;
      for (let i = 0; i < n; i++) {
        const id = ids[i]!;
        if (id === NULL_ID) {
          nulls++;
          pairs[2 * i] = pairs[2 * i + 1] = 0;
        } else {
          pairs[2 * i] = addresses.low(id);
          pairs[2 * i + 1] = addresses.high(id);
        }
      }
      if (nulls > 0) validity.build(ids, n, NULL_ID);
      return makeData({ type, length: n, nullCount: nulls, nullBitmap: validity.view(n, nulls), data: new BigUint64Array(pairs.buffer, 0, n) });
    },
  };
}
