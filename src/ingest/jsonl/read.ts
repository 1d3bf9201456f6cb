// JSON Lines: one flat object per line, `ts` (ns), `cpu`, `event`, and the
// payload keys. The object is cut into spans by a byte scanner rather than
// JSON.parse, so integers above 2^53 (addresses) keep every digit and each
// value is validated by the same decoder as the text framings.

import { BACKSLASH, QUOTE, ascii, isBlank, latin1, parseDecimal, spanIs } from '../common/bytes.js';
import { Escape, FieldList } from '../common/fields.js';
import type { Framing, FramingContext, FramingDef } from '../framing.js';

const KEY_TS = ascii('ts');
const KEY_CPU = ascii('cpu');
const KEY_EVENT = ascii('event');
const NULL = ascii('null');

export const jsonl: FramingDef = {
  name: 'jsonl',
  extensions: ['jsonl'],
  description: 'JSON Lines of canonical events ({"ts":ns,"cpu":n,"event":"name",...keys})',
  sniff(lines) {
    // Most of the first lines, not only the first: a damaged line or two must not hide the framing.
    const sample = lines.slice(0, 10).map((l) => l.trimStart());
    const objects = sample.filter((l) => l.startsWith('{'));
    if (objects.length === 0 || objects.length * 2 < sample.length) return 0;
    return objects.filter((l) => /"event"\s*:/.test(l)).length * 2 >= sample.length ? 0.95 : 0.5;
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
    let nameField = -1;
    const f = this.fields;
    const payload = this.payload;
    payload.reset(buf);
    for (let k = 0; k < f.count; k++) {
      const ks = f.keyStart[k]!;
      const ke = f.keyEnd[k]!;
      const isTs = spanIs(buf, ks, ke, KEY_TS);
      if (isTs || spanIs(buf, ks, ke, KEY_CPU)) {
        const v = f.quoted[k] ? NaN : parseDecimal(buf, f.valStart[k]!, f.valEnd[k]!);
        if (Number.isNaN(v)) return decoder.reject(lineNo, cpu, `JSON: bad ${f.key(k)} value '${f.text(k).slice(0, 40)}'`);
        if (isTs) ts = v;
        else cpu = v;
      } else if (spanIs(buf, ks, ke, KEY_EVENT)) {
        if (!f.quoted[k]) return decoder.reject(lineNo, cpu, 'JSON: event must be a string');
        nameField = k;
      } else {
        payload.add(f.keyStart[k]!, f.keyEnd[k]!, f.valStart[k]!, f.valEnd[k]!, f.quoted[k]!, f.escape[k]!);
      }
    }
    if (nameField < 0) return decoder.reject(lineNo, cpu, 'JSON: no "event" key');
    if (f.escape[nameField] === Escape.None) decoder.structuredSpan(buf, f.valStart[nameField]!, f.valEnd[nameField]!, payload, ts, cpu, lineNo);
    else decoder.structured(f.text(nameField), payload, ts, cpu, lineNo);
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
      fields.add(ks, ke, vs, ve, true, escaped ? Escape.Json : Escape.None);
      i = ve + 1;
    } else if (buf[i] === 0x7b || buf[i] === 0x5b) {
      return `nested value for ${latin1(buf, ks, ke)} (events are flat)`;
    } else {
      const vs = i;
      while (i < end && buf[i] !== 0x2c && buf[i] !== 0x7d && !isBlank(buf[i]!)) i++;
      if (i === vs) return 'missing value';
      if (!spanIs(buf, vs, i, NULL)) fields.add(ks, ke, vs, i, false, Escape.None);
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

/** Whether the last string stringEnd() crossed had a backslash escape. */
let escaped = false;

function stringEnd(buf: Uint8Array, i: number, end: number): number {
  escaped = false;
  while (i < end) {
    const b = buf[i]!;
    if (b === QUOTE) return i;
    if (b === BACKSLASH) {
      escaped = true;
      i += 2;
    } else i++;
  }
  return -1;
}

function trailing(buf: Uint8Array, i: number, end: number): string | null {
  return skip(buf, i, end) === end ? null : 'text after the object';
}
