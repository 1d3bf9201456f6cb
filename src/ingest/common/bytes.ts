// Byte-level helpers for the readers: words looked up without making strings,
// integers parsed straight from bytes, 64-bit hex split into exact u32 halves.

export const SP = 0x20;
export const TAB = 0x09;
export const CR = 0x0d;
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const EQ = 0x3d;

export const isBlank = (b: number): boolean => b === SP || b === TAB || b === CR;
export const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;

/**
 * Byte classes, so a scanner tests one table entry per byte instead of a
 * chain of comparisons.
 */
export const C_BLANK = 1; // space, tab, CR
export const C_EQ = 2;
export const C_QUOTE = 4;
export const C_BACKSLASH = 8;
export const BYTE_CLASS: Uint8Array = (() => {
  const t = new Uint8Array(256);
  t[SP] = t[TAB] = t[CR] = C_BLANK;
  t[EQ] = C_EQ;
  t[QUOTE] = C_QUOTE;
  t[BACKSLASH] = C_BACKSLASH;
  return t;
})();

/**
 * A fixed set of ASCII words, found by the bytes of a span. The words are
 * few and known, so the hash looks at the length and three bytes only (a
 * collision costs a probe, never a wrong answer: the bytes are compared).
 */
export class WordTable {
  private readonly slots: Int32Array;
  /** every word's bytes, back to back */
  private readonly bytes: Uint8Array;
  private readonly starts: number[] = [];
  private readonly lengths: number[] = [];
  readonly names: string[] = [];

  constructor(words: readonly string[]) {
    let size = 64;
    while (size < words.length * 4) size *= 2;
    this.slots = new Int32Array(size).fill(-1);
    this.bytes = new Uint8Array(Buffer.from(words.join(''), 'latin1'));
    let at = 0;
    for (const w of words) {
      this.add(w, at);
      at += w.length;
    }
  }

  private add(w: string, at: number): void {
    const id = this.names.length;
    this.names.push(w);
    this.starts.push(at);
    this.lengths.push(w.length);
    const mask = this.slots.length - 1;
    let i = wordHash(this.bytes, at, at + w.length) & mask;
    while (this.slots[i]! >= 0) i = (i + 1) & mask;
    this.slots[i] = id;
  }

  /** The id of the word buf[start, end), or -1. */
  find(buf: Uint8Array, start: number, end: number): number {
    const mask = this.slots.length - 1;
    const len = end - start;
    const bytes = this.bytes;
    for (let i = wordHash(buf, start, end) & mask; ; i = (i + 1) & mask) {
      const id = this.slots[i]!;
      if (id < 0) return -1;
      if (this.lengths[id] !== len) continue;
      const at = this.starts[id]!;
      let k = 0;
      while (k < len && bytes[at + k] === buf[start + k]) k++;
      if (k === len) return id;
    }
  }

  /** Whether buf[start, end) is word `id`. */
  is(id: number, buf: Uint8Array, start: number, end: number): boolean {
    const len = end - start;
    if (this.lengths[id] !== len) return false;
    const at = this.starts[id]!;
    const bytes = this.bytes;
    for (let k = 0; k < len; k++) if (bytes[at + k] !== buf[start + k]) return false;
    return true;
  }
}

/** A hash of a short word from its length, first, middle and last bytes (an int32, never boxed). */
function wordHash(buf: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (len === 0) return 0;
  let h = Math.imul(len, 0x9e3779b1) ^ buf[start]! ^ (buf[end - 1]! << 8) ^ (buf[start + (len >> 1)]! << 16);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 12)) & 0x7fffffff;
}

/**
 * A decimal (optionally signed) or 0x-hex integer in buf[start, end), or NaN
 * when the span is not one or does not fit exactly in a double.
 */
export function parseInteger(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let neg = false;
  if (i < end && (buf[i] === 0x2d || buf[i] === 0x2b)) {
    neg = buf[i] === 0x2d;
    i++;
  }
  if (i >= end) return NaN;
  let v = 0;
  if (end - i > 2 && buf[i] === 0x30 && (buf[i + 1] === 0x78 || buf[i + 1] === 0x58)) {
    i += 2;
    if (end - i > 13) return NaN; // more than 52 bits
    for (; i < end; i++) {
      const d = HEX[buf[i]!]!;
      if (d < 0) return NaN;
      v = v * 16 + d;
    }
  } else {
    if (end - i > 15) return NaN;
    for (; i < end; i++) {
      const b = buf[i]!;
      if (b < 0x30 || b > 0x39) return NaN;
      v = v * 10 + (b - 0x30);
    }
  }
  return neg ? -v : v;
}

/** The value of each byte as a hex digit, -1 when it is not one. */
const HEX: Int8Array = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let b = 0; b < 256; b++) {
    if (b >= 0x30 && b <= 0x39) t[b] = b - 0x30;
    else if (b >= 0x61 && b <= 0x66) t[b] = b - 0x57;
    else if (b >= 0x41 && b <= 0x46) t[b] = b - 0x37;
  }
  return t;
})();

export function hexDigit(b: number): number {
  return HEX[b & 0xff]!;
}

/** Result slot of parseU64: the two exact halves of the last value parsed. */
export const u64 = { hi: 0, lo: 0 };

/**
 * An unsigned 64-bit integer (0x-hex, or decimal) in buf[start, end) into
 * `u64.hi`/`u64.lo`. Returns false when the span is not one or overflows.
 */
export function parseU64(buf: Uint8Array, start: number, end: number): boolean {
  if (end - start > 2 && buf[start] === 0x30 && (buf[start + 1] === 0x78 || buf[start + 1] === 0x58)) {
    let i = start + 2;
    while (i < end - 1 && buf[i] === 0x30) i++; // leading zeros
    const n = end - i;
    if (n > 16 || n === 0) return false;
    const split = Math.max(i, end - 8);
    let hi = 0;
    let lo = 0;
    for (let k = i; k < split; k++) {
      const d = HEX[buf[k]!]!;
      if (d < 0) return false;
      hi = hi * 16 + d;
    }
    for (let k = split; k < end; k++) {
      const d = HEX[buf[k]!]!;
      if (d < 0) return false;
      lo = lo * 16 + d;
    }
    u64.hi = hi >>> 0;
    u64.lo = lo >>> 0;
    return true;
  }
  if (end - start === 0 || end - start > 20) return false;
  for (let k = start; k < end; k++) if (!isDigit(buf[k]!)) return false;
  if (end - start <= 15) {
    const v = parseInteger(buf, start, end);
    u64.hi = Math.floor(v / 4294967296) >>> 0;
    u64.lo = v >>> 0;
    return true;
  }
  const big = BigInt(latin1(buf, start, end));
  if (big > 0xffffffffffffffffn) return false;
  u64.hi = Number(big >> 32n) >>> 0;
  u64.lo = Number(big & 0xffffffffn) >>> 0;
  return true;
}

/** Whether buf[start, end) holds exactly the bytes of `word`. */
export function spanIs(buf: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (buf[start + i] !== word[i]) return false;
  return true;
}

export const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** A decimal number with optional fraction and exponent, or NaN. */
export function parseDecimal(buf: Uint8Array, start: number, end: number): number {
  const int = parseInteger(buf, start, end);
  if (!Number.isNaN(int)) return int;
  if (start === end) return NaN;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (!(isDigit(b) || b === 0x2e || b === 0x2d || b === 0x2b || b === 0x65 || b === 0x45)) return NaN;
  }
  return Number(latin1(buf, start, end));
}

const decoder = new TextDecoder('utf-8');

export function latin1(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
}

export function utf8(buf: Uint8Array, start: number, end: number): string {
  return decoder.decode(buf.subarray(start, end));
}
