// ktrdump timestamps to nanoseconds. A row's timestamp is one of:
//   -t      absolute TSC ticks ("%-16ju"), converted with the `TSC frequency` line;
//   -r      the delta to the previous row in microseconds ("%13.3f uS");
//   -r -n   the delta in raw ticks ("%-16ju", the same print as -t).
// Deltas are added up: per CPU without -s (each CPU starts at its oldest
// entry, printed as a zero delta), over all rows with -s (whose first delta
// is from zero, so the sum is the absolute time). Raw ticks and -t print
// alike; a dump is read as deltas when its first row is 0 or its second row
// is smaller than its first.
//
// TSC values pass 2^53 after some weeks of uptime, so ticks are kept as two
// exact halves (hi * 1e9 + lo) and converted relative to a base that is a
// whole number of microseconds' worth of ticks.

import { isDigit } from '../common/bytes.js';

const GIGA = 1e9;

/** An exact non-negative or signed integer as hi * 1e9 + lo (both exact doubles). */
class Wide {
  hi = 0;
  lo = 0;
  set(hi: number, lo: number): this {
    const carry = Math.floor(lo / GIGA);
    this.hi = hi + carry;
    this.lo = lo - carry * GIGA;
    return this;
  }
  copy(w: Wide): this {
    this.hi = w.hi;
    this.lo = w.lo;
    return this;
  }
  less(w: Wide): boolean {
    return this.hi < w.hi || (this.hi === w.hi && this.lo < w.lo);
  }
  isZero(): boolean {
    return this.hi === 0 && this.lo === 0;
  }
  bigint(): bigint {
    return BigInt(this.hi) * 1_000_000_000n + BigInt(this.lo);
  }
}

const enum TickMeaning {
  Unknown,
  Absolute,
  Delta,
}

export class KtrClock {
  /** TSC frequency in kHz (the `%6.3f MHz` of the first line), NaN when unknown */
  private khz = NaN;
  private nsPerTick = 1;
  private base: Wide | null = null;
  private baseNs = 0;
  private meaning = TickMeaning.Unknown;
  private rowsInDump = 0;
  private readonly first = new Wide();
  private readonly value = new Wide();
  /** by chain key (a CPU, or a block when no CPU is printed): the chain's last time */
  private readonly perKey: (Wide | undefined)[] = [];
  private readonly lastRow = new Wide();

  /** What the rows showed, for the file's notes. */
  sawMicros = false;
  sawTickDeltas = false;
  sawTicksWithoutFrequency = false;

  /** `TSC frequency is N MHz`: kHz as an integer (the line prints 3 decimals), 0 when unknown. */
  setFrequency(khz: number): void {
    this.khz = khz > 0 ? khz : NaN;
    this.nsPerTick = khz > 0 ? 1e6 / khz : 1;
    this.base = null;
  }

  get frequencyKnown(): boolean {
    return !Number.isNaN(this.khz);
  }

  /** A new dump starts (another `TSC frequency` line): deltas start over. */
  newDump(): void {
    this.meaning = TickMeaning.Unknown;
    this.rowsInDump = 0;
    this.perKey.length = 0;
    this.lastRow.set(0, 0);
  }

  /**
   * The time in ns of a row whose timestamp is buf[s, e). `micros`: it was
   * printed with ` uS`. `key` names the row's delta chain (its CPU), `shared`
   * says the deltas chain over all rows (-s). NaN when the span is no number.
   */
  time(buf: Uint8Array, s: number, e: number, micros: boolean, key: number, shared: boolean): number {
    const row = this.rowsInDump++;
    if (micros) {
      const delta = parseMicrosAsNs(buf, s, e);
      if (Number.isNaN(delta)) return NaN;
      this.sawMicros = true;
      const sum = this.chain(key, shared, 0, delta);
      return sum.hi * GIGA + sum.lo;
    }
    if (!parseWide(buf, s, e, this.value)) return NaN;
    if (this.meaning === TickMeaning.Absolute) return this.ticksToNs(this.value);
    if (this.meaning === TickMeaning.Unknown) this.decide(row, key, shared);
    if (this.meaning === TickMeaning.Delta) {
      this.sawTickDeltas = true;
      return this.ticksToNs(this.chain(key, shared, this.value.hi, this.value.lo));
    }
    // The first row, whose delta from zero is the same number: remembered in case it is one.
    (this.perKey[key] ??= new Wide()).copy(this.value);
    this.lastRow.copy(this.value);
    return this.ticksToNs(this.value);
  }

  private decide(row: number, key: number, shared: boolean): void {
    if (row === 0) {
      if (this.value.isZero()) this.meaning = TickMeaning.Delta;
      else this.first.copy(this.value);
      return;
    }
    // A CPU's own chain (or, with -s, every row) only goes forward in absolute ticks.
    const firstOfItsChain = this.perKey[key] === undefined;
    const comparable = shared || !firstOfItsChain;
    if ((firstOfItsChain && this.value.isZero()) || (comparable && this.value.less(this.first))) this.meaning = TickMeaning.Delta;
    else this.meaning = TickMeaning.Absolute;
  }

  /** Add a delta to the row's chain; returns the new sum. */
  private chain(key: number, shared: boolean, hi: number, lo: number): Wide {
    const acc = (this.perKey[key] ??= new Wide());
    const from = shared ? this.lastRow : acc;
    acc.set(from.hi + hi, from.lo + lo);
    this.lastRow.copy(acc);
    return acc;
  }

  private ticksToNs(t: Wide): number {
    if (!this.frequencyKnown) {
      this.sawTicksWithoutFrequency = true;
      return t.hi * GIGA + t.lo;
    }
    if (!this.base) {
      // A base of whole microseconds: its ns value is an exact integer.
      const khz = BigInt(this.khz);
      const b = (t.bigint() / khz) * khz;
      this.base = new Wide().set(Number(b / 1_000_000_000n), Number(b % 1_000_000_000n));
      this.baseNs = Number((b / khz) * 1_000_000n);
    }
    const rel = (t.hi - this.base.hi) * GIGA + (t.lo - this.base.lo);
    return this.baseNs + Math.round(rel * this.nsPerTick);
  }
}

/** Unsigned decimal ticks (up to 20 digits) into w, exactly. */
function parseWide(buf: Uint8Array, s: number, e: number, w: Wide): boolean {
  const n = e - s;
  if (n === 0 || n > 20) return false;
  const split = Math.max(s, e - 9);
  let hi = 0;
  let lo = 0;
  for (let k = s; k < split; k++) {
    const b = buf[k]!;
    if (!isDigit(b)) return false;
    hi = hi * 10 + (b - 0x30);
  }
  for (let k = split; k < e; k++) {
    const b = buf[k]!;
    if (!isDigit(b)) return false;
    lo = lo * 10 + (b - 0x30);
  }
  w.hi = hi;
  w.lo = lo;
  return true;
}

/** `-12.345` microseconds as integer nanoseconds (exact for 3 decimals), or NaN. */
export function parseMicrosAsNs(buf: Uint8Array, s: number, e: number): number {
  let i = s;
  const neg = i < e && buf[i] === 0x2d;
  if (neg) i++;
  const wholeStart = i;
  let whole = 0;
  while (i < e && isDigit(buf[i]!)) whole = whole * 10 + (buf[i++]! - 0x30);
  if (i === wholeStart) return NaN;
  let frac = 0;
  if (i < e && buf[i] === 0x2e) {
    i++;
    let places = 0;
    for (; i < e && isDigit(buf[i]!); i++, places++) {
      if (places < 3) frac = frac * 10 + (buf[i]! - 0x30);
      else if (places === 3 && buf[i]! >= 0x35) frac++; // more decimals than %.3f: round
    }
    for (let p = places; p < 3; p++) frac *= 10;
  }
  if (i !== e) return NaN;
  const ns = whole * 1000 + frac;
  return neg ? -ns : ns;
}
