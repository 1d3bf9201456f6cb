// The key/value pairs of one event as spans of the line's bytes. Every framing
// fills one of these (the text payload, a JSON object, a CSV row) and hands it
// to the EventDecoder, so values are validated the same way whatever the framing.

import { BACKSLASH, QUOTE, latin1, utf8 } from './bytes.js';

/** How a value's bytes are escaped. */
export const enum Escape {
  None = 0,
  /** payload quoted string: \" and \\ */
  Payload = 1,
  /** JSON string: \" \\ \/ \b \f \n \r \t \uXXXX */
  Json = 2,
  /** CSV field: "" for a quote */
  Csv = 3,
}

export class FieldList {
  buf: Uint8Array = new Uint8Array(0);
  count = 0;
  keyStart: number[] = [];
  keyEnd: number[] = [];
  valStart: number[] = [];
  valEnd: number[] = [];
  /** the value was quoted (a string) */
  quoted: boolean[] = [];
  escape: Escape[] = [];

  reset(buf: Uint8Array): void {
    this.buf = buf;
    this.count = 0;
  }

  add(ks: number, ke: number, vs: number, ve: number, quoted: boolean, escape: Escape): void {
    const i = this.count++;
    this.keyStart[i] = ks;
    this.keyEnd[i] = ke;
    this.valStart[i] = vs;
    this.valEnd[i] = ve;
    this.quoted[i] = quoted;
    this.escape[i] = escape;
  }

  key(i: number): string {
    return latin1(this.buf, this.keyStart[i]!, this.keyEnd[i]!);
  }

  /** The value of field i as text, escapes resolved. */
  text(i: number): string {
    const s = this.valStart[i]!;
    const e = this.valEnd[i]!;
    switch (this.escape[i]) {
      case Escape.None:
        return utf8(this.buf, s, e);
      case Escape.Payload:
        return unescapePayload(this.buf, s, e);
      case Escape.Json:
        return JSON.parse('"' + utf8(this.buf, s, e) + '"') as string;
      case Escape.Csv:
        return utf8(this.buf, s, e).replaceAll('""', '"');
      default:
        return utf8(this.buf, s, e);
    }
  }

  /** The field as written, for the `extra` column: key=value, re-quoted when it was a string. */
  raw(i: number): string {
    const v = this.text(i);
    return `${this.key(i)}=${this.quoted[i] ? quotePayload(v) : v}`;
  }
}

function unescapePayload(buf: Uint8Array, s: number, e: number): string {
  const bytes: number[] = [];
  for (let i = s; i < e; i++) {
    const b = buf[i]!;
    if (b === BACKSLASH && i + 1 < e && (buf[i + 1] === QUOTE || buf[i + 1] === BACKSLASH)) {
      bytes.push(buf[++i]!);
    } else {
      bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A string in payload grammar: bare when it can be, else quoted with \" and \\. */
export function quotePayload(v: string): string {
  if (v.length > 0 && !/[\s"\\=]/.test(v)) return v;
  return '"' + v.replaceAll('\\', '\\\\').replaceAll('"', '\\"') + '"';
}
