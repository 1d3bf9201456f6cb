// Interned strings: every text value (site, comm, path, retry reason, unknown
// payloads) is stored once and referred to by a dense id. Id -1 means null.

import { IntMap, widen } from './typed.js';

export class StringTable {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];
  // A cache from UTF-8 bytes to ids, so a reader interns a value without
  // first making a string of it: the bytes' hash leads to the first cached
  // span with that hash, `spanNext` to the next one.
  private readonly spanHeads = new IntMap(-1);
  private spanNext = new Int32Array(1024);
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
    let h = 0x811c9dc5 | 0; // an int32 even for an empty span: IntMap keys are int32
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    const head = this.spanHeads.get(h);
    for (let k = head; k >= 0; k = this.spanNext[k]!) {
      const bytes = this.spanBytes[k]!;
      if (bytes.length === len) {
        let j = 0;
        while (j < len && bytes[j] === buf[start + j]) j++;
        if (j === len) return this.spanIds[k]!;
      }
    }
    const bytes = new Uint8Array(buf.subarray(start, end)); // a copy: a Buffer slice would keep the whole input chunk alive
    const id = this.intern(Buffer.from(bytes.buffer, bytes.byteOffset, len).toString('utf8'));
    const k = this.spanBytes.length;
    this.spanBytes.push(bytes);
    this.spanIds.push(id);
    if (k === this.spanNext.length) this.spanNext = widen(this.spanNext, 2 * k);
    this.spanNext[k] = head;
    this.spanHeads.set(h, k);
    return id;
  }

  /** The id of `s` if it was ever interned, else -1. */
  find(s: string): number {
    return this.ids.get(s) ?? -1;
  }

  get(id: number): string | null {
    return id < 0 ? null : (this.values[id] ?? null);
  }

  get size(): number {
    return this.values.length;
  }
}
