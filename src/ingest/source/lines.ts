// Cuts byte chunks into lines without making strings: each line is a span of a
// buffer (CR stripped). A line split across chunks is joined in a carry buffer;
// an over-long line is cut off and reported, never buffered whole. A file
// whose first line break is a carriage return not followed by a line feed
// (old Mac line endings) is cut at each CR instead (`crOnly`).

import { widen } from '../../columns/typed.js';

export const MAX_LINE = 1 << 20;

export const LINE_BINARY = 1; // the line has a NUL byte
export const LINE_TOO_LONG = 2; // the line was longer than MAX_LINE and skipped
export const LINE_UNTERMINATED = 4; // the last line, without a newline

export type LineHandler = (buf: Uint8Array, start: number, end: number, lineNo: number, flags: number) => void;

export class LineSplitter {
  lineNo = 0;
  private carry = new Uint8Array(4096);
  private carryLen = 0;
  private skipping = false;
  /** the byte that ends a line: LF, or CR for a file with CR-only line endings */
  private terminator = 10;
  private decided = false;

  constructor(private readonly handler: LineHandler) {}

  /** Lines end with a lone CR (decided by the first line break). */
  get crOnly(): boolean {
    return this.terminator === 13;
  }

  push(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (!this.decided) this.decide(buf);
    let pos = 0;
    let nul = buf.indexOf(0);
    for (;;) {
      const nl = buf.indexOf(this.terminator, pos);
      if (nl < 0) break;
      if (nul >= 0 && nul < pos) nul = buf.indexOf(0, pos);
      if (this.skipping) {
        this.skipping = false;
      } else if (this.carryLen > 0) {
        this.append(buf, pos, nl);
        this.emitCarry(0);
      } else {
        this.emit(buf, pos, nl, nul >= 0 && nul < nl ? LINE_BINARY : 0);
      }
      pos = nl + 1;
    }
    if (pos < buf.length && !this.skipping) {
      if (this.carryLen + buf.length - pos > MAX_LINE) {
        this.handler(buf, pos, pos, ++this.lineNo, LINE_TOO_LONG);
        this.carryLen = 0;
        this.skipping = true;
      } else {
        this.append(buf, pos, buf.length);
      }
    }
  }

  /**
   * LF or CR alone, by the first line break: a CR followed by LF is CRLF. A
   * CR that ends a chunk is decided by the next chunk's first byte (the line
   * it ends is then in the carry buffer).
   */
  private decide(buf: Buffer): void {
    if (this.carryLen > 0 && this.carry[this.carryLen - 1] === 13 && buf.length > 0) {
      this.decided = true;
      if (buf[0] !== 10) {
        this.terminator = 13;
        this.carryLen--;
        this.emitCarry(0);
      }
      return;
    }
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i];
      if (c === 10) {
        this.decided = true;
        return;
      }
      if (c === 13) {
        if (i + 1 === buf.length) return; // wait for the next byte
        this.decided = true;
        if (buf[i + 1] !== 10) this.terminator = 13;
        return;
      }
    }
  }

  /** End of input: the last line, when it had no newline. Returns the line count. */
  end(): number {
    if (this.carryLen > 0) this.emitCarry(LINE_UNTERMINATED);
    return this.lineNo;
  }

  private emit(buf: Uint8Array, start: number, end: number, flags: number): void {
    if (end > start && buf[end - 1] === 13 && this.terminator === 10) end--;
    this.handler(buf, start, end, ++this.lineNo, flags);
  }

  private emitCarry(flags: number): void {
    const len = this.carryLen;
    this.carryLen = 0;
    this.emit(this.carry, 0, len, flags | (this.carry.subarray(0, len).includes(0) ? LINE_BINARY : 0));
  }

  private append(buf: Buffer, from: number, to: number): void {
    const need = this.carryLen + to - from;
    if (this.carry.length < need) this.carry = widen(this.carry, Math.max(need, this.carry.length * 2));
    this.carry.set(buf.subarray(from, to), this.carryLen);
    this.carryLen = need;
  }
}
