// CSV of canonical events: a header row names the columns (`event` required,
// `ts` in ns and `cpu` optional, every other column a payload key); an empty
// cell means the key is absent. Fields follow RFC 4180 quoting on one line.

import { QUOTE, latin1, parseDecimal } from '../common/bytes.js';
import { Escape, FieldList } from '../common/fields.js';
import type { Framing, FramingContext, FramingDef } from '../framing.js';

export const csv: FramingDef = {
  name: 'csv',
  extensions: ['csv'],
  description: 'CSV with a header row: event, ts (ns), cpu, then one column per payload key',
  sniff(lines) {
    const head = lines[0] ?? '';
    if (!head.includes(',')) return 0;
    const cols = head.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    return cols.includes('event') ? 0.9 : 0;
  },
  create: (ctx) => new CsvFraming(ctx),
};

class CsvFraming implements Framing {
  private header: string[] | null = null;
  private headerBytes: Buffer = Buffer.alloc(0);
  private headerSpans: [number, number][] = [];
  private readonly cells = new FieldList();
  private readonly payload = new FieldList();
  private eventCol = -1;
  private tsCol = -1;
  private cpuCol = -1;

  constructor(private readonly ctx: FramingContext) {}

  line(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    const { decoder } = this.ctx;
    if (start === end) return decoder.framing();
    if (!this.header) return this.readHeader(buf, start, end, lineNo);
    const err = splitCsv(buf, start, end, this.cells);
    if (err) return decoder.reject(lineNo, -1, `CSV: ${err}`);
    const c = this.cells;
    if (c.count !== this.header.length) {
      return decoder.reject(lineNo, -1, `CSV: ${c.count} fields, header has ${this.header.length}`);
    }
    const num = (col: number, what: string): number | string => {
      if (col < 0 || c.valEnd[col] === c.valStart[col]) return what === 'cpu' ? -1 : NaN;
      const v = parseDecimal(buf, c.valStart[col]!, c.valEnd[col]!);
      return Number.isNaN(v) ? `CSV: bad ${what} value '${c.text(col).slice(0, 40)}'` : v;
    };
    const ts = num(this.tsCol, 'ts');
    const cpu = num(this.cpuCol, 'cpu');
    if (typeof cpu === 'string') return decoder.reject(lineNo, -1, cpu);
    if (typeof ts === 'string') return decoder.reject(lineNo, cpu, ts);
    const name = c.text(this.eventCol);
    if (!name) return decoder.reject(lineNo, cpu, 'CSV: empty event');
    // Keys come from the header: the payload spans point into two buffers, so
    // the header's key bytes are copied in front of each row's values.
    const p = this.payload;
    const joined = Buffer.concat([this.headerBytes, Buffer.from(buf.buffer, buf.byteOffset + start, end - start)]);
    const shift = this.headerBytes.length - start;
    p.reset(joined);
    for (let k = 0; k < c.count; k++) {
      if (k === this.eventCol || k === this.tsCol || k === this.cpuCol) continue;
      if (c.valEnd[k] === c.valStart[k] && !c.quoted[k]) continue; // empty cell: key absent
      const [ks, ke] = this.headerSpans[k]!;
      p.add(ks, ke, c.valStart[k]! + shift, c.valEnd[k]! + shift, c.quoted[k]!, c.escape[k]!);
    }
    decoder.structured(name, p, ts, cpu, lineNo);
  }

  private readHeader(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    const { decoder } = this.ctx;
    const err = splitCsv(buf, start, end, this.cells);
    const names = err ? [] : Array.from({ length: this.cells.count }, (_, k) => this.cells.text(k).trim());
    if (err || !names.includes('event')) {
      return decoder.reject(lineNo, -1, `CSV: expected a header row with an 'event' column${err ? ` (${err})` : ''}`);
    }
    this.header = names;
    this.eventCol = names.indexOf('event');
    this.tsCol = names.indexOf('ts');
    this.cpuCol = names.indexOf('cpu');
    let text = '';
    this.headerSpans = names.map((n) => {
      const s = text.length;
      text += n;
      return [s, text.length];
    });
    this.headerBytes = Buffer.from(text, 'latin1');
    decoder.framing();
  }

  finish(): void {}
}

/** Split one CSV line into cells (spans without the surrounding quotes). */
export function splitCsv(buf: Uint8Array, start: number, end: number, cells: FieldList): string | null {
  cells.reset(buf);
  let i = start;
  for (;;) {
    if (i < end && buf[i] === QUOTE) {
      const vs = i + 1;
      let j = vs;
      let doubled = false;
      for (;;) {
        if (j >= end) return 'unterminated quoted field';
        if (buf[j] === QUOTE) {
          if (buf[j + 1] === QUOTE && j + 1 < end) {
            doubled = true;
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      cells.add(0, 0, vs, j, true, doubled ? Escape.Csv : Escape.None);
      i = j + 1;
      if (i < end && buf[i] !== 0x2c) return `text after a quoted field: '${latin1(buf, i, Math.min(end, i + 20))}'`;
    } else {
      const vs = i;
      while (i < end && buf[i] !== 0x2c) i++;
      cells.add(0, 0, vs, i, false, Escape.None);
    }
    if (i >= end) return null;
    i++; // the comma
  }
}
