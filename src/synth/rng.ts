// Deterministic pseudo-random numbers for the generator: a trace must be a
// pure function of its seed, so nothing here touches Math.random. The core is
// xoshiro128** (fast, 32-bit, good statistical quality), seeded through
// splitmix32 so nearby seeds give unrelated streams.

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** `seed` may be any safe integer (or a string, hashed). */
  constructor(seed: number | string) {
    let x = typeof seed === 'string' ? hashString(seed) : (seed >>> 0) ^ Math.imul(Math.floor(seed / 0x1_0000_0000) >>> 0, 0x9e3779b1);
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 0x1_0000_0000;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi] (both included). */
  int(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  /** Uniform real in [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + this.float() * (hi - lo);
  }

  /** Log-uniform real in [lo, hi): as many short as long values per decade (I/O latencies). */
  logBetween(lo: number, hi: number): number {
    return lo * (hi / lo) ** this.float();
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  /** An index drawn with probability proportional to `weights[i]`. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** Zipf-like rank in [0, n): rank k drawn with weight 1/(k+1)^s (popular files, hot pages). */
  zipf(n: number, s = 1): number {
    // Inverse of the continuous approximation; good enough and O(1).
    const u = this.float();
    if (s === 1) return Math.min(n - 1, Math.floor((n + 1) ** u) - 1);
    const a = 1 - s;
    const k = (u * ((n + 1) ** a - 1) + 1) ** (1 / a) - 1;
    return Math.min(n - 1, Math.max(0, Math.floor(k)));
  }

  /** Exponentially distributed with the given mean (think times). */
  exp(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** FNV-1a of a string (layouts that depend on a file's name, not on the seed). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
