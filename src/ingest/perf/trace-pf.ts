// `perf trace --pf=all` lines, the quick way to watch faults without perf.data:
//
//   12.110 ( 0.000 ms): bash/6514 minfault [_start+0x0] => /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2@0x1ab70 (d.)
//    0.000 ( 0.000 ms): bash/6514 minfault [elf_load+0x28a] => 0x55b8f65f4764 (?k)
//
// Each line is a whole fault (one sample at its end) with much less than a
// perf script trace: no error code (the fault type is taken as a read), no
// CPU, the thread id only, no mapping records (so no copy-on-write, fork or
// exec), and for a file-backed fault the offset in the file rather than the
// address. Files become VNODE objects named by path; anonymous memory one
// DEFAULT object per thread and region.

import { SP, TAB, isDigit, latin1, parseU64, u64, utf8 } from '../common/bytes.js';
import { type EventOut, KEY, OTYPE, WORD, inferred } from './emit.js';
import { startsWith } from './script-line.js';
import type { VmEvents } from './vm-events.js';
import { PAGE_SIZE, type VmModel, type VmObject } from './vm-model.js';

export interface TraceFault {
  /** nanoseconds since the start of perf trace */
  ts: number;
  comm: string;
  tid: number;
  major: boolean;
  /** the fault address (an absolute target or an anonymous region), else the file offset */
  vaHi: number;
  vaLo: number;
  /** the target is path@offset of a file: va holds the offset */
  fileOffset: boolean;
  /** the map perf resolved the target to (a path, //anon, [stack]), or null for a bare address */
  region: string | null;
}

const blank = (b: number | undefined): boolean => b === SP || b === TAB;
const MINFAULT = Buffer.from(' minfault [', 'latin1');
const MAJFAULT = Buffer.from(' majfault [', 'latin1');
const ARROW = Buffer.from('] => ', 'latin1');
const MS_CLOSE = Buffer.from(' ms): ', 'latin1');

/** `TIME ( DURATION ms): COMM/TID` in front of every perf trace line: its end, or -1. */
export function traceLinePrefix(buf: Uint8Array, s: number, e: number): number {
  let i = s;
  while (i < e && blank(buf[i])) i++;
  const t = i;
  while (i < e && (isDigit(buf[i]!) || buf[i] === 0x2e)) i++;
  if (i === t || buf[i] !== SP || buf[i + 1] !== 0x28) return -1;
  for (let k = i; k + MS_CLOSE.length <= e; k++) if (startsWith(buf, k, e, MS_CLOSE)) return k + MS_CLOSE.length;
  return -1;
}

/** A perf trace fault line into `out`; false when the line is another perf trace line (a syscall). */
export function parseTraceFault(buf: Uint8Array, s: number, e: number, body: number, out: TraceFault): boolean {
  let mark = -1;
  for (let k = body; k + MINFAULT.length <= e; k++) {
    if (startsWith(buf, k, e, MINFAULT) || startsWith(buf, k, e, MAJFAULT)) {
      mark = k;
      break;
    }
  }
  if (mark < 0) return false;
  let slash = mark;
  while (slash > body && buf[slash] !== 0x2f) slash--;
  if (slash <= body) return false;
  out.comm = utf8(buf, body, slash);
  out.tid = Number(latin1(buf, slash + 1, mark));
  out.major = buf[mark + 2] === 0x61; // 'a' of majfault
  let i = s;
  while (i < e && blank(buf[i])) i++;
  let j = i;
  while (j < e && !blank(buf[j])) j++;
  out.ts = Number(latin1(buf, i, j)) * 1e6;
  // => TARGET (XY)
  let arrow = -1;
  for (let k = mark; k + ARROW.length <= e; k++) {
    if (startsWith(buf, k, e, ARROW)) {
      arrow = k + ARROW.length;
      break;
    }
  }
  if (arrow < 0 || !Number.isInteger(out.tid)) return false;
  let te = e;
  while (te > arrow && buf[te - 1] !== 0x28) te--;
  te = te > arrow ? te - 1 : e;
  while (te > arrow && blank(buf[te - 1])) te--;
  const target = utf8(buf, arrow, te);
  const at = target.lastIndexOf('@0x');
  if (at < 0) {
    const text = Buffer.from(target, 'latin1');
    if (!parseU64(text, 0, text.length)) return false;
    out.region = null;
    out.fileOffset = false;
  } else {
    out.region = target.slice(0, at);
    const text = Buffer.from(target.slice(at + 1), 'latin1');
    if (!parseU64(text, 0, text.length)) return false;
    out.fileOffset = isFile(out.region);
  }
  out.vaHi = u64.hi;
  out.vaLo = u64.lo;
  return true;
}

export function newTraceFault(): TraceFault {
  return { ts: NaN, comm: '', tid: -1, major: false, vaHi: 0, vaLo: 0, fileOffset: false, region: null };
}

/** A path perf resolved to a file (not //anon, [stack], [heap], [anon:...]). */
function isFile(region: string): boolean {
  return region.startsWith('/') && !region.startsWith('//anon');
}

const INF_BEGIN = inferred('pid', 'ftype', 'fflags', 'nthreads', 'maptype', 'wired');
const INF_VA = inferred('va');
const INF_FILE_LEVEL = inferred('backing', 'shadowed', 'ref');
const INF_ANON_LEVEL = inferred('obj', 'otype', 'page', 'backing', 'shadowed', 'ref');
const INF_PAGER = inferred('pager');
const INF_END = inferred('depth', 'action');

/** Writes a perf trace fault line as fault_begin / fault_obj / fault_end. */
export class TraceFaults {
  /** anonymous objects by thread and region */
  private readonly anon = new Map<string, VmObject>();
  faults = 0;

  constructor(
    private readonly out: EventOut,
    private readonly model: VmModel,
    private readonly vm: VmEvents,
  ) {}

  fault(f: TraceFault): void {
    this.faults++;
    const file = f.region !== null && isFile(f.region) ? this.model.objects.vnodeByPath(f.region) : null;
    const obj = file ?? this.anonFor(f);
    const va = f.vaHi * 2 ** 32 + f.vaLo;
    this.vm.actor(f.tid);
    if (file) this.vm.name(file);
    this.out
      .event('fault_begin')
      .int(KEY.tid, f.tid)
      .int(KEY.pid, f.tid)
      .hex(KEY.va, f.vaHi, f.vaLo)
      .word(KEY.ftype, WORD.R)
      .int(KEY.fflags, 0x4)
      .int(KEY.nthreads, 1)
      .word(KEY.map, WORD.user)
      .word(KEY.maptype, WORD.normal)
      .int(KEY.wired, 0)
      .str(KEY.comm, f.comm)
      .inferred(INF_BEGIN | (f.fileOffset ? INF_VA : 0))
      .end();
    let found: boolean;
    if (file) {
      found = !f.major;
    } else {
      const page = Math.floor(va / PAGE_SIZE);
      found = obj.pages!.has(page);
      obj.pages!.add(page);
    }
    const pager = file !== null && f.major;
    const level = this.out
      .event('fault_obj')
      .int(KEY.tid, f.tid)
      .int(KEY.depth, 0)
      .hex(KEY.obj, obj.addr.hi, obj.addr.lo)
      .word(KEY.otype, OTYPE[obj.kind])
      .word(KEY.page, found ? WORD.valid : WORD.absent)
      .int(KEY.backing, 0)
      .int(KEY.shadowed, 0);
    if (pager) level.word(KEY.pager, WORD.has);
    level
      .int(KEY.ref, 1)
      .inferred((file ? INF_FILE_LEVEL : INF_ANON_LEVEL) | (pager ? INF_PAGER : 0))
      .end();
    this.out
      .event('fault_end')
      .int(KEY.tid, f.tid)
      .int(KEY.rc, 0)
      .int(KEY.depth, found || pager ? 0 : -1)
      .word(KEY.action, found || pager ? WORD.map : WORD.zero_fill)
      .int(KEY.io, pager ? 1 : 0)
      .inferred(INF_END)
      .end();
  }

  private anonFor(f: TraceFault): VmObject {
    const key = `${f.tid}|${f.region ?? '?'}`;
    let o = this.anon.get(key);
    if (!o) {
      o = this.model.objects.anon();
      o.entryRefs = 1;
      this.anon.set(key, o);
    }
    return o;
  }
}
