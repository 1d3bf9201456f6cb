// JSON Lines: one flat object per line, `ts` (ns), `cpu`, `event`, and the
// payload keys. The object is cut into spans by a byte scanner rather than
// JSON.parse, so integers above 2^53 (addresses) keep every digit and each
// value is validated by the same decoder as the text framings.

import { BACKSLASH, QUOTE, isBlank, latin1, parseDecimal } from '../common/bytes.js';
import { Escape, FieldList } from '../common/fields.js';
import type { Framing, FramingContext, FramingDef } from '../framing.js';

const KEY_TS = 'ts';
const KEY_CPU = 'cpu';
const KEY_EVENT = 'event';

export const jsonl: FramingDef = {
  name: 'jsonl',
  description: 'JSON Lines of canonical events ({"ts":ns,"cpu":n,"event":"name",...keys})',
  sniff(lines) {
    const first = lines[0]?.trimStart() ?? '';
    if (!first.startsWith('{')) return 0;
    return /"event"\s*:/.test(first) ? 0.95 : 0.5;
  },
  create: (ctx) => new JsonlFraming(ctx),
};

class JsonlFraming implements Framing {
  private readonly fields = new FieldList();
  private readonly payload = new FieldList();
  constructor(private readonly ctx: FramingContext) {}

  line(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    const { decoder } = this.ctx;
    let i = start;
    while (i < end && isBlank(buf[i]!)) i++;
    if (i === end) return decoder.framing();
    const err = scanObject(buf, i, end, this.fields);
    if (err) return decoder.reject(lineNo, -1, `JSON: ${err}`);
    let ts = NaN;
    let cpu = -1;
    let name: string | null = null;
    const f = this.fields;
    const payload = this.payload;
    payload.reset(buf);
    for (let k = 0; k < f.count; k++) {
      const key = f.key(k);
      if (key === KEY_TS || key === KEY_CPU) {
        const v = f.quoted[k] ? NaN : parseDecimal(buf, f.valStart[k]!, f.valEnd[k]!);
        if (Number.isNaN(v)) return decoder.reject(lineNo, cpu, `JSON: bad ${key} value '${f.text(k).slice(0, 40)}'`);
        if (key === KEY_TS) ts = v;
        else cpu = v;
      } else if (key === KEY_EVENT) {
        if (!f.quoted[k]) return decoder.reject(lineNo, cpu, 'JSON: event must be a string');
        name = f.text(k);
      } else {
        payload.add(f.keyStart[k]!, f.keyEnd[k]!, f.valStart[k]!, f.valEnd[k]!, f.quoted[k]!, f.escape[k]!);
      }
    }
    if (name === null) return decoder.reject(lineNo, cpu, 'JSON: no "event" key');
    decoder.structured(name, payload, ts, cpu, lineNo);
  }

  finish(): void {}
}

/**
 * Cut a flat JSON object into key/value spans. Strings stay escaped (marked
 * Escape.Json when they hold a backslash); numbers, true/false/null stay as
 * written. Nested objects and arrays are refused: events are flat.
 */
export function scanObject(buf: Uint8Array, start: number, end: number, fields: FieldList): string | null {
  fields.reset(buf);
  let i = skip(buf, start, end);
  if (buf[i] !== 0x7b) return 'expected {';
  i = skip(buf, i + 1, end);
  if (buf[i] === 0x7d) return trailing(buf, i + 1, end);
  for (;;) {
    if (buf[i] !== QUOTE) return 'expected a quoted key';
    const ks = i + 1;
    const ke = stringEnd(buf, ks, end);
    if (ke < 0) return 'unterminated key';
    i = skip(buf, ke + 1, end);
    if (buf[i] !== 0x3a) return `expected : after key ${latin1(buf, ks, ke)}`;
    i = skip(buf, i + 1, end);
    if (i >= end) return 'missing value';
    if (buf[i] === QUOTE) {
      const vs = i + 1;
      const ve = stringEnd(buf, vs, end);
      if (ve < 0) return 'unterminated string';
      fields.add(ks, ke, vs, ve, true, buf.subarray(vs, ve).includes(BACKSLASH) ? Escape.Json : Escape.None);
      i = ve + 1;
    } else if (buf[i] === 0x7b || buf[i] === 0x5b) {
      return `nested value for ${latin1(buf, ks, ke)} (events are flat)`;
    } else {
      const vs = i;
      while (i < end && buf[i] !== 0x2c && buf[i] !== 0x7d && !isBlank(buf[i]!)) i++;
      if (i === vs) return 'missing value';
      const word = latin1(buf, vs, i);
      if (word !== 'null') fields.add(ks, ke, vs, i, false, Escape.None);
    }
    i = skip(buf, i, end);
    if (buf[i] === 0x2c) {
      i = skip(buf, i + 1, end);
      continue;
    }
    if (buf[i] === 0x7d) return trailing(buf, i + 1, end);
    return i >= end ? 'unterminated object (truncated line?)' : 'expected , or }';
  }
}

function skip(buf: Uint8Array, i: number, end: number): number {
  while (i < end && isBlank(buf[i]!)) i++;
  return i;
}

function stringEnd(buf: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const b = buf[i]!;
    if (b === QUOTE) return i;
    i += b === BACKSLASH ? 2 : 1;
  }
  return -1;
}

function trailing(buf: Uint8Array, i: number, end: number): string | null {
  return skip(buf, i, end) === end ? null : 'text after the object';
}
