// 64-bit kernel addresses interned to dense ids. An address is kept as two
// u32 halves so it never passes through a float (kernel addresses sit far above
// 2^53); lookups hash the halves in an open-addressed table.

import { widen } from './typed.js';

export class AddressTable {
  private hi = new Uint32Array(1024);
  private lo = new Uint32Array(1024);
  private slots = new Int32Array(2048).fill(-1);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The id of address (hi, lo), adding it when new. */
  intern(hi: number, lo: number): number {
    const mask = this.slots.length - 1;
    let i = hash(hi, lo) & mask;
    for (;;) {
      const id = this.slots[i]!;
      if (id < 0) break;
      if (this.lo[id] === lo && this.hi[id] === hi) return id;
      i = (i + 1) & mask;
    }
    const id = this.count++;
    if (id === this.hi.length) this.growValues();
    this.hi[id] = hi;
    this.lo[id] = lo;
    this.slots[i] = id;
    if (this.count * 2 > this.slots.length) this.rehash();
    return id;
  }

  /** The id of address (hi, lo), or -1 when it was never seen. */
  find(hi: number, lo: number): number {
    const mask = this.slots.length - 1;
    for (let i = hash(hi, lo) & mask; ; i = (i + 1) & mask) {
      const id = this.slots[i]!;
      if (id < 0) return -1;
      if (this.lo[id] === lo && this.hi[id] === hi) return id;
    }
  }

  internBigInt(addr: bigint): number {
    return this.intern(Number(addr >> 32n) >>> 0, Number(addr & 0xffffffffn) >>> 0);
  }

  high(id: number): number {
    return this.hi[id]!;
  }
  low(id: number): number {
    return this.lo[id]!;
  }
  bigint(id: number): bigint {
    return (BigInt(this.hi[id]!) << 32n) | BigInt(this.lo[id]!);
  }
  hex(id: number): string {
    return '0x' + this.bigint(id).toString(16);
  }

  private growValues(): void {
    this.hi = widen(this.hi, this.hi.length * 2);
    this.lo = widen(this.lo, this.lo.length * 2);
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let id = 0; id < this.count; id++) {
      let i = hash(this.hi[id]!, this.lo[id]!) & mask;
      while (slots[i]! >= 0) i = (i + 1) & mask;
      slots[i] = id;
    }
    this.slots = slots;
  }
}

function hash(hi: number, lo: number): number {
  // Objects are aligned: mix the low bits away before masking.
  let h = Math.imul(lo ^ (lo >>> 16), 0x45d9f3b) ^ Math.imul(hi, 0x27d4eb2d);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}
