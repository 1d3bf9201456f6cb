// Growable typed-array state shared by the registries and the contention
// estimate: widening an array with its contents kept, and an int32 -> int32
// hash map held in typed arrays (no per-entry objects on the heap).

import { NULL_I32 } from './table.js';

type Typed = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float64Array;

/** A copy of `a` with room for `n` values: its values first, then `fill` (0 unless given). */
export function widen<T extends Typed>(a: T, n: number, fill = 0): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  if (fill !== 0) b.fill(fill, a.length);
  b.set(a);
  return b;
}

/**
 * int32 -> int32, open addressing in typed arrays (8 bytes a slot, at most
 * three quarters full); `missing` is what get() answers for a key never set.
 * NULL_I32 marks an empty slot, so that key is kept aside.
 */
export class IntMap {
  private keys = new Int32Array(1024).fill(NULL_I32);
  private values = new Int32Array(1024);
  private size = 0;
  private nullKeyValue: number;

  constructor(private readonly missing: number) {
    this.nullKeyValue = missing;
  }

  get(key: number): number {
    if (key === NULL_I32) return this.nullKeyValue;
    const keys = this.keys;
    const mask = keys.length - 1;
    for (let i = mix(key) & mask; ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === key) return this.values[i]!;
      if (k === NULL_I32) return this.missing;
    }
  }

  set(key: number, value: number): void {
    if (key === NULL_I32) {
      this.nullKeyValue = value;
      return;
    }
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = mix(key) & mask;
    for (; keys[i] !== NULL_I32; i = (i + 1) & mask) {
      if (keys[i] === key) {
        this.values[i] = value;
        return;
      }
    }
    keys[i] = key;
    this.values[i] = value;
    if (++this.size * 4 > keys.length * 3) this.rehash();
  }

  private rehash(): void {
    const { keys, values } = this;
    const n = 2 * keys.length;
    this.keys = new Int32Array(n).fill(NULL_I32);
    this.values = new Int32Array(n);
    const mask = n - 1;
    for (let j = 0; j < keys.length; j++) {
      if (keys[j] === NULL_I32) continue;
      let i = mix(keys[j]!) & mask;
      while (this.keys[i] !== NULL_I32) i = (i + 1) & mask;
      this.keys[i] = keys[j]!;
      this.values[i] = values[j]!;
    }
  }
}

function mix(key: number): number {
  const h = Math.imul(key ^ (key >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 15)) >>> 0;
}
