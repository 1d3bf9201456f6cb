// The columns in front of every `perf script` line, cut from the bytes:
//
//   COMM  PID/TID  [CPU]  SECONDS.FRACTION:  [PERIOD]  EVENT:  BODY
//   bash  6292/6292  [001]  1063.156355918:  minor-faults:  55b0381a4764
//   bash  6292/6292  [001]  1063.156308360: PERF_RECORD_MMAP2 6292/6292: [...]: r--p /usr/bin/bash
//
// Which columns appear depends on `perf script -F` (the default shows TID
// without PID, and a period before software events). COMM may hold spaces and
// colons, so the line is read from the timestamp, the first `digits.digits:`
// word, outwards.

import { SP, TAB, isDigit } from '../common/bytes.js';

export interface ScriptLine {
  commStart: number;
  commEnd: number;
  /** -1 when the line shows the TID only */
  pid: number;
  tid: number;
  /** -1 when the line has no CPU column */
  cpu: number;
  /** nanoseconds */
  ts: number;
  nameStart: number;
  nameEnd: number;
  /** where the event's own text starts (after `EVENT:` or the record name) */
  bodyStart: number;
  /** where it ends: before a trailing `IP SYM (DSO)` that -F ip,sym,dso (or the default fields) print after a payload */
  bodyEnd: number;
}

const COLON = 0x3a;
const DOT = 0x2e;
const SLASH = 0x2f;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LPAREN = 0x28;
const RPAREN = 0x29;
const EQUALS = 0x3d;
const MINUS = 0x2d;
const RECORD = Buffer.from('PERF_RECORD_', 'latin1');

const blank = (b: number | undefined): boolean => b === SP || b === TAB;

export function newScriptLine(): ScriptLine {
  return { commStart: 0, commEnd: 0, pid: -1, tid: -1, cpu: -1, ts: NaN, nameStart: 0, nameEnd: 0, bodyStart: 0, bodyEnd: 0 };
}

/** Cut a `perf script` line into `out`; false when it is not one. */
export function parseScriptLine(buf: Uint8Array, start: number, end: number, out: ScriptLine): boolean {
  const colon = timeColon(buf, start, end);
  if (colon < 0) return untimedLine(buf, start, end, out);
  let tsStart = colon - 1;
  while (tsStart > start && !blank(buf[tsStart - 1])) tsStart--;
  out.ts = parseSeconds(buf, tsStart, colon);

  // Right to left in front of the timestamp: [CPU], then PID/TID or TID, then COMM.
  let i = skipBack(buf, start, tsStart);
  out.cpu = -1;
  if (i > start && buf[i - 1] === RBRACKET) {
    let j = i - 1;
    while (j > start && isDigit(buf[j - 1]!)) j--;
    if (j > start && buf[j - 1] === LBRACKET && j < i - 1) {
      out.cpu = digits(buf, j, i - 1);
      i = skipBack(buf, start, j - 1);
    }
  }
  let w = i;
  while (w > start && !blank(buf[w - 1])) w--;
  out.pid = -1;
  out.tid = -1;
  if (idToken(buf, w, i, out)) i = skipBack(buf, start, w);
  let cs = start;
  while (cs < i && blank(buf[cs])) cs++;
  out.commStart = cs;
  out.commEnd = i;

  // Left to right after the timestamp: an optional period, then the event.
  let p = skip(buf, colon + 1, end);
  let q = p;
  while (q < end && isDigit(buf[q]!)) q++;
  if (q > p && q < end && blank(buf[q])) p = skip(buf, q, end);
  out.nameStart = p;
  if (startsWith(buf, p, end, RECORD)) {
    let n = p;
    while (n < end && buf[n] !== SP && buf[n] !== LPAREN && buf[n] !== COLON) n++;
    out.nameEnd = n;
    out.bodyStart = n;
    out.bodyEnd = end;
    return true;
  }
  // An event name holds colons (exceptions:page_fault_user); it ends at the colon before a blank.
  let n = p;
  while (n < end && !(buf[n] === COLON && (n + 1 === end || blank(buf[n + 1])))) {
    if (blank(buf[n])) return false;
    n++;
  }
  if (n === p || n === end) return false;
  out.nameEnd = n;
  out.bodyStart = n + 1;
  out.bodyEnd = payloadEnd(buf, n + 1, end);
  return true;
}

/**
 * The end of a tracepoint payload (`key=value ...`) in buf[s, e), before the
 * sample's `IP [SYM] [(DSO)]` when the line carries one: an IP is a bare hex
 * word, where a payload's last word is always `key=value`.
 */
export function payloadEnd(buf: Uint8Array, s: number, e: number): number {
  let i = skipBack(buf, s, e);
  const full = i;
  if (i > s && buf[i - 1] === RPAREN) {
    // (DSO), which may itself hold parentheses: `(/tmp/x (deleted))`
    let depth = 0;
    let j = i - 1;
    for (; j >= s; j--) {
      if (buf[j] === RPAREN) depth++;
      else if (buf[j] === LPAREN && --depth === 0) break;
    }
    if (j <= s || !blank(buf[j - 1])) return full;
    i = skipBack(buf, s, j);
  }
  // [SYM]: any word without `=`, unless it is the IP itself
  let w = wordStart(buf, s, i);
  if (w < 0) return full;
  if (!isHexWord(buf, w, i)) {
    i = skipBack(buf, s, w);
    w = wordStart(buf, s, i);
    if (w < 0 || !isHexWord(buf, w, i)) return full;
  }
  return w > s ? skipBack(buf, s, w) : full;
}

/** The start of the blank-delimited word ending at i, or -1 when it holds `=` or is empty. */
function wordStart(buf: Uint8Array, s: number, i: number): number {
  let w = i;
  while (w > s && !blank(buf[w - 1])) {
    if (buf[w - 1] === EQUALS) return -1;
    w--;
  }
  return w === i ? -1 : w;
}

function isHexWord(buf: Uint8Array, s: number, e: number): boolean {
  if (e - s > 16) return false;
  for (let k = s; k < e; k++) {
    const b = buf[k]!;
    if (!(isDigit(b) || (b >= 0x61 && b <= 0x66))) return false;
  }
  return true;
}

/**
 * A line printed without the time field (`-F` without `time`): COMM, then
 * PID/TID or TID, [CPU] and a period, then the event. Found by pattern
 * (only this rare shape pays for it); the line is untimed.
 */
const UNTIMED =
  /^(.*?)\s(-?\d+\/)?(-?\d+)\s+(?:\[(\d+)\]\s+)?(?:\d+\s+)?(PERF_RECORD_[A-Z0-9_]+|[\w.-]+:[\w.-]+:(?=\s|$)|[\w.-]+-faults(?::[a-zA-Z]+)?:(?=\s|$))/;

function untimedLine(buf: Uint8Array, start: number, end: number, out: ScriptLine): boolean {
  const text = Buffer.from(buf.buffer, buf.byteOffset + start, Math.min(end - start, 400)).toString('latin1');
  const m = UNTIMED.exec(text);
  if (!m) return false;
  let cs = 0;
  let ce = m[1]!.length;
  while (cs < ce && blank(text.charCodeAt(cs))) cs++;
  while (ce > cs && blank(text.charCodeAt(ce - 1))) ce--;
  out.commStart = start + cs;
  out.commEnd = start + ce;
  out.pid = m[2] ? Number(m[2].slice(0, -1)) : -1;
  out.tid = Number(m[3]);
  out.cpu = m[4] ? Number(m[4]) : -1;
  out.ts = NaN;
  const name = m[5]!;
  out.nameStart = start + m[0].length - name.length;
  if (name.startsWith('PERF_RECORD_')) {
    out.nameEnd = start + m[0].length;
    out.bodyStart = out.nameEnd;
    out.bodyEnd = end;
  } else {
    out.nameEnd = start + m[0].length - 1; // without the colon
    out.bodyStart = out.nameEnd + 1;
    out.bodyEnd = payloadEnd(buf, out.bodyStart, end);
  }
  return true;
}

/** The colon of the first `digits.digits:` word that a blank (or the line end) follows. */
function timeColon(buf: Uint8Array, start: number, end: number): number {
  for (let i = start + 2; i < end; i++) {
    if (buf[i] !== COLON || !(i + 1 === end || blank(buf[i + 1]))) continue;
    let j = i - 1;
    while (j > start && isDigit(buf[j]!)) j--;
    if (j === i - 1 || buf[j] !== DOT) continue;
    let k = j - 1;
    while (k >= start && isDigit(buf[k]!)) k--;
    if (k === j - 1 || (k >= start && !blank(buf[k]))) continue;
    return i;
  }
  return -1;
}

/** `PID/TID`, `TID`, or `-1/0` in buf[s, e). */
function idToken(buf: Uint8Array, s: number, e: number, out: ScriptLine): boolean {
  if (s >= e) return false;
  let slash = -1;
  for (let k = s; k < e; k++) {
    const b = buf[k]!;
    if (b === SLASH && slash < 0) slash = k;
    else if (!isDigit(b) && !(b === MINUS && (k === s || k === slash + 1))) return false;
  }
  if (slash < 0) {
    out.tid = signed(buf, s, e);
    return !Number.isNaN(out.tid);
  }
  out.pid = signed(buf, s, slash);
  out.tid = signed(buf, slash + 1, e);
  return !Number.isNaN(out.pid) && !Number.isNaN(out.tid);
}

/** `SECONDS.FRACTION` as nanoseconds (a fraction of up to 9 digits is exact). */
export function parseSeconds(buf: Uint8Array, s: number, e: number): number {
  let secs = 0;
  let i = s;
  while (i < e && buf[i] !== DOT) secs = secs * 10 + (buf[i++]! - 0x30);
  let frac = 0;
  let scale = 1e9;
  for (i++; i < e; i++) {
    if (scale >= 10) {
      frac = frac * 10 + (buf[i]! - 0x30);
      scale /= 10;
    }
  }
  return secs * 1e9 + frac * scale;
}

function digits(buf: Uint8Array, s: number, e: number): number {
  let v = 0;
  for (let i = s; i < e; i++) v = v * 10 + (buf[i]! - 0x30);
  return v;
}

function signed(buf: Uint8Array, s: number, e: number): number {
  if (s >= e) return NaN;
  if (buf[s] === MINUS) return s + 1 < e ? -digits(buf, s + 1, e) : NaN;
  return digits(buf, s, e);
}

function skip(buf: Uint8Array, i: number, end: number): number {
  while (i < end && blank(buf[i])) i++;
  return i;
}

function skipBack(buf: Uint8Array, start: number, i: number): number {
  while (i > start && blank(buf[i - 1])) i--;
  return i;
}

export function startsWith(buf: Uint8Array, i: number, end: number, word: Uint8Array): boolean {
  if (end - i < word.length) return false;
  for (let k = 0; k < word.length; k++) if (buf[i + k] !== word[k]) return false;
  return true;
}
