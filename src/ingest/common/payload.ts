// The payload grammar shared by every text framing: `NAME key=value ...`, with
// values that are integers, bare words, or double-quoted strings (\" and \\).

import { BACKSLASH, EQ, QUOTE, isBlank } from './bytes.js';
import { Escape, type FieldList } from './fields.js';

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
  let i = start;
  while (i < end && isBlank(buf[i]!)) i++;
  let w = i;
  while (w < end && !isBlank(buf[w]!) && buf[w] !== EQ) w++;
  if (w < end && buf[w] === EQ) {
    span.nameStart = span.nameEnd = i;
  } else {
    span.nameStart = i;
    span.nameEnd = w;
    i = w;
  }
  for (;;) {
    while (i < end && isBlank(buf[i]!)) i++;
    if (i >= end) return null;
    const ks = i;
    while (i < end && !isBlank(buf[i]!) && buf[i] !== EQ) i++;
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
      if (i < end && !isBlank(buf[i]!)) return `unexpected text after quoted value for ${text(buf, ks, ke)}`;
    } else {
      const vs = i;
      while (i < end && !isBlank(buf[i]!)) i++;
      fields.add(ks, ke, vs, i, false, Escape.None);
    }
  }
}

function text(buf: Uint8Array, s: number, e: number): string {
  return Buffer.from(buf.subarray(s, Math.min(e, s + 40))).toString('latin1');
}
