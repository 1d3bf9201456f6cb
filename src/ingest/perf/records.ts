// The text after the event name of the `perf script` lines the reader uses:
// tracepoint fields (`key=value ...`) and the side-band records perf prints
// with --show-mmap-events / --show-task-events / --show-lost-events:
//
//   PERF_RECORD_MMAP2 6292/6292: [0x55b038070000(0x140000) @ 0 fe:00 260104 0]: r--p /usr/bin/bash
//   PERF_RECORD_MMAP 6292/6292: [0x400000(0x1000) @ 0]: x /usr/bin/true
//   PERF_RECORD_FORK(6299:6299):(6292:6292)        PERF_RECORD_EXIT(6299:6299):(6292:6292)
//   PERF_RECORD_COMM exec: true:6294/6294           PERF_RECORD_LOST lost 12

import { SP, TAB, hexDigit, isDigit, latin1, parseU64, u64, utf8 } from '../common/bytes.js';
import { startsWith } from './script-line.js';

const EQ = 0x3d;
const blank = (b: number | undefined): boolean => b === SP || b === TAB;

/**
 * The value span of tracepoint field `key` in buf[s, e), or false. A value
 * runs to the next ` word=` (so a file name with spaces stays whole); the
 * span is left in `span`.
 */
export const span = { start: 0, end: 0 };
export function field(buf: Uint8Array, s: number, e: number, key: Uint8Array): boolean {
  for (let i = s; i + key.length < e; i++) {
    if ((i > s && !blank(buf[i - 1])) || buf[i + key.length] !== EQ || !startsWith(buf, i, e, key)) continue;
    const vs = i + key.length + 1;
    span.start = vs;
    span.end = valueEnd(buf, vs, e);
    return true;
  }
  return false;
}

function valueEnd(buf: Uint8Array, i: number, e: number): number {
  for (; i < e; i++) {
    if (!blank(buf[i])) continue;
    let j = i + 1;
    while (j < e && !blank(buf[j]) && buf[j] !== EQ) j++;
    if (j < e && buf[j] === EQ && j > i + 1) return trimEnd(buf, i);
  }
  return trimEnd(buf, e);
}

function trimEnd(buf: Uint8Array, e: number): number {
  while (e > 0 && blank(buf[e - 1])) e--;
  return e;
}

/** A hex number with or without 0x (fault addresses, inodes): up to 52 bits, else NaN. */
export function hexNumber(buf: Uint8Array, s: number, e: number): number {
  if (e - s > 2 && buf[s] === 0x30 && (buf[s + 1] === 0x78 || buf[s + 1] === 0x58)) s += 2;
  if (s >= e || e - s > 13) return NaN;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = hexDigit(buf[i]!);
    if (d < 0) return NaN;
    v = v * 16 + d;
  }
  return v;
}

/** A 64-bit hex number (with or without 0x) into u64.hi / u64.lo. */
export function hex64(buf: Uint8Array, s: number, e: number): boolean {
  if (e - s > 2 && buf[s] === 0x30 && (buf[s + 1] === 0x78 || buf[s + 1] === 0x58)) return parseU64(buf, s, e);
  const text = Buffer.from('0x' + latin1(buf, s, e), 'latin1');
  return parseU64(text, 0, text.length);
}

export function decimal(buf: Uint8Array, s: number, e: number): number {
  if (s >= e || e - s > 15) return NaN;
  let v = 0;
  for (let i = s; i < e; i++) {
    const b = buf[i]!;
    if (!isDigit(b)) return NaN;
    v = v * 10 + b - 0x30;
  }
  return v;
}

/** `true` / `false` (mmap_lock's write and success fields), else -1. */
export function boolWord(buf: Uint8Array, s: number, e: number): number {
  if (e - s === 4 && buf[s] === 0x74) return 1;
  if (e - s === 5 && buf[s] === 0x66) return 0;
  return -1;
}

export interface MmapRecord {
  pid: number;
  tid: number;
  start: number;
  length: number;
  /** byte offset in the file (for anonymous memory, Linux's address-based pgoff) */
  offset: number;
  /** device and inode; major -1 when the record does not say (MMAP, build-id MMAP2) */
  major: number;
  minor: number;
  ino: number;
  /** protection letters given (MMAP2) */
  read: boolean;
  write: boolean;
  exec: boolean;
  shared: boolean;
  path: string;
}

/** An MMAP2 (or MMAP) record body, or an error reason. A kernel map comes back with start -1. */
export function parseMmap(buf: Uint8Array, s: number, e: number, out: MmapRecord): string | null {
  let i = skip(buf, s, e);
  const ids = ids2(buf, i, e, 0x2f);
  if (!ids) return 'MMAP: expected PID/TID';
  [out.pid, out.tid] = [ids.a, ids.b];
  i = skip(buf, ids.end + 1, e); // past the colon
  if (buf[i] !== 0x5b) return 'MMAP: expected [';
  const close = buf.indexOf(0x5d, i);
  if (close < 0 || close >= e) return 'MMAP: expected ]';
  // [START(LENGTH) @ PGOFF MAJ:MIN INO GEN] or [START(LENGTH) @ PGOFF] or [START(LENGTH) @ PGOFF BUILDID ...]
  const words = splitWords(buf, i + 1, close);
  const first = words[0];
  if (!first) return 'MMAP: empty range';
  const paren = buf.indexOf(0x28, first[0]);
  if (paren < 0 || paren >= first[1]) return 'MMAP: expected START(LENGTH)';
  if (!hex64(buf, first[0], paren)) return 'MMAP: bad start address';
  if (u64.hi >= 0x8000) {
    out.start = -1; // the kernel's own map: not a user mapping
    return null;
  }
  out.start = u64.hi * 2 ** 32 + u64.lo;
  out.length = hexNumber(buf, paren + 1, first[1] - 1);
  if (words.length < 3 || latin1(buf, words[1]![0], words[1]![1]) !== '@') return 'MMAP: expected @ PGOFF';
  out.offset = hexNumber(buf, words[2]![0], words[2]![1]);
  if (Number.isNaN(out.length) || Number.isNaN(out.offset)) return 'MMAP: bad length or offset';
  out.major = out.minor = out.ino = -1;
  const dev = words[3];
  if (dev && words[4]) {
    const c = buf.indexOf(0x3a, dev[0]);
    if (c > dev[0] && c < dev[1]) {
      out.major = hexNumber(buf, dev[0], c);
      out.minor = hexNumber(buf, c + 1, dev[1]);
      out.ino = decimal(buf, words[4][0], words[4][1]);
      if ([out.major, out.minor, out.ino].some(Number.isNaN)) return 'MMAP2: bad device or inode';
    }
  }
  // ]: PROT PATH, where PROT is rwxp / r-xs (MMAP2) or one letter (MMAP)
  let p = close + 1;
  if (buf[p] === 0x3a) p++;
  p = skip(buf, p, e);
  const ps = p;
  while (p < e && !blank(buf[p])) p++;
  const prot = latin1(buf, ps, p);
  if (prot.length === 4) {
    out.read = prot[0] === 'r';
    out.write = prot[1] === 'w';
    out.exec = prot[2] === 'x';
    out.shared = prot[3] === 's';
  } else {
    out.read = true;
    out.write = false;
    out.exec = prot.includes('x');
    out.shared = false;
  }
  out.path = utf8(buf, skip(buf, p, e), e);
  return null;
}

export function newMmapRecord(): MmapRecord {
  return { pid: -1, tid: -1, start: 0, length: 0, offset: 0, major: -1, minor: -1, ino: -1, read: false, write: false, exec: false, shared: false, path: '' };
}

/** FORK and EXIT: `(PID:TID):(PPID:PTID)`. */
export function parseTaskPair(buf: Uint8Array, s: number, e: number): { pid: number; tid: number; ppid: number; ptid: number } | null {
  let i = skip(buf, s, e);
  if (buf[i] !== 0x28) return null;
  const a = ids2(buf, i + 1, e, 0x3a);
  if (!a || buf[a.end] !== 0x29) return null;
  i = a.end + 1;
  if (buf[i] !== 0x3a || buf[i + 1] !== 0x28) return null;
  const b = ids2(buf, i + 2, e, 0x3a);
  if (!b || buf[b.end] !== 0x29) return null;
  return { pid: a.a, tid: a.b, ppid: b.a, ptid: b.b };
}

/** COMM: ` exec: NAME:PID/TID` or `: NAME:PID/TID` (NAME may hold colons). */
export function parseComm(buf: Uint8Array, s: number, e: number): { exec: boolean; comm: string; pid: number; tid: number } | null {
  const text = utf8(buf, s, e);
  const m = /^\s*(exec)?:\s(.*):(-?\d+)\/(-?\d+)\s*$/.exec(text);
  if (!m) return null;
  return { exec: m[1] === 'exec', comm: m[2]!, pid: Number(m[3]), tid: Number(m[4]) };
}

/** LOST / LOST_SAMPLES: the first number after `lost`. */
export function parseLost(buf: Uint8Array, s: number, e: number): number {
  const m = /lost\D*(\d+)/.exec(latin1(buf, s, e));
  return m ? Number(m[1]) : NaN;
}

/** Two signed decimals `A<sep>B` from i; end is the index after B. */
function ids2(buf: Uint8Array, i: number, e: number, sep: number): { a: number; b: number; end: number } | null {
  const a = signedAt(buf, i, e);
  if (!a || buf[a.end] !== sep) return null;
  const b = signedAt(buf, a.end + 1, e);
  if (!b) return null;
  return { a: a.v, b: b.v, end: b.end };
}

function signedAt(buf: Uint8Array, i: number, e: number): { v: number; end: number } | null {
  const neg = buf[i] === 0x2d;
  let j = neg ? i + 1 : i;
  const s = j;
  let v = 0;
  while (j < e && isDigit(buf[j]!)) v = v * 10 + buf[j++]! - 0x30;
  return j === s ? null : { v: neg ? -v : v, end: j };
}

function splitWords(buf: Uint8Array, s: number, e: number): [number, number][] {
  const words: [number, number][] = [];
  let i = s;
  for (;;) {
    i = skip(buf, i, e);
    if (i >= e) return words;
    const ws = i;
    while (i < e && !blank(buf[i])) i++;
    words.push([ws, i]);
  }
}

function skip(buf: Uint8Array, i: number, e: number): number {
  while (i < e && blank(buf[i])) i++;
  return i;
}

/** The address-space calls whose syscall tracepoints the Linux faults read. */
export const ADDRESS_SPACE_CALLS: ReadonlySet<string> = new Set([
  'mmap',
  'munmap',
  'mprotect',
  'pkey_mprotect',
  'mremap',
  'brk',
  'madvise',
  'process_madvise',
  'mlock',
  'mlock2',
  'mlockall',
  'munlock',
  'munlockall',
  'shmat',
  'shmdt',
]);

/**
 * A syscall tracepoint's payload as perf prints it: `name: 0xHEX, name: 0xHEX`
 * on entry, the return value `0xHEX` on exit (negative errnos as 64-bit). Values
 * above 2^53 (an fd of -1, an errno) are negative or not exact: taken as -1.
 */
export function parseSyscallArgs(buf: Uint8Array, s: number, e: number, enter: boolean): Record<string, number> | null {
  const text = latin1(buf, s, e).trim();
  const value = (v: string): number => {
    const n = Number(v.startsWith('0x') ? BigInt(v) : BigInt(v));
    return n > 2 ** 53 ? -1 : n;
  };
  try {
    if (!enter) return { ret: value(text.split(/\s/)[0]!) };
    const args: Record<string, number> = {};
    for (const part of text.split(',')) {
      const m = /^\s*(\w+):\s*(0x[0-9a-fA-F]+|-?\d+)\s*$/.exec(part);
      if (!m) return null;
      args[m[1]!] = value(m[2]!);
    }
    return args;
  } catch {
    return null;
  }
}
