// Thrift compact protocol: just enough for Parquet page headers and file
// footers. Structures are given as field lists, [field id, value], so the
// encoder stays a few lines and the Parquet module reads like the
// parquet.thrift definitions it follows. The decoder is generic: it keeps
// every field it meets with its id and type, so a footer decoded, changed in
// a few fields and encoded again keeps the fields this project never names
// (statistics, bloom filter lengths, fields of later format versions).

import { widen } from '../columns/typed.js';

export type ThriftValue =
  | { readonly bool: boolean }
  | { readonly i8: number }
  | { readonly i16: number }
  | { readonly i32: number }
  /** a bigint only where the value is beyond 2^53 in magnitude */
  | { readonly i64: number | bigint }
  | { readonly double: number }
  | { readonly bin: string | Uint8Array }
  | { readonly struct: ThriftStruct }
  | { readonly list: readonly ThriftValue[]; readonly of: ElementType; readonly set?: true }
  | { readonly map: readonly (readonly [ThriftValue, ThriftValue])[]; readonly key: ElementType; readonly value: ElementType }
  /** a value of type `of` already encoded (e.g. a row group kept as bytes until the footer is written) */
  | { readonly encoded: Uint8Array; readonly of: ElementType };

export type ElementType = 'bool' | 'i8' | 'i16' | 'i32' | 'i64' | 'double' | 'bin' | 'struct' | 'list' | 'set' | 'map';

/** [field id, value]; absent optional fields are simply left out. */
export type ThriftStruct = readonly (readonly [number, ThriftValue])[];

// Compact protocol type codes (in a struct field header; in a list, booleans are 1).
const TRUE = 1;
const FALSE = 2;
const CODE: Record<ElementType, number> = { bool: TRUE, i8: 3, i16: 4, i32: 5, i64: 6, double: 7, bin: 8, list: 9, set: 10, map: 11, struct: 12 };
const ELEMENT: Record<number, ElementType> = {
  1: 'bool',
  2: 'bool',
  3: 'i8',
  4: 'i16',
  5: 'i32',
  6: 'i64',
  7: 'double',
  8: 'bin',
  9: 'list',
  10: 'set',
  11: 'map',
  12: 'struct',
};

const utf8 = new TextEncoder();

export function encodeStruct(struct: ThriftStruct): Uint8Array {
  const out = new ByteSink();
  writeStruct(out, struct);
  return out.bytes();
}

function writeStruct(out: ByteSink, struct: ThriftStruct): void {
  let last = 0;
  for (const [id, value] of struct) {
    // A boolean field carries its value in the type nibble.
    if ('encoded' in value && value.of === 'bool') throw new Error('thrift: a boolean field cannot be given encoded');
    const type = 'bool' in value ? (value.bool ? TRUE : FALSE) : CODE[typeOf(value)];
    const delta = id - last;
    if (delta > 0 && delta <= 15) out.byte((delta << 4) | type);
    else {
      out.byte(type);
      out.varint(zigzag(id));
    }
    if (!('bool' in value)) writeValue(out, value);
    last = id;
  }
  out.byte(0); // stop
}

function typeOf(v: ThriftValue): ElementType {
  if ('list' in v) return v.set ? 'set' : 'list';
  if ('encoded' in v) return v.of;
  return Object.keys(v)[0] as ElementType;
}

function writeValue(out: ByteSink, v: ThriftValue): void {
  if ('bool' in v) out.byte(v.bool ? TRUE : FALSE);
  else if ('i8' in v) out.byte(v.i8 & 0xff);
  else if ('i16' in v) out.varint(zigzag(v.i16));
  else if ('i32' in v) out.varint(zigzag(v.i32));
  else if ('i64' in v) out.varint(zigzag(v.i64));
  else if ('double' in v) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v.double, true);
    out.bytes_(b);
  } else if ('bin' in v) {
    const b = typeof v.bin === 'string' ? utf8.encode(v.bin) : v.bin;
    out.varint(b.length);
    out.bytes_(b);
  } else if ('struct' in v) writeStruct(out, v.struct);
  else if ('encoded' in v) out.bytes_(v.encoded);
  else if ('list' in v) {
    const n = v.list.length;
    const elem = CODE[v.of];
    if (n < 15) out.byte((n << 4) | elem);
    else {
      out.byte(0xf0 | elem);
      out.varint(n);
    }
    for (const e of v.list) writeValue(out, e);
  } else {
    out.varint(v.map.length);
    if (v.map.length === 0) return;
    out.byte((CODE[v.key] << 4) | CODE[v.value]);
    for (const [k, e] of v.map) {
      writeValue(out, k);
      writeValue(out, e);
    }
  }
}

/** Zigzag: numbers up to 2^52 in magnitude stay in float arithmetic, bigints take the rest. */
function zigzag(n: number | bigint): number | bigint {
  if (typeof n === 'bigint') return n >= 0n ? n * 2n : -n * 2n - 1n;
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

class ByteSink {
  private buf = new Uint8Array(256);
  private n = 0;

  byte(b: number): void {
    if (this.n === this.buf.length) this.grow(1);
    this.buf[this.n++] = b;
  }

  varint(v: number | bigint): void {
    if (typeof v === 'bigint') {
      while (v >= 0x80n) {
        this.byte(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      this.byte(Number(v));
      return;
    }
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.byte(v);
  }

  bytes_(b: Uint8Array): void {
    if (this.n + b.length > this.buf.length) this.grow(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.n);
  }

  private grow(extra: number): void {
    this.buf = widen(this.buf, Math.max(this.buf.length * 2, this.n + extra));
  }
}

/** Thrift bytes that do not decode: what is wrong and where. */
export class ThriftError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
    this.name = 'ThriftError';
  }
}

/** Structs nest no deeper than this in any real Parquet footer; deeper is corrupt input, not recursion to follow. */
const MAX_DEPTH = 64;

/** Decode one struct from `bytes` (e.g. a Parquet footer); throws ThriftError on bytes that are not one. */
export function decodeStruct(bytes: Uint8Array): ThriftStruct {
  const r = new ByteSource(bytes);
  const s = readStruct(r, 0);
  if (r.at !== bytes.length) throw new ThriftError(`${bytes.length - r.at} bytes after the struct`, r.at);
  return s;
}

function readStruct(r: ByteSource, depth: number): ThriftStruct {
  if (depth > MAX_DEPTH) throw new ThriftError('structs nested too deep', r.at);
  const fields: [number, ThriftValue][] = [];
  let last = 0;
  for (;;) {
    const header = r.byte();
    if (header === 0) return fields;
    const type = header & 0x0f;
    const delta = header >> 4;
    const id = delta !== 0 ? last + delta : Number(unzigzag(r.varint()));
    if (type === TRUE || type === FALSE) fields.push([id, { bool: type === TRUE }]);
    else fields.push([id, readValue(r, elementOf(type, r), depth)]);
    last = id;
  }
}

function elementOf(code: number, r: ByteSource): ElementType {
  const e = ELEMENT[code];
  if (e === undefined) throw new ThriftError(`unknown type code ${code}`, r.at - 1);
  return e;
}

function readValue(r: ByteSource, type: ElementType, depth: number): ThriftValue {
  switch (type) {
    case 'bool':
      return { bool: r.byte() === TRUE };
    case 'i8':
      return { i8: (r.byte() << 24) >> 24 };
    case 'i16':
      return { i16: Number(unzigzag(r.varint())) };
    case 'i32':
      return { i32: Number(unzigzag(r.varint())) };
    case 'i64': {
      const v = unzigzag(r.varint());
      return { i64: v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v };
    }
    case 'double':
      return { double: new DataView(r.take(8).slice().buffer).getFloat64(0, true) };
    case 'bin':
      return { bin: r.take(Number(r.varint())).slice() };
    case 'struct':
      return { struct: readStruct(r, depth + 1) };
    case 'list':
    case 'set': {
      const header = r.byte();
      const n = header >> 4 === 15 ? Number(r.varint()) : header >> 4;
      const of = elementOf(header & 0x0f, r);
      r.need(n); // every element takes at least one byte: a corrupt count fails here, not in a huge allocation
      const list: ThriftValue[] = [];
      for (let i = 0; i < n; i++) list.push(readValue(r, of, depth));
      return type === 'set' ? { list, of, set: true } : { list, of };
    }
    case 'map': {
      const n = Number(r.varint());
      if (n === 0) return { map: [], key: 'i32', value: 'i32' };
      const kinds = r.byte();
      const key = elementOf(kinds >> 4, r);
      const value = elementOf(kinds & 0x0f, r);
      r.need(n);
      const map: [ThriftValue, ThriftValue][] = [];
      for (let i = 0; i < n; i++) map.push([readValue(r, key, depth), readValue(r, value, depth)]);
      return { map, key, value };
    }
  }
}

function unzigzag(v: bigint): bigint {
  return v & 1n ? -(v >> 1n) - 1n : v >> 1n;
}

class ByteSource {
  at = 0;
  constructor(private readonly bytes: Uint8Array) {}

  need(n: number): void {
    if (this.at + n > this.bytes.length) throw new ThriftError(`truncated: ${n} more bytes needed, ${this.bytes.length - this.at} left`, this.at);
  }

  byte(): number {
    this.need(1);
    return this.bytes[this.at++]!;
  }

  take(n: number): Uint8Array {
    this.need(n);
    const b = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }

  varint(): bigint {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (shift > 63n) throw new ThriftError('varint longer than 10 bytes', this.at);
      const b = this.byte();
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
  }
}
