// The time-ordering queue between the tokenizer and the parser. Records are
// not in time order in perf.data (each CPU's buffer is written in turn); like
// perf, the queue holds them and, at each FINISHED_ROUND, passes on in time
// order those no later than the previous round's latest (perf record
// guarantees nothing after a round goes before that). It holds the raw bytes
// of one or two rounds, not per-record objects.

import { widen } from '../../columns/typed.js';

/** Queue memory past which the older half is passed on without waiting for a round (as perf does). */
const QUEUE_LIMIT = 64 << 20;

/** Where a queued record is handed on: its bytes in `arena` at `start`, and its number in the data section. */
export type SortedRecord = (arena: Uint8Array, v: DataView, start: number, no: number) => void;

export class RecordQueue {
  /** raw record bytes, and per record its start, number and time */
  private arena = new Uint8Array(1 << 20);
  private used = 0;
  private starts: number[] = [];
  private numbers: number[] = [];
  private times: number[] = [];
  private maxTs = -Infinity;
  private flushLimit = -Infinity;

  constructor(private readonly sorted: SortedRecord) {}

  /** The record buf[p, p + size), number `no`, at time `ts` (NaN: untimed, it keeps its place after the record before). */
  push(buf: Uint8Array, p: number, size: number, no: number, ts: number): void {
    if (this.used + size > this.arena.length) this.arena = widen(this.arena, Math.max(this.arena.length * 2, this.used + size));
    this.arena.set(buf.subarray(p, p + size), this.used);
    this.starts.push(this.used);
    this.numbers.push(no);
    // untimed records keep their place: they take the time of the record before
    const t = Number.isNaN(ts) ? (this.times.length ? this.times[this.times.length - 1]! : 0) : ts;
    this.times.push(t);
    if (t > this.maxTs) this.maxTs = t;
    this.used += size;
    if (this.used > QUEUE_LIMIT) this.flushHalf();
  }

  /** FINISHED_ROUND: what is no later than the last round's latest time can go. */
  round(): void {
    this.flush(this.flushLimit);
    this.flushLimit = this.maxTs;
  }

  /** The end of the records: everything goes. */
  finish(): void {
    this.flush(Infinity);
  }

  private flushHalf(): void {
    const sorted = [...this.times].sort((a, b) => a - b);
    this.flush(sorted[sorted.length >> 1]!);
  }

  /** Hand on every queued record with time <= limit, in time order (file order among equal times). */
  private flush(limit: number): void {
    const n = this.starts.length;
    if (n === 0) return;
    const go: number[] = [];
    const keep: number[] = [];
    for (let k = 0; k < n; k++) (this.times[k]! <= limit ? go : keep).push(k);
    if (go.length === 0) return;
    go.sort((a, b) => this.times[a]! - this.times[b]! || a - b);
    const v = new DataView(this.arena.buffer, this.arena.byteOffset, this.used);
    for (const k of go) this.sorted(this.arena, v, this.starts[k]!, this.numbers[k]!);
    // keep the rest, moved to the front of the arena (records only move towards it, in order)
    let used = 0;
    const starts: number[] = [];
    const numbers: number[] = [];
    const times: number[] = [];
    for (const k of keep) {
      const s = this.starts[k]!;
      const size = v.getUint16(s + 6, true);
      this.arena.copyWithin(used, s, s + size);
      starts.push(used);
      numbers.push(this.numbers[k]!);
      times.push(this.times[k]!);
      used += size;
    }
    this.used = used;
    this.starts = starts;
    this.numbers = numbers;
    this.times = times;
  }
}
