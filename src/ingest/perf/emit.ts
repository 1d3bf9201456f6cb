// Writes the canonical events the perf reader derives from Linux records. Each
// event's keys and values are written as bytes into a scratch buffer and handed
// to the shared decoder, so they are validated like any trace's. Line
// accounting: the first event a line yields counts the line; every further
// event of that line is a derived row, which the decoder counts apart. Events
// carry their line's time and CPU, so rows leave in the trace's own order.

import type { EventDecoder } from '../common/decoder.js';
import { Escape, FieldList } from '../common/fields.js';
import { inferredBit, inferredKeys } from '../../events/rules.js';
import { widen } from '../../columns/typed.js';

const latin = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** Key names as bytes, written in front of each value. */
export const KEY = {
  tid: latin('tid'),
  pid: latin('pid'),
  va: latin('va'),
  ftype: latin('ftype'),
  fflags: latin('fflags'),
  nthreads: latin('nthreads'),
  map: latin('map'),
  maptype: latin('maptype'),
  wired: latin('wired'),
  comm: latin('comm'),
  depth: latin('depth'),
  obj: latin('obj'),
  otype: latin('otype'),
  page: latin('page'),
  backing: latin('backing'),
  shadowed: latin('shadowed'),
  pager: latin('pager'),
  ref: latin('ref'),
  rc: latin('rc'),
  action: latin('action'),
  io: latin('io'),
  io_ns: latin('io_ns'),
  op: latin('op'),
  mode: latin('mode'),
  site: latin('site'),
  class: latin('class'),
  delta: latin('delta'),
  source: latin('source'),
  stype: latin('stype'),
  btype: latin('btype'),
  bbobj: latin('bbobj'),
  bbtype: latin('bbtype'),
  case: latin('case'),
  name: latin('name'),
  child: latin('child'),
  path: latin('path'),
  inferred: latin('inferred'),
  mm: latin('mm'),
  error: latin('error'),
  vma: latin('vma'),
  vma_kind: latin('vma_kind'),
  facts: latin('facts'),
  obs_mm: latin('obs_mm'),
  dur_ns: latin('dur_ns'),
} as const;
export type Key = (typeof KEY)[keyof typeof KEY];

/** Bare-word values as bytes. */
export const WORD = {
  R: latin('R'),
  W: latin('W'),
  X: latin('X'),
  user: latin('user'),
  kernel: latin('kernel'),
  normal: latin('normal'),
  valid: latin('valid'),
  absent: latin('absent'),
  has: latin('has'),
  map: latin('map'),
  cow_copy: latin('cow_copy'),
  zero_fill: latin('zero_fill'),
  readonly: latin('readonly'),
  acq: latin('acq'),
  rel: latin('rel'),
  try_fail: latin('try_fail'),
  wait_beg: latin('wait_beg'),
  S: latin('S'),
  collapse: latin('collapse'),
} as const;

/** Object types by the ObjType label, as bytes. */
export const OTYPE = {
  default: latin('default'),
  swap: latin('swap'),
  vnode: latin('vnode'),
  device: latin('device'),
} as const;

export type CanonicalName =
  | 'fault_begin'
  | 'fault_obj'
  | 'fault_end'
  | 'obj_lock'
  | 'obj_ref'
  | 'obj_shadow'
  | 'map_split'
  | 'obj_collapse'
  | 'obj_name'
  | 'exec_page'
  | 'proc_fork'
  | 'proc_exec'
  | 'proc_exit'
  | 'lx_fault';

/** Bit set of inferred keys, from their names (INFERABLE_KEYS). */
export function inferred(...keys: string[]): number {
  let bits = 0;
  for (const k of keys) {
    const b = inferredBit(k);
    if (!b) throw new Error(`not an inferable key: ${k}`);
    bits |= b;
  }
  return bits >>> 0;
}

export class EventOut {
  private buf = new Uint8Array(1024);
  private len = 0;
  private readonly fields = new FieldList();
  private readonly inferredText = new Map<number, Uint8Array>();
  private name: CanonicalName = 'fault_begin';
  private lineNo = 0;
  private lineTs = NaN;
  private lineCpu = -1;
  private lineCounted = false;

  constructor(private readonly decoder: EventDecoder) {}

  /** A new input line: the next own event counts it. */
  line(lineNo: number, ts: number, cpu: number): void {
    this.lineNo = lineNo;
    this.lineTs = ts;
    this.lineCpu = cpu;
    this.lineCounted = false;
  }

  /** Start an event of the current line. */
  event(name: CanonicalName): this {
    this.name = name;
    this.len = 0;
    this.fields.reset(this.buf);
    return this;
  }

  int(key: Key, v: number): this {
    const s = this.key(key);
    this.room(24);
    let n = Math.trunc(v);
    if (n < 0) {
      this.buf[this.len++] = 0x2d;
      n = -n;
    }
    let width = 1;
    for (let p = 10; p <= n; p *= 10) width++;
    for (let k = this.len + width - 1; k >= this.len; k--) {
      this.buf[k] = 0x30 + (n % 10);
      n = Math.floor(n / 10);
    }
    this.len += width;
    return this.value(key, s, false);
  }

  /** A 64-bit value given as two u32 halves, written in hex. */
  hex(key: Key, hi: number, lo: number): this {
    const s = this.key(key);
    this.room(20);
    this.buf[this.len++] = 0x30;
    this.buf[this.len++] = 0x78;
    if (hi !== 0) this.hexDigits(hi >>> 0, false);
    this.hexDigits(lo >>> 0, hi !== 0);
    return this.value(key, s, false);
  }

  word(key: Key, word: Uint8Array): this {
    const s = this.key(key);
    this.room(word.length);
    for (let k = 0; k < word.length; k++) this.buf[this.len + k] = word[k]!;
    this.len += word.length;
    return this.value(key, s, false);
  }

  /** A string value (path, command name): written as its UTF-8 bytes, no escapes needed in a span. */
  str(key: Key, text: string): this {
    const s = this.key(key);
    this.room(text.length * 3);
    this.len += Buffer.from(this.buf.buffer, this.buf.byteOffset).write(text, this.len, 'utf8');
    return this.value(key, s, true);
  }

  /** The `inferred` key, when any bit is set. */
  inferred(bits: number): this {
    if (bits === 0) return this;
    let text = this.inferredText.get(bits);
    if (!text) {
      text = latin(inferredKeys(bits).join(','));
      this.inferredText.set(bits, text);
    }
    return this.word(KEY.inferred, text);
  }

  end(): void {
    this.fields.buf = this.buf;
    if (!this.lineCounted) {
      this.lineCounted = true;
      this.decoder.structured(this.name, this.fields, this.lineTs, this.lineCpu, this.lineNo);
    } else {
      this.decoder.derived(this.name, this.fields, this.lineTs, this.lineCpu, this.lineNo);
    }
  }

  /**
   * End of the line: one that yielded no event is kept as a context row named
   * `context` (an observation with no vocabulary event), or counted as framing
   * when `context` is null.
   */
  endLine(context: string | null): void {
    if (this.lineCounted) return;
    this.lineCounted = true;
    if (context === null) this.decoder.framing();
    else this.decoder.context(context, '', this.lineTs, this.lineCpu, this.lineNo);
  }

  private key(key: Key): number {
    this.room(key.length);
    const s = this.len;
    for (let k = 0; k < key.length; k++) this.buf[s + k] = key[k]!;
    this.len += key.length;
    return s;
  }

  /** Record the field whose key starts at `keyStart` and whose value ends here. */
  private value(key: Key, keyStart: number, quoted: boolean): this {
    const ke = keyStart + key.length;
    this.fields.add(keyStart, ke, ke, this.len, quoted, Escape.None);
    return this;
  }

  private hexDigits(v: number, pad: boolean): void {
    let started = pad;
    for (let shift = 28; shift >= 0; shift -= 4) {
      const d = (v >>> shift) & 0xf;
      if (!started && d === 0 && shift > 0) continue;
      started = true;
      this.buf[this.len++] = d < 10 ? 0x30 + d : 0x57 + d;
    }
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    this.buf = widen(this.buf, Math.max(this.buf.length * 2, this.len + n + 64));
    this.fields.buf = this.buf;
  }
}
