// Interned strings: every text value (site, comm, path, retry reason, unknown
// payloads) is stored once and referred to by a dense id. Id -1 means null.

export class StringTable {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];
  // A cache from UTF-8 bytes to ids, so a reader interns a value without
  // first making a string of it: open addressing over the bytes' hash.
  private spanSlots = new Int32Array(1024).fill(-1);
  private spanBytes: Uint8Array[] = [];
  private spanIds: number[] = [];

  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  /** The id of the UTF-8 text buf[start, end). */
  internSpan(buf: Uint8Array, start: number, end: number): number {
    const len = end - start;
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    const mask = this.spanSlots.length - 1;
    let slot = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const k = this.spanSlots[slot]!;
      if (k < 0) break;
      const bytes = this.spanBytes[k]!;
      if (bytes.length === len) {
        let j = 0;
        while (j < len && bytes[j] === buf[start + j]) j++;
        if (j === len) return this.spanIds[k]!;
      }
      slot = (slot + 1) & mask;
    }
    const bytes = new Uint8Array(buf.subarray(start, end)); // a copy: a Buffer slice would keep the whole input chunk alive
    const id = this.intern(Buffer.from(bytes.buffer, bytes.byteOffset, len).toString('utf8'));
    const k = this.spanBytes.length;
    this.spanBytes.push(bytes);
    this.spanIds.push(id);
    this.spanSlots[slot] = k;
    if (this.spanBytes.length * 2 > this.spanSlots.length) this.rehashSpans();
    return id;
  }

  private rehashSpans(): void {
    const slots = new Int32Array(this.spanSlots.length * 2).fill(-1);
    const mask = slots.length - 1;
    this.spanBytes.forEach((bytes, k) => {
      let h = 0x811c9dc5;
      for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
      let slot = (h ^ (h >>> 15)) & mask;
      while (slots[slot]! >= 0) slot = (slot + 1) & mask;
      slots[slot] = k;
    });
    this.spanSlots = slots;
  }

  /** The id of `s` if it was ever interned, else -1. */
  find(s: string): number {
    return this.ids.get(s) ?? -1;
  }

  get(id: number): string | null {
    return id < 0 ? null : this.values[id] ?? null;
  }

  get size(): number {
    return this.values.length;
  }
}
