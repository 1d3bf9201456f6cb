// The columns of a ktrdump row. ktrdump prints a fixed set of columns chosen
// by its flags, in a fixed order:
//
//   " %06x "                index (ring index, or row counter with -s)
//   "%-3d "                 cpu            (-c)
//   "%-16ju " | "%13.3f uS " timestamp     (-t absolute TSC; -r delta, in uS or with -n raw ticks)
//   "%-25s %-25s " | "%p %p " caller2 caller1 (-x; -n prints pointers)
//   "%-20s "                ID             (-i)
//   "%34s:%-4d "            file:line      (-f)
//   printf of the format    trace          (-p), the rest of the line
//
// The header row names the columns present. Without one (-q, or rows printed
// before the first header) the layout is inferred from the rows by the exact
// field widths above. Rows themselves are split by whitespace so hand-edited
// or re-spaced dumps still read.

import { BYTE_CLASS, C_BLANK, SP, hexDigit, isBlank, isDigit } from '../common/bytes.js';

export interface Layout {
  readonly cpu: boolean;
  readonly time: boolean;
  readonly callers: boolean;
  readonly id: boolean;
  readonly file: boolean;
  readonly trace: boolean;
}

/** ktrdump's default column set (-c -i -t -p). */
export const DEFAULT_LAYOUT: Layout = { cpu: true, time: true, callers: false, id: true, file: false, trace: true };

export function describeLayout(l: Layout): string {
  const cols = ['index'];
  if (l.cpu) cols.push('cpu');
  if (l.time) cols.push('timestamp');
  if (l.callers) cols.push('caller2 caller1');
  if (l.id) cols.push('ID');
  if (l.file) cols.push('file:line');
  if (l.trace) cols.push('trace');
  return cols.join(' ');
}

/** The spans and values of one row's columns. */
export class RowCells {
  index = 0;
  cpu = -1;
  timeStart = 0;
  timeEnd = 0;
  /** the timestamp was followed by `uS` (ktrdump -r without -n) */
  micros = false;
  idStart = 0;
  idEnd = 0;
  traceStart = 0;
  traceEnd = 0;
}

function skipBlanks(buf: Uint8Array, i: number, end: number): number {
  while (i < end && BYTE_CLASS[buf[i]!] === C_BLANK) i++;
  return i;
}

function wordEnd(buf: Uint8Array, i: number, end: number): number {
  while (i < end && BYTE_CLASS[buf[i]!] !== C_BLANK) i++;
  return i;
}

function hexValue(buf: Uint8Array, s: number, e: number): number {
  if (e === s || e - s > 8) return -1;
  let v = 0;
  for (let k = s; k < e; k++) {
    const d = hexDigit(buf[k]!);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

function decimalValue(buf: Uint8Array, s: number, e: number): number {
  if (e === s || e - s > 9) return -1;
  let v = 0;
  for (let k = s; k < e; k++) {
    const b = buf[k]!;
    if (!isDigit(b)) return -1;
    v = v * 10 + (b - 0x30);
  }
  return v;
}

function snippet(buf: Uint8Array, s: number, e: number): string {
  return Buffer.from(buf.subarray(s, Math.min(e, s + 30))).toString('latin1');
}

/** True when the line's first token is a hex number (a row, as opposed to any other line). */
export function looksLikeRow(buf: Uint8Array, start: number, end: number): boolean {
  const s = skipBlanks(buf, start, end);
  return hexValue(buf, s, wordEnd(buf, s, end)) >= 0;
}

/** Split a row by `layout` into `cells`; returns the reason it does not fit, or null. */
export function splitRow(buf: Uint8Array, start: number, end: number, layout: Layout, cells: RowCells): string | null {
  let s = skipBlanks(buf, start, end);
  let e = wordEnd(buf, s, end);
  cells.index = hexValue(buf, s, e);
  if (cells.index < 0) return `not a ktrdump row: expected a hex index, found '${snippet(buf, s, e)}'`;
  if (layout.cpu) {
    s = skipBlanks(buf, e, end);
    e = wordEnd(buf, s, end);
    cells.cpu = decimalValue(buf, s, e);
    if (cells.cpu < 0) return `bad cpu column '${snippet(buf, s, e)}'`;
  } else {
    cells.cpu = -1;
  }
  if (layout.time) {
    s = skipBlanks(buf, e, end);
    e = wordEnd(buf, s, end);
    if (s === e) return 'missing timestamp column';
    cells.timeStart = s;
    cells.timeEnd = e;
    const u = skipBlanks(buf, e, end);
    cells.micros = buf[u] === 0x75 && buf[u + 1] === 0x53 && (u + 2 === end || isBlank(buf[u + 2]!)); // "uS"
    if (cells.micros) e = u + 2;
  }
  if (layout.callers) {
    e = wordEnd(buf, skipBlanks(buf, e, end), end);
    s = skipBlanks(buf, e, end);
    e = wordEnd(buf, s, end);
    if (s === e) return 'missing caller columns (-x)';
  }
  if (layout.id) {
    s = skipBlanks(buf, e, end);
    e = wordEnd(buf, s, end);
    if (s === e) return 'missing ID column';
    cells.idStart = s;
    cells.idEnd = e;
  }
  if (layout.file) {
    s = skipBlanks(buf, e, end);
    e = wordEnd(buf, s, end);
    if (!isFileLine(buf, s, e)) return `bad file:line column '${snippet(buf, s, e)}'`;
  }
  s = skipBlanks(buf, e, end);
  e = end;
  while (e > s && isBlank(buf[e - 1]!)) e--;
  if (!layout.trace && e > s) return `text after the last column: '${snippet(buf, s, e)}'`;
  cells.traceStart = s;
  cells.traceEnd = e;
  return null;
}

/** `path:line` with a decimal line number. */
function isFileLine(buf: Uint8Array, s: number, e: number): boolean {
  let c = e - 1;
  while (c > s && isDigit(buf[c]!)) c--;
  return c > s && c < e - 1 && buf[c] === 0x3a;
}

// Header rows --------------------------------------------------------------

const HEADER_WORDS = ['index', 'cpu', 'timestamp', 'caller2', 'caller1', 'ID', 'file', 'and', 'line', 'trace'];

/** The layout a header row names, or null when the line is not a header. */
export function parseHeader(buf: Uint8Array, start: number, end: number): Layout | null {
  const seen = new Set<string>();
  for (let s = skipBlanks(buf, start, end); s < end; s = skipBlanks(buf, s, end)) {
    const e = wordEnd(buf, s, end);
    const w = Buffer.from(buf.subarray(s, e)).toString('latin1');
    if (!HEADER_WORDS.includes(w) || (seen.size === 0 && w !== 'index')) return null;
    seen.add(w);
    s = e;
  }
  if (!seen.has('index')) return null;
  return {
    cpu: seen.has('cpu'),
    time: seen.has('timestamp'),
    callers: seen.has('caller1') || seen.has('caller2'),
    id: seen.has('ID'),
    file: seen.has('file'),
    trace: seen.has('trace'),
  };
}

// Inference from rows (no header) ------------------------------------------

const enum Time {
  None,
  Ticks,
  Micros,
}
const enum Callers {
  None,
  Symbols,
  Pointers,
}

interface Candidate {
  cpu: boolean;
  time: Time;
  callers: Callers;
  id: boolean;
  file: boolean;
  trace: boolean;
}

function candidates(): Candidate[] {
  const out: Candidate[] = [];
  for (const cpu of [true, false])
    for (const time of [Time.Ticks, Time.Micros, Time.None])
      for (const callers of [Callers.None, Callers.Symbols, Callers.Pointers])
        for (const id of [true, false]) for (const file of [false, true]) for (const trace of [true, false]) out.push({ cpu, time, callers, id, file, trace });
  // most columns first: a trace that starts like a column is the less likely reading
  const count = (c: Candidate): number => +c.cpu + +(c.time !== Time.None) + +(c.callers !== Callers.None) + +c.id + +c.file + +c.trace;
  return out
    .map((c, k) => ({ c, k }))
    .sort((a, b) => count(b.c) - count(a.c) || a.k - b.k)
    .map((x) => x.c);
}

const CANDIDATES = candidates();

/**
 * The layout that fits every sample row at ktrdump's exact field positions,
 * else the default column set if the rows split by it, else null.
 */
export function inferLayout(rows: readonly Uint8Array[]): Layout | null {
  if (rows.length === 0) return null;
  for (const c of CANDIDATES) {
    if (rows.every((r) => fitsExactly(r, 0, r.length, c))) {
      return { cpu: c.cpu, time: c.time !== Time.None, callers: c.callers !== Callers.None, id: c.id, file: c.file, trace: c.trace };
    }
  }
  const cells = new RowCells();
  if (rows.every((r) => splitRow(r, 0, r.length, DEFAULT_LAYOUT, cells) === null && isNumber(r, cells.timeStart, cells.timeEnd))) {
    return DEFAULT_LAYOUT;
  }
  return null;
}

function isNumber(buf: Uint8Array, s: number, e: number): boolean {
  if (s < e && buf[s] === 0x2d) s++;
  if (s === e) return false;
  for (let k = s; k < e; k++) if (!isDigit(buf[k]!) && buf[k] !== 0x2e) return false;
  return true;
}

type TokenTest = (buf: Uint8Array, s: number, e: number) => boolean;

const decimal: TokenTest = (buf, s, e) => {
  if (e === s) return false;
  for (let k = s; k < e; k++) if (!isDigit(buf[k]!)) return false;
  return true;
};
const identifier: TokenTest = (buf, s, e) => {
  if (buf[s] === 0x3c) return buf[e - 1] === 0x3e; // <empty>
  for (let k = s; k < e; k++) {
    const b = buf[k]!;
    const ok = b === 0x5f || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (k > s && isDigit(b));
    if (!ok) return false;
  }
  return true;
};
const pointer: TokenTest = (buf, s, e) => e - s > 2 && buf[s] === 0x30 && buf[s + 1] === 0x78 && hexRun(buf, s + 2, e);
/** `sym+off` (decimal offset), or a pointer when the address had no symbol */
const symbol: TokenTest = (buf, s, e) => {
  if (pointer(buf, s, e)) return true;
  let p = e - 1;
  while (p > s && isDigit(buf[p]!)) p--;
  return p > s && p < e - 1 && buf[p] === 0x2b;
};

function hexRun(buf: Uint8Array, s: number, e: number): boolean {
  for (let k = s; k < e; k++) if (hexDigit(buf[k]!) < 0) return false;
  return true;
}

/** Rows whose trailing blanks were stripped end early: treat the end as padding. */
function padded(buf: Uint8Array, p: number, end: number, width: number, test: TokenTest): number {
  let q = p;
  while (q < end && buf[q] !== SP) q++;
  if (q === p || !test(buf, p, q)) return -1;
  const fieldEnd = Math.max(p + width, q);
  for (let k = q; k < Math.min(fieldEnd, end); k++) if (buf[k] !== SP) return -1;
  if (fieldEnd >= end) return end;
  return buf[fieldEnd] === SP ? fieldEnd + 1 : -1;
}

function fitsExactly(buf: Uint8Array, start: number, end: number, c: Candidate): boolean {
  let p = start;
  if (buf[p] !== SP || end - p < 8 || buf[p + 7] !== SP || !hexRun(buf, p + 1, p + 7)) return false;
  p += 8;
  if (c.cpu && (p = padded(buf, p, end, 3, decimal)) < 0) return false;
  if (c.time === Time.Ticks && (p = padded(buf, p, end, 16, decimal)) < 0) return false;
  if (c.time === Time.Micros && (p = micros(buf, p, end)) < 0) return false;
  if (c.callers === Callers.Symbols) {
    if ((p = padded(buf, p, end, 25, symbol)) < 0 || (p = padded(buf, p, end, 25, symbol)) < 0) return false;
  }
  if (c.callers === Callers.Pointers) {
    if ((p = padded(buf, p, end, 0, pointer)) < 0 || (p = padded(buf, p, end, 0, pointer)) < 0) return false;
  }
  if (c.id && (p = padded(buf, p, end, 20, identifier)) < 0) return false;
  if (c.file && (p = fileLine(buf, p, end)) < 0) return false;
  return c.trace || p >= end;
}

/** "%13.3f uS ": a right-aligned number, then ` uS `. */
function micros(buf: Uint8Array, p: number, end: number): number {
  let t = p;
  while (t < end && buf[t] === SP) t++;
  let q = t;
  while (q < end && buf[q] !== SP) q++;
  if (q === t || (q - t <= 13 ? q !== p + 13 : t !== p)) return -1;
  if (!/^-?\d+\.\d{3}$/.test(Buffer.from(buf.subarray(t, q)).toString('latin1'))) return -1; // inference only, not per row
  if (buf[q] !== SP || buf[q + 1] !== 0x75 || buf[q + 2] !== 0x53) return -1;
  if (q + 3 >= end) return end;
  return buf[q + 3] === SP ? q + 4 : -1;
}

/** "%34s:%-4d ": a path right-aligned in 34 columns, `:`, the line left-aligned in 4. */
function fileLine(buf: Uint8Array, p: number, end: number): number {
  const colon = p + 34;
  if (colon >= end || buf[colon] !== 0x3a) return -1;
  let t = p;
  while (t < colon && buf[t] === SP) t++;
  if (t === colon) return -1;
  for (let k = t; k < colon; k++) if (buf[k] === SP) return -1;
  return padded(buf, colon + 1, end, 4, decimal);
}
