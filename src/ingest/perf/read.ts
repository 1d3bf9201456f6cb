// Linux perf text: `perf script` output of the fault, mmap_lock, filemap and
// process tracepoints, with or without the side-band MMAP2/FORK/COMM/EXIT
// records, and `perf trace --pf=all` lines. Linux has no vm_objects, so this
// framing maps what Linux did onto the vocabulary (see docs in
// traces/capture/linux/): files become VNODE objects, private anonymous memory
// and copy-on-write shadows DEFAULT objects, and a VM model tracks what a BSD
// kernel would have done on fork, exec, exit and the first write to a private
// page. Every field and event the model supplies is marked in the `inferred`
// column. The meaning of each record is mapper.ts's, shared with the perf.data
// reader; this file only cuts text.
//
// `perf script` prints in many shapes: any -F subset and order, seconds with
// nanoseconds or microseconds, with or without the [cpu] column, the sample's
// `IP SYM (DSO)` after a tracepoint payload, and indented call chains under a
// sample. A sample line is held until its call chain has been read, so the
// kernel caller the chain names becomes the event's site.
//
// Each line is counted once: its first event counts it, the further events it
// yields are derived rows, a line with no vocabulary event is context (kept by
// name) or framing (comments, headers, call chains).

import { WordTable, latin1, u64, utf8 } from '../common/bytes.js';
import type { Framing, FramingContext, FramingDef } from '../framing.js';
import { PerfMapper } from './mapper.js';
import {
  ADDRESS_SPACE_CALLS,
  boolWord,
  decimal,
  field,
  hex64,
  hexNumber,
  newMmapRecord,
  parseComm,
  parseLost,
  parseMmap,
  parseSyscallArgs,
  parseTaskPair,
  span,
} from './records.js';
import { type ScriptLine, newScriptLine, parseScriptLine } from './script-line.js';
import { TraceFaults, newTraceFault, parseTraceFault, traceLinePrefix } from './trace-pf.js';
import { CallChainSites } from './callchain.js';

const EVENTS = [
  'exceptions:page_fault_user',
  'exceptions:page_fault_kernel',
  'mmap_lock:mmap_lock_start_locking',
  'mmap_lock:mmap_lock_acquire_returned',
  'mmap_lock:mmap_lock_released',
  'filemap:mm_filemap_fault',
  'sched:sched_process_fork',
  'sched:sched_process_exec',
  'sched:sched_process_exit',
  'minor-faults',
  'major-faults',
  'PERF_RECORD_MMAP2',
  'PERF_RECORD_MMAP',
  'PERF_RECORD_FORK',
  'PERF_RECORD_EXIT',
  'PERF_RECORD_COMM',
  'PERF_RECORD_LOST',
  'PERF_RECORD_LOST_SAMPLES',
] as const;
const E = Object.fromEntries(EVENTS.map((n, i) => [n, i])) as Record<(typeof EVENTS)[number], number>;
const NAMES = new WordTable(EVENTS);

const key = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const F = {
  address: key('address'),
  error_code: key('error_code'),
  mm: key('mm'),
  write: key('write'),
  success: key('success'),
  dev: key('dev'),
  ino: key('ino'),
  ofs: key('ofs'),
  child_pid: key('child_pid'),
  filename: key('filename'),
  group_dead: key('group_dead'),
};

const OS_RELEASE = Buffer.from('# os release : ', 'latin1');
const startsWithText = (buf: Uint8Array, i: number, end: number, prefix: Uint8Array): boolean => {
  if (end - i < prefix.length) return false;
  for (let k = 0; k < prefix.length; k++) if (buf[i + k] !== prefix[k]) return false;
  return true;
};

const SCRIPT_LINE = /^\s*\S.*?\s(-?\d+\/)?-?\d+\s+(\[\d+\]\s+)?\d+\.\d+:\s+(\d+\s+)?(PERF_RECORD_[A-Z0-9_]+|[\w.-]+:[\w.-]+:|[\w.-]+-faults(:[a-zA-Z]+)?:)/;
/** a line printed without the time field */
const UNTIMED_LINE = /^\s*\S.*?\s(-?\d+\/)?-?\d+\s+(\[\d+\]\s+)?(\d+\s+)?(PERF_RECORD_[A-Z0-9_]+|[\w.-]+:[\w.-]+:(\s|$)|[\w.-]+-faults(:[a-zA-Z]+)?:(\s|$))/;
const TRACE_LINE = /^\s*\d+\.\d+ \(\s*[\d.]+ ms\): .*\/\d+ (min|maj)fault \[/;

export const perf: FramingDef = {
  name: 'perf',
  extensions: ['perf'],
  description:
    'Linux perf text (perf script of page-fault, mmap_lock, filemap and sched tracepoints, any -F fields, with or without MMAP2/FORK/COMM/EXIT records and call chains; perf trace --pf=all), mapped onto the vocabulary',
  sniff(lines) {
    let score = 0;
    for (const l of lines) {
      if (SCRIPT_LINE.test(l)) return 0.95;
      if (TRACE_LINE.test(l)) return 0.9;
      if (UNTIMED_LINE.test(l)) score = Math.max(score, 0.85);
      if (/^# (perf version|captured on|cmdline) :/.test(l)) score = 0.6;
    }
    return score;
  },
  create: (ctx) => new PerfFraming(ctx),
};

/** A `perf script` sample line held until its call chain (if any) is read. */
class Held {
  buf = new Uint8Array(512);
  len = 0;
  lineNo = 0;
  readonly head: ScriptLine = newScriptLine();
  full = false;

  hold(src: Uint8Array, start: number, end: number, lineNo: number, head: ScriptLine): void {
    const n = end - start;
    if (n > this.buf.length) this.buf = new Uint8Array(n * 2);
    this.buf.set(src.subarray(start, end));
    this.len = n;
    this.lineNo = lineNo;
    // the head's offsets, moved to the copy
    const h = this.head;
    Object.assign(h, head);
    h.commStart -= start;
    h.commEnd -= start;
    h.nameStart -= start;
    h.nameEnd -= start;
    h.bodyStart -= start;
    h.bodyEnd -= start;
    this.full = true;
  }
}

class PerfFraming implements Framing {
  private readonly map: PerfMapper;
  private readonly traceFaults: TraceFaults;
  private readonly head = newScriptLine();
  private readonly held = new Held();
  private readonly chain = new CallChainSites();
  private readonly mmap = newMmapRecord();
  private readonly traceFault = newTraceFault();
  private scriptLines = 0;
  private traceLines = 0;
  private callchainLines = 0;
  private pidColumn = false;
  private cpuColumn = false;
  private usTimestamps = false;
  private untimedLines = 0;
  private readonly comms = new Map<number, { bytes: Uint8Array; text: string }>();
  /** the line being mapped (its bytes hold the comm column) */
  private cur: { buf: Uint8Array; head: ScriptLine } = { buf: new Uint8Array(0), head: this.head };

  constructor(private readonly ctx: FramingContext) {
    this.map = new PerfMapper(
      ctx,
      (tid) => this.comm(tid),
      (tid) => this.comms.delete(tid),
    );
    this.traceFaults = new TraceFaults(this.map.out, this.map.model, this.map.vm);
  }

  line(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    const { decoder } = this.ctx;
    let i = start;
    while (i < end && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
    if (i === end || buf[i] === 0x23) {
      if (startsWithText(buf, i, end, OS_RELEASE)) this.map.kernelRelease(latin1(buf, i + OS_RELEASE.length, end).trim());
      return decoder.framing(); // blank, or a # header
    }
    if (this.held.full && this.chain.frame(buf, i, end, start)) {
      this.callchainLines++;
      return decoder.framing();
    }
    const h = this.head;
    if (parseScriptLine(buf, start, end, h)) {
      this.release();
      this.scriptLines++;
      if (h.pid >= 0) this.pidColumn = true;
      if (h.cpu >= 0) this.cpuColumn = true;
      if (Number.isNaN(h.ts)) this.untimedLines++;
      if (h.ts % 1000 === 0 && h.ts > 0 && this.scriptLines < 1000 && !this.usTimestamps) this.usTimestamps = microseconds(buf, start, end);
      this.held.hold(buf, start, end, lineNo, h);
      this.chain.reset();
      return;
    }
    this.release();
    if (this.chain.frame(buf, i, end, start)) {
      this.callchainLines++;
      return decoder.framing(); // a frame whose sample could not be read
    }
    const body = traceLinePrefix(buf, start, end);
    if (body >= 0) {
      this.traceLines++;
      return this.traceLine(buf, start, end, body, lineNo);
    }
    decoder.reject(lineNo, -1, `not a perf script or perf trace line: '${latin1(buf, start, Math.min(end, start + 60)).trim()}'`);
  }

  finish(): void {
    this.release();
    this.map.finish();
    const { stats } = this.ctx;
    if (this.scriptLines > 0) {
      const missing: string[] = [];
      if (!this.pidColumn) missing.push("no pid column (a thread's process is taken from the FORK/COMM records, else its thread id, marked inferred)");
      if (!this.cpuColumn) missing.push('no [cpu] column (rows have no CPU: per-CPU counts and ring windows are empty)');
      if (this.untimedLines > 0)
        missing.push(`no time column on ${this.untimedLines} lines (untimed rows, kept in the file's order; no io_ns; add time to -F)`);
      if (this.usTimestamps) missing.push("microsecond timestamps (events in one microsecond keep the file's order; io_ns is rounded to whole microseconds)");
      if (missing.length > 0) stats.note(`perf script fields: ${missing.join('; ')}`);
      if (this.callchainLines > 0) stats.note(`perf script call chains: ${this.callchainLines} frame lines read for their kernel callers (counted as framing)`);
    }
    if (this.traceLines > 0) {
      stats.note(
        'perf trace --pf lines: no error code (ftype inferred R), no CPU, thread id only (pid inferred), file-backed faults give a file offset (va inferred)',
      );
    }
  }

  /** Map the held sample line, with what its call chain named. */
  private release(): void {
    const held = this.held;
    if (!held.full) return;
    held.full = false;
    const h = held.head;
    // perf synthesizes its start-up records (kernel map, its own comm) at time 0: untimed, not at the epoch
    this.map.unit(held.lineNo, h.ts === 0 ? NaN : h.ts, h.cpu, h.pid, h.tid, h.ts === 0);
    this.cur = { buf: held.buf, head: h };
    if (this.chain.handler !== null) this.map.faultSite(this.chain.handler);
    this.scriptLine(held.buf, held.len);
  }

  /** The current line's command name (the thread's, as perf resolved it), decoded once per thread and name. */
  private comm(tid: number): string {
    const { buf, head: h } = this.cur;
    const cached = this.comms.get(tid);
    const n = h.commEnd - h.commStart;
    if (cached && cached.bytes.length === n) {
      let k = 0;
      while (k < n && cached.bytes[k] === buf[h.commStart + k]) k++;
      if (k === n) return cached.text;
    }
    const bytes = buf.slice(h.commStart, h.commEnd);
    const text = utf8(bytes, 0, n);
    this.comms.set(tid, { bytes, text });
    return text;
  }

  private scriptLine(buf: Uint8Array, end: number): void {
    const h = this.cur.head;
    const s = h.bodyStart;
    const e = h.bodyEnd;
    const id = NAMES.find(buf, h.nameStart, h.nameEnd);
    const m = this.map;
    switch (id) {
      case E['exceptions:page_fault_user']:
      case E['exceptions:page_fault_kernel']: {
        if (!field(buf, s, e, F.address) || !hex64(buf, span.start, span.end)) return m.reject('page fault: no address');
        const [hi, lo] = [u64.hi, u64.lo];
        if (!field(buf, s, e, F.error_code)) return m.reject('page fault: no error_code');
        const error = hexNumber(buf, span.start, span.end);
        if (Number.isNaN(error)) return m.reject('page fault: bad error_code');
        return m.faultEntry(hi, lo, error, id === E['exceptions:page_fault_user']);
      }
      case E['minor-faults']:
      case E['major-faults']:
        return m.accounting(id === E['major-faults']);
      case E['filemap:mm_filemap_fault']:
        return m.filemap(this.fileHit(buf, s, e));
      case E['mmap_lock:mmap_lock_start_locking']:
      case E['mmap_lock:mmap_lock_acquire_returned']:
      case E['mmap_lock:mmap_lock_released']: {
        if (!field(buf, s, e, F.mm) || !hex64(buf, span.start, span.end)) return m.reject('mmap_lock: no mm');
        const [hi, lo] = [u64.hi, u64.lo];
        const write = field(buf, s, e, F.write) ? boolWord(buf, span.start, span.end) : -1;
        if (write < 0) return m.reject('mmap_lock: no write=true|false');
        const success = field(buf, s, e, F.success) ? boolWord(buf, span.start, span.end) : 1;
        const step = id === E['mmap_lock:mmap_lock_start_locking'] ? 'start' : id === E['mmap_lock:mmap_lock_released'] ? 'released' : 'acquired';
        return m.mmapLock(step, hi, lo, write === 1, success !== 0, this.chain.lockCaller);
      }
      case E['sched:sched_process_fork']:
        if (!field(buf, s, e, F.child_pid)) return m.reject('sched_process_fork: no child_pid');
        return m.forkTracepoint(decimal(buf, span.start, span.end));
      case E['sched:sched_process_exec']:
        return m.execTracepoint(field(buf, s, e, F.filename) ? utf8(buf, span.start, span.end) : null);
      case E['sched:sched_process_exit']:
        return m.exitTracepoint(field(buf, s, e, F.group_dead) ? boolWord(buf, span.start, span.end) === 1 : null);
      case E.PERF_RECORD_MMAP2:
      case E.PERF_RECORD_MMAP: {
        const err = parseMmap(buf, s, end, this.mmap);
        return err ? m.reject(err) : m.mmapRecord(this.mmap);
      }
      case E.PERF_RECORD_FORK:
      case E.PERF_RECORD_EXIT: {
        const fork = id === E.PERF_RECORD_FORK;
        const t = parseTaskPair(buf, s, end);
        if (!t) return m.reject(`${fork ? 'FORK' : 'EXIT'}: expected (PID:TID):(PPID:PTID)`);
        return m.task(fork, t.pid, t.tid, t.ppid, t.ptid);
      }
      case E.PERF_RECORD_COMM: {
        const c = parseComm(buf, s, end);
        if (!c) return m.reject('COMM: expected NAME:PID/TID');
        return m.commRecord(c.exec, c.comm, c.pid, c.tid);
      }
      case E.PERF_RECORD_LOST:
      case E.PERF_RECORD_LOST_SAMPLES:
        return m.lost(parseLost(buf, s, end));
      default: {
        const name = latin1(buf, h.nameStart, h.nameEnd);
        const call = /^syscalls:sys_(enter|exit)_(\w+)$/.exec(name);
        if (call && ADDRESS_SPACE_CALLS.has(call[2]!)) {
          const args = parseSyscallArgs(buf, s, e, call[1] === 'enter');
          return args ? m.syscall(call[2]!, call[1] === 'enter', args) : m.reject(`${name}: cannot read its arguments`);
        }
        if (name === 'readahead:page_cache_sync_ra' || name === 'readahead:page_cache_async_ra') return m.readahead();
        return m.other(name);
      }
    }
  }

  /** `dev=MAJ:MIN ino=HEX ofs=DEC` of mm_filemap_fault, or null. */
  private fileHit(buf: Uint8Array, s: number, e: number): { major: number; minor: number; ino: number; offset: number } | null {
    if (!field(buf, s, e, F.dev)) return null;
    const [ds, de] = [span.start, span.end];
    const colon = buf.indexOf(0x3a, ds);
    if (colon < 0 || colon >= de || !field(buf, s, e, F.ino)) return null;
    const ino = hexNumber(buf, span.start, span.end);
    const offset = field(buf, s, e, F.ofs) ? decimal(buf, span.start, span.end) : 0;
    const major = decimal(buf, ds, colon);
    const minor = decimal(buf, colon + 1, de);
    if ([ino, major, minor].some(Number.isNaN)) return null;
    return { major, minor, ino, offset: Number.isNaN(offset) ? 0 : offset };
  }

  // ---- perf trace lines ----

  private traceLine(buf: Uint8Array, start: number, end: number, body: number, lineNo: number): void {
    const f = this.traceFault;
    const ok = parseTraceFault(buf, start, end, body, f);
    this.map.out.line(lineNo, ok ? f.ts : NaN, -1);
    if (ok) this.traceFaults.fault(f);
    this.map.out.endLine('perf_trace');
  }
}

/** The line's timestamp has six fraction digits (perf script without --ns). */
function microseconds(buf: Uint8Array, start: number, end: number): boolean {
  const text = latin1(buf, start, Math.min(end, start + 120));
  const m = /\s\d+\.(\d+):\s/.exec(text);
  return m !== null && m[1]!.length === 6;
}
