// The payload grammar shared by every text framing: `NAME key=value ...`, with
// values that are integers, bare words, or double-quoted strings (\" and \\).

import { BACKSLASH, BYTE_CLASS, C_BLANK, C_EQ, EQ, QUOTE } from './bytes.js';
import { Escape, type FieldList } from './fields.js';

/** what ends a name or a key */
const WORD_STOP = C_BLANK | C_EQ;

export interface PayloadSpan {
  nameStart: number;
  nameEnd: number;
}

/**
 * Cut buf[start, end) into an event name and key/value fields. The name is the
 * first word when it has no `=`; a payload of fields only leaves the name empty
 * (a ktrdump trace column whose name sits in the ID column). Returns an error
 * reason, or null.
 */
export function tokenizePayload(buf: Uint8Array, start: number, end: number, fields: FieldList, span: PayloadSpan): string | null {
  fields.reset(buf);
  const cls = BYTE_CLASS;
  let i = start;
  while (i < end && cls[buf[i]!] === C_BLANK) i++;
  let w = i;
  while (w < end && (cls[buf[w]!]! & WORD_STOP) === 0) w++;
  if (w < end && buf[w] === EQ) {
    span.nameStart = span.nameEnd = i;
  } else {
    span.nameStart = i;
    span.nameEnd = w;
    i = w;
  }
  for (;;) {
    while (i < end && cls[buf[i]!] === C_BLANK) i++;
    if (i >= end) return null;
    const ks = i;
    while (i < end && (cls[buf[i]!]! & WORD_STOP) === 0) i++;
    const ke = i;
    if (i >= end || buf[i] !== EQ) return `expected key=value, found '${text(buf, ks, ke)}'`;
    if (ke === ks) return 'empty key before =';
    i++;
    if (i < end && buf[i] === QUOTE) {
      const vs = ++i;
      let escaped = false;
      while (i < end && buf[i] !== QUOTE) {
        if (buf[i] === BACKSLASH && i + 1 < end) {
          escaped = true;
          i++;
        }
        i++;
      }
      if (i >= end) return `unterminated quoted value for ${text(buf, ks, ke)}`;
      fields.add(ks, ke, vs, i, true, escaped ? Escape.Payload : Escape.None);
      i++;
      if (i < end && cls[buf[i]!] !== C_BLANK) return `unexpected text after quoted value for ${text(buf, ks, ke)}`;
    } else {
      const vs = i;
      while (i < end && cls[buf[i]!] !== C_BLANK) i++;
      fields.add(ks, ke, vs, i, false, Escape.None);
    }
  }
}

function text(buf: Uint8Array, s: number, e: number): string {
  return Buffer.from(buf.subarray(s, Math.min(e, s + 40))).toString('latin1');
}
