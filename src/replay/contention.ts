// Contention estimate: per model, replay the object token holds in time with
// reader/writer semantics (S with S compatible, X with nothing, no writer
// priority, tokens released while a thread sleeps in I/O) and find the
// acquisitions that would have found the token held in a conflicting mode by
// another thread. First-order: a wait does not delay what follows.
//
// Holds arrive per operation when it completes, so out of time order by up to
// the longest fault in flight; they wait in a heap until the watermark (the
// earliest begin of a fault still in flight) passes their start. Holds live in
// typed-array slots (no object per hold): a heap of slots by start time, and
// per model and object a linked list of the holds that may still be active.

import { widen } from '../columns/typed.js';

/** A hold as reported with a wait. */
export interface HoldSegment {
  model: number;
  start: number;
  end: number;
  obj: number;
  otype: number;
  /** LockMode code */
  mode: number;
  tid: number;
  pid: number;
  /** the acquisition's operation, or -1 for a re-take after an I/O sleep */
  opId: number;
  seq: number;
  site: number;
}

export interface Wait {
  segment: HoldSegment;
  waitNs: number;
  holderTid: number;
  holderMode: number;
}

const X = 1;
const NONE = -1;

export class ContentionSimulator {
  private cap = 4096;
  private start = new Float64Array(this.cap);
  private end = new Float64Array(this.cap);
  private opId = new Float64Array(this.cap);
  private int = new Int32Array(this.cap * 8); // model, obj, otype, mode, tid, pid, seq, site
  private next = new Int32Array(this.cap); // free list, and the active lists
  private free = NONE;
  private used = 0;
  private heap = new Int32Array(this.cap);
  private heapSize = 0;
  /** per model: object -> first slot of its active holds */
  private readonly active: Map<number, number>[];
  private clock = -Infinity;
  private readonly wait: Wait = { segment: blank(), waitNs: 0, holderTid: 0, holderMode: 0 };
  waits = 0;
  late = 0;

  constructor(
    models: number,
    private readonly onWait: (w: Wait) => void,
  ) {
    this.active = Array.from({ length: models }, () => new Map());
  }

  get pending(): number {
    return this.heapSize;
  }

  /** A hold [start, end) of obj's token; opId -1 for a re-take after an I/O sleep (not an acquisition). */
  add(
    model: number,
    start: number,
    end: number,
    obj: number,
    otype: number,
    mode: number,
    tid: number,
    pid: number,
    opId: number,
    seq: number,
    site: number,
  ): void {
    if (start < this.clock) this.late++; // arrived after the watermark passed it
    const k = this.alloc();
    this.start[k] = start;
    this.end[k] = end;
    this.opId[k] = opId;
    const o = k * 8;
    const a = this.int;
    a[o] = model;
    a[o + 1] = obj;
    a[o + 2] = otype;
    a[o + 3] = mode;
    a[o + 4] = tid;
    a[o + 5] = pid;
    a[o + 6] = seq;
    a[o + 7] = site;
    this.push(k);
  }

  /** Process every hold that starts before `watermark`. */
  advance(watermark: number): void {
    while (this.heapSize > 0 && this.start[this.heap[0]!]! < watermark) this.process(this.pop());
  }

  finish(): void {
    this.advance(Infinity);
  }

  private process(k: number): void {
    const t = this.start[k]!;
    if (t > this.clock) this.clock = t;
    const a = this.int;
    const model = a[k * 8]!;
    const obj = a[k * 8 + 1]!;
    const mode = a[k * 8 + 3]!;
    const tid = a[k * 8 + 4]!;
    const lists = this.active[model]!;
    let until = -Infinity;
    let holder = NONE;
    // Walk the object's holds, unlinking those that ended before t.
    let prev = NONE;
    const first = lists.get(obj) ?? NONE;
    let h = first;
    let head = h;
    while (h !== NONE) {
      const after = this.next[h]!;
      if (this.end[h]! <= t) {
        if (prev === NONE) head = after;
        else this.next[prev] = after;
        this.release(h);
      } else {
        if (a[h * 8 + 4] !== tid && (a[h * 8 + 3] === X || mode === X) && this.end[h]! > until) {
          until = this.end[h]!;
          holder = h;
        }
        prev = h;
      }
      h = after;
    }
    if (holder !== NONE && this.opId[k]! >= 0) {
      this.waits++;
      this.report(k, until - t, holder);
    }
    if (this.end[k]! > t) {
      this.next[k] = head;
      head = k;
    } else this.release(k);
    if (head === first) return;
    if (head === NONE) lists.delete(obj);
    else lists.set(obj, head);
  }

  private report(k: number, waitNs: number, holder: number): void {
    const a = this.int;
    const s = this.wait.segment;
    const o = k * 8;
    s.model = a[o]!;
    s.obj = a[o + 1]!;
    s.otype = a[o + 2]!;
    s.mode = a[o + 3]!;
    s.tid = a[o + 4]!;
    s.pid = a[o + 5]!;
    s.seq = a[o + 6]!;
    s.site = a[o + 7]!;
    s.start = this.start[k]!;
    s.end = this.end[k]!;
    s.opId = this.opId[k]!;
    this.wait.waitNs = waitNs;
    this.wait.holderTid = a[holder * 8 + 4]!;
    this.wait.holderMode = a[holder * 8 + 3]!;
    this.onWait(this.wait);
  }

  private alloc(): number {
    if (this.free !== NONE) {
      const k = this.free;
      this.free = this.next[k]!;
      return k;
    }
    if (this.used === this.cap) this.grow();
    return this.used++;
  }

  private release(k: number): void {
    this.next[k] = this.free;
    this.free = k;
  }

  private grow(): void {
    const cap = this.cap * 2;
    this.start = widen(this.start, cap);
    this.end = widen(this.end, cap);
    this.opId = widen(this.opId, cap);
    this.int = widen(this.int, cap * 8);
    this.next = widen(this.next, cap);
    this.heap = widen(this.heap, cap);
    this.cap = cap;
  }

  private push(k: number): void {
    const h = this.heap;
    const key = this.start[k]!;
    let i = this.heapSize++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.start[h[p]!]! <= key) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = k;
  }

  private pop(): number {
    const h = this.heap;
    const top = h[0]!;
    const last = h[--this.heapSize]!;
    if (this.heapSize > 0) {
      const key = this.start[last]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= this.heapSize) break;
        const r = l + 1;
        const c = r < this.heapSize && this.start[h[r]!]! < this.start[h[l]!]! ? r : l;
        if (this.start[h[c]!]! >= key) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

function blank(): HoldSegment {
  return { model: 0, start: 0, end: 0, obj: 0, otype: 0, mode: 0, tid: 0, pid: 0, opId: 0, seq: 0, site: 0 };
}
