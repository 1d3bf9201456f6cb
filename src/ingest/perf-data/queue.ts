// The time-ordering queue between the tokenizer and the parser. Records are
// not in time order in perf.data (each CPU's buffer is written in turn); like
// perf, the queue holds them (in the shared record merger,
// ../common/record-merger.ts) and, at each FINISHED_ROUND, passes on in time
// order those no later than the previous round's latest (perf record
// guarantees nothing after a round goes before that). It holds the raw bytes
// of one or two rounds, not per-record objects.

import { RecordMerger } from '../common/record-merger.js';

/** Queue memory past which the older half is passed on without waiting for a round (as perf does). */
const QUEUE_LIMIT = 64 << 20;

/** Where a queued record is handed on: its bytes in `arena` at `start`, and its number in the data section. */
export type SortedRecord = (arena: Uint8Array, v: DataView, start: number, no: number) => void;

export class RecordQueue {
  private readonly held = new RecordMerger();
  private bytes = 0;
  private maxTs = -Infinity;
  private flushLimit = -Infinity;
  /** a view of the merger's arena, made again only when the arena grows */
  private view: DataView | null = null;
  private readonly emit = (arena: Uint8Array, start: number, _end: number, no: number): void => {
    if (this.view?.buffer !== arena.buffer) this.view = new DataView(arena.buffer, arena.byteOffset, arena.length);
    this.sorted(arena, this.view, start, no);
  };

  constructor(private readonly sorted: SortedRecord) {}

  /** The record buf[p, p + size), number `no`, at time `ts` (NaN: untimed, it keeps its place after the record before). */
  push(buf: Uint8Array, p: number, size: number, no: number, ts: number): void {
    const t = Number.isNaN(ts) ? this.held.lastTime : ts;
    this.held.add(buf, p, p + size, no, t);
    if (t > this.maxTs) this.maxTs = t;
    this.bytes += size;
    if (this.bytes > QUEUE_LIMIT) this.flushHalf();
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
    const sorted = this.held.heldTimes().sort();
    this.flush(sorted[sorted.length >> 1]!);
  }

  /** Hand on every queued record with time <= limit, in time order (file order among equal times). */
  private flush(limit: number): void {
    this.held.drainUpTo(limit, this.emit);
    this.bytes = this.held.bytesHeld;
  }
}
