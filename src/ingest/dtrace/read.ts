// DTrace text (FreeBSD, illumos). The shipped script (quiet) prints
//   <timestamp_ns> <cpu> <payload>
// and without `-q` / `#pragma D option quiet` dtrace puts its own record
// prefix in front of whatever the clause printed:
//   CPU     ID                    FUNCTION:NAME
//     3  47781                 vm_fault:entry 1000123 3 fault_begin tid=...
// with a blank line after each record whose printf ended in a newline. The
// FUNCTION:NAME column always holds a colon, which is how the two kinds of
// line are told apart. dtrace buffers per CPU and the default sort window
// covers its switch interval.

import { BYTE_CLASS, C_BLANK, isDigit, latin1 } from '../common/bytes.js';
import type { Framing, FramingContext, FramingDef } from '../framing.js';
import { DtraceNotices } from './notices.js';

const HASH = 0x23;
const COLON = 0x3a;

export const dtrace: FramingDef = {
  name: 'dtrace',
  extensions: ['dtrace'],
  description: 'DTrace text: quiet "<ts_ns> <cpu> <payload>" lines, or dtrace\'s default CPU/ID/FUNCTION:NAME records',
  sniff(lines) {
    const body = lines.filter((l) => !l.startsWith('dtrace:') && !l.startsWith('#') && !l.includes('\0'));
    if (body.some((l) => /^\s*CPU\s+ID\s+FUNCTION:NAME\s*$/.test(l))) return 0.95;
    const sample = body.slice(0, 10);
    if (sample.length === 0) return lines.length > 0 ? 0.3 : 0;
    const quiet = sample.filter((l) => /^[1-9]\d*\s+\d+\s+[A-Za-z_][\w.:-]*(\s|$)/.test(l)).length;
    const records = sample.filter((l) => /^\s*(0|[1-9]\d{0,3})\s+[1-9]\d*\s+\S*:\S+/.test(l)).length;
    return (quiet + records) * 2 > sample.length ? 0.9 : 0; // most lines: a few damaged ones do not hide the framing
  },
  create: (ctx) => new DtraceFraming(ctx),
};

class DtraceFraming implements Framing {
  private readonly notices: DtraceNotices;
  private untimed = 0;

  constructor(private readonly ctx: FramingContext) {
    this.notices = new DtraceNotices(ctx.stats);
  }

  line(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    const { decoder } = this.ctx;
    const s0 = skip(buf, start, end);
    if (s0 === end) return decoder.framing();
    const b = buf[s0]!;
    if (b === HASH) {
      this.comment(latin1(buf, s0, end));
      return decoder.framing();
    }
    if (!isDigit(b)) {
      const text = latin1(buf, s0, end);
      if (text.startsWith('dtrace:')) {
        this.notices.line(text);
        return decoder.framing();
      }
      if (/^CPU\s+ID\s+FUNCTION:NAME\s*$/.test(text)) return decoder.framing();
      return decoder.reject(lineNo, -1, `not a dtrace line: '${text.slice(0, 40)}'`);
    }
    const e0 = word(buf, s0, end);
    const s1 = skip(buf, e0, end);
    const e1 = word(buf, s1, end);
    const s2 = skip(buf, e1, end);
    const e2 = word(buf, s2, end);
    const first = this.unsigned(buf, s0, e0);
    const second = unsignedSmall(buf, s1, e1);
    if (Number.isNaN(first) || second < 0) {
      return decoder.reject(lineNo, -1, "not a dtrace line: expected '<timestamp> <cpu> <event> key=value ...' or a 'CPU ID FUNCTION:NAME' record");
    }
    if (hasColon(buf, s2, e2)) return this.record(buf, first, s2, e2, end, lineNo);
    decoder.payload(buf, s2, end, first, second, lineNo);
  }

  finish(): void {
    this.notices.finish();
    if (this.untimed > 0) this.ctx.stats.warn(`${this.untimed} dtrace records carry no timestamp: they keep their place in the file`);
  }

  /** `  3  47781  func:name [<ts> [<cpu>]] <payload>`: the CPU is the record's. */
  private record(buf: Uint8Array, cpu: number, probeStart: number, probeEnd: number, end: number, lineNo: number): void {
    const { decoder } = this.ctx;
    let p = skip(buf, probeEnd, end);
    if (p === end) {
      // a probe with no printf: dtrace's default action shows only that it fired
      this.untimed++;
      return decoder.unknown(latin1(buf, probeStart, probeEnd), '', NaN, cpu, lineNo);
    }
    let ts = NaN;
    const e0 = word(buf, p, end);
    if (allDigits(buf, p, e0)) {
      ts = this.unsigned(buf, p, e0);
      p = skip(buf, e0, end);
      const e1 = word(buf, p, end);
      if (allDigits(buf, p, e1)) p = skip(buf, e1, end); // the script's own cpu column
    }
    if (Number.isNaN(ts)) this.untimed++;
    decoder.payload(buf, p, end, ts, cpu, lineNo);
  }

  /**
   * Our script's BEGIN line ties `timestamp` to the wall clock; the lines
   * vmtrace.sh writes first say what the kernel offered (a missing probe
   * means a whole event kind is absent, so it is a warning).
   */
  private comment(text: string): void {
    const { stats } = this.ctx;
    if (text.startsWith('# vmtrace') && text.includes('walltimestamp=')) return stats.note(`capture: ${text.slice(2).trim()}`);
    if (text.startsWith('# vmtrace: missing ')) return stats.warn(`capture: ${text.slice(11).trim()}`);
    if (text.startsWith('# vmtrace: ')) stats.note(`capture: ${text.slice(11).trim()}`);
  }

  /** Decimal nanoseconds; exact up to 2^53 (the decoder refuses a time above it). */
  private unsigned(buf: Uint8Array, s: number, e: number): number {
    if (e === s || e - s > 20) return NaN;
    let v = 0;
    for (let k = s; k < e; k++) {
      const d = buf[k]! - 0x30;
      if (d < 0 || d > 9) return NaN;
      v = v * 10 + d;
    }
    return v;
  }
}

function skip(buf: Uint8Array, i: number, end: number): number {
  while (i < end && BYTE_CLASS[buf[i]!] === C_BLANK) i++;
  return i;
}

function word(buf: Uint8Array, i: number, end: number): number {
  while (i < end && BYTE_CLASS[buf[i]!] !== C_BLANK) i++;
  return i;
}

function allDigits(buf: Uint8Array, s: number, e: number): boolean {
  if (s === e) return false;
  for (let k = s; k < e; k++) if (!isDigit(buf[k]!)) return false;
  return true;
}

/** A CPU number (or a probe ID), or -1. */
function unsignedSmall(buf: Uint8Array, s: number, e: number): number {
  if (s === e || e - s > 9) return -1;
  let v = 0;
  for (let k = s; k < e; k++) {
    const d = buf[k]! - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

function hasColon(buf: Uint8Array, s: number, e: number): boolean {
  for (let k = s; k < e; k++) if (buf[k] === COLON) return true;
  return false;
}
