// Contention estimate: per model, replay the object token holds in time with
// reader/writer semantics (S with S compatible, X with nothing, no writer
// priority, tokens released while a thread sleeps in I/O) and find the
// acquisitions that would have found the token held in a conflicting mode by
// another thread. First-order: a wait does not delay what follows.
//
// Holds arrive per operation when it completes, so out of time order by up to
// the longest fault in flight; they wait in a heap until the watermark (the
// earliest begin of a fault still in flight) passes their start.

/** One interval a thread holds a token, and whether it starts with an acquisition. */
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
const SWEEP_EVERY = 1 << 16;

export class ContentionSimulator {
  private readonly heap: HoldSegment[] = [];
  /** per model: object -> holds that may still be active */
  private readonly active: Map<number, HoldSegment[]>[];
  private processed = 0;
  waits = 0;
  late = 0;
  private clock = -Infinity;

  constructor(
    models: number,
    private readonly onWait: (w: Wait) => void,
  ) {
    this.active = Array.from({ length: models }, () => new Map());
  }

  add(s: HoldSegment): void {
    if (s.start < this.clock) this.late++; // arrived after the watermark passed it
    heapPush(this.heap, s);
  }

  /** Process every hold that starts before `watermark`. */
  advance(watermark: number): void {
    const h = this.heap;
    while (h.length > 0 && h[0]!.start < watermark) this.process(heapPop(h));
  }

  finish(): void {
    this.advance(Infinity);
  }

  get pending(): number {
    return this.heap.length;
  }

  private process(s: HoldSegment): void {
    if (s.start > this.clock) this.clock = s.start;
    const byObj = this.active[s.model]!;
    let holds = byObj.get(s.obj);
    if (!holds) byObj.set(s.obj, (holds = []));
    let until = -Infinity;
    let holder: HoldSegment | null = null;
    let live = 0;
    for (const h of holds) {
      if (h.end <= s.start) continue; // ended: dropped below
      holds[live++] = h;
      if (h.tid !== s.tid && (h.mode === X || s.mode === X) && h.end > until) {
        until = h.end;
        holder = h;
      }
    }
    holds.length = live;
    if (holder && s.opId >= 0) {
      this.waits++;
      this.onWait({ segment: s, waitNs: until - s.start, holderTid: holder.tid, holderMode: holder.mode });
    }
    if (s.end > s.start) holds.push(s);
    if (++this.processed % SWEEP_EVERY === 0) this.sweep();
  }

  /** Forget holds that ended, so memory follows live state. */
  private sweep(): void {
    for (const byObj of this.active) {
      for (const [obj, holds] of byObj) {
        const live = holds.filter((h) => h.end > this.clock);
        if (live.length === 0) byObj.delete(obj);
        else byObj.set(obj, live);
      }
    }
  }
}

function heapPush(h: HoldSegment[], s: HoldSegment): void {
  let i = h.length;
  h.push(s);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p]!.start <= s.start) break;
    h[i] = h[p]!;
    i = p;
  }
  h[i] = s;
}

function heapPop(h: HoldSegment[]): HoldSegment {
  const top = h[0]!;
  const last = h.pop()!;
  if (h.length > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]!.start < h[l]!.start ? r : l;
      if (h[c]!.start >= last.start) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
  return top;
}
