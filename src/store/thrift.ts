// Thrift compact protocol, encode only: just enough for Parquet page headers and
// file footers (structs, i32, i64, binary, lists). Structures are given as
// field lists so the encoder stays a few lines and the Parquet module reads
// like the parquet.thrift definitions it follows.

export type ThriftValue =
  | { readonly i32: number }
  | { readonly i64: number }
  | { readonly bin: string | Uint8Array }
  | { readonly struct: ThriftStruct }
  | { readonly list: readonly ThriftValue[]; readonly of: 'i32' | 'bin' | 'struct' };

/** [field id, value]; absent optional fields are simply left out. */
export type ThriftStruct = readonly (readonly [number, ThriftValue])[];

const I32 = 5;
const I64 = 6;
const BINARY = 8;
const LIST = 9;
const STRUCT = 12;
const ELEMENT = { i32: I32, bin: BINARY, struct: STRUCT } as const;

const utf8 = new TextEncoder();

export function encodeStruct(struct: ThriftStruct): Uint8Array {
  const out = new ByteSink();
  writeStruct(out, struct);
  return out.bytes();
}

function writeStruct(out: ByteSink, struct: ThriftStruct): void {
  let last = 0;
  for (const [id, value] of struct) {
    const type = typeOf(value);
    const delta = id - last;
    if (delta > 0 && delta <= 15) out.byte((delta << 4) | type);
    else {
      out.byte(type);
      out.varint(zigzag(id));
    }
    writeValue(out, value);
    last = id;
  }
  out.byte(0); // stop
}

function typeOf(v: ThriftValue): number {
  if ('i32' in v) return I32;
  if ('i64' in v) return I64;
  if ('bin' in v) return BINARY;
  if ('struct' in v) return STRUCT;
  return LIST;
}

function writeValue(out: ByteSink, v: ThriftValue): void {
  if ('i32' in v || 'i64' in v) out.varint(zigzag('i32' in v ? v.i32 : v.i64));
  else if ('bin' in v) {
    const b = typeof v.bin === 'string' ? utf8.encode(v.bin) : v.bin;
    out.varint(b.length);
    out.bytes_(b);
  } else if ('struct' in v) writeStruct(out, v.struct);
  else {
    const n = v.list.length;
    const elem = ELEMENT[v.of];
    if (n < 15) out.byte((n << 4) | elem);
    else {
      out.byte(0xf0 | elem);
      out.varint(n);
    }
    for (const e of v.list) writeValue(out, e);
  }
}

/** Zigzag for integers up to 2^52 in magnitude (file offsets, row counts), kept in float arithmetic. */
function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

class ByteSink {
  private buf = new Uint8Array(256);
  private n = 0;

  byte(b: number): void {
    if (this.n === this.buf.length) this.grow(1);
    this.buf[this.n++] = b;
  }

  varint(v: number): void {
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
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + extra));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }
}
