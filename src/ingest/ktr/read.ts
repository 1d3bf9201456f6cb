// ktrdump text (DragonFly KTR): the `TSC frequency` line, header rows, and one
// row per ring entry in whatever column set ktrdump's flags chose. Rows whose
// ID is `vmtrace_<event>` carry our payload in the trace column; stock KTR
// events (tokens_*, tsleep_*, kernentry_*, ctxsw_*) become context rows, other
// masters' events unknown rows. Per-CPU blocks (no -s) are merged by time
// here, before decoding (see ../common/record-merger.ts), so the file's sorter gets rows in order.

import { isBlank, utf8 } from '../common/bytes.js';
import type { Framing, FramingContext, FramingDef } from '../framing.js';
import { KtrClock } from './clock.js';
import { type Layout, RowCells, describeLayout, inferLayout, looksLikeRow, parseHeader, splitRow } from './columns.js';
import { IdKind, IdTable } from './ids.js';
import { RecordMerger } from '../common/record-merger.js';
import { DumpShape, Order } from './shape.js';

const TSC_LINE = Buffer.from('TSC frequency is', 'latin1');
/** What a held row keeps of its cells: cpu, ID and trace spans (see hold()). */
const HELD_TAGS = 5;
/** Rows before the first header are held this long: ktrdump prints one every 20 rows unless -q. */
const HEADER_EVERY = 20;

export const ktr: FramingDef = {
  name: 'ktr',
  extensions: ['ktr'],
  description: 'DragonFly ktrdump text (any of -c -i -t -r -x -f -p -n -q -s), vmtrace_<event> IDs',
  sniff(lines) {
    const first = lines[0] ?? '';
    if (first.startsWith('TSC frequency is')) return 1;
    if (/^index\s/.test(first) && /\s(trace|ID|timestamp)\b/.test(first)) return 0.95;
    const sample = lines.filter((l) => !l.includes('\0')).slice(0, 10);
    const rows = sample.filter((l) => /^ [0-9a-f]{6} /.test(l)).length;
    return sample.length > 0 && rows >= Math.min(3, sample.length) ? 0.8 : 0;
  },
  create: (ctx) => new KtrFraming(ctx),
};

class KtrFraming implements Framing {
  private layout: Layout | null = null;
  private lastHeader: Uint8Array | null = null;
  /** rows seen before the layout is known, with their line numbers */
  private pending: { bytes: Uint8Array; lineNo: number }[] = [];
  private readonly cells = new RowCells();
  private readonly ids = new IdTable();
  private readonly clock = new KtrClock();
  private readonly shape = new DumpShape();
  /** rows of per-CPU blocks (or of a dump whose order is not known yet), held until merged */
  private readonly held = new RecordMerger(HELD_TAGS);
  private readonly heldCells = new RowCells();
  private readonly emitHeld = (buf: Uint8Array, start: number, _end: number, lineNo: number, ts: number, tags: Int32Array, at: number): void => {
    // the row was split when it came: its cells went with it, relative to its start
    const c = this.heldCells;
    c.cpu = tags[at]!;
    c.idStart = start + tags[at + 1]!;
    c.idEnd = start + tags[at + 2]!;
    c.traceStart = start + tags[at + 3]!;
    c.traceEnd = start + tags[at + 4]!;
    this.dispatch(buf, c, ts, lineNo);
  };
  private droppedTotal = 0;
  private sawTscLine = false;

  constructor(private readonly ctx: FramingContext) {}

  line(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    const { decoder } = this.ctx;
    let i = start;
    while (i < end && isBlank(buf[i]!)) i++;
    if (i === end) return decoder.framing();
    const b = buf[i]!;
    if (b === 0x54 && startsWith(buf, i, end, TSC_LINE)) return this.tscLine(buf, i + TSC_LINE.length, end, lineNo);
    if (b === 0x69) {
      // The same header comes back every 20 rows: parse it once.
      if (this.lastHeader && sameBytes(this.lastHeader, buf, i, end)) return decoder.framing();
      const header = parseHeader(buf, i, end);
      if (header) {
        this.lastHeader = buf.slice(i, end);
        this.setLayout(header);
        return decoder.framing();
      }
    }
    if (this.layout) return this.row(buf, start, end, lineNo);
    if (!looksLikeRow(buf, start, end)) return decoder.reject(lineNo, -1, 'not a ktrdump line (expected a row, a header or the TSC frequency)');
    this.pending.push({ bytes: buf.slice(start, end), lineNo });
    if (this.pending.length >= HEADER_EVERY) this.inferFromPending();
  }

  finish(): void {
    if (this.pending.length > 0) this.inferFromPending();
    this.held.drain(this.emitHeld);
    const { stats } = this.ctx;
    const order = this.shape.order;
    if (this.clock.sawMicros || this.clock.sawTickDeltas) {
      stats.note(
        order === Order.Merged
          ? 'relative timestamps (ktrdump -r -s): rebuilt by adding up the deltas of the merged log, whose first delta is from zero'
          : 'relative timestamps (ktrdump -r without -s): each CPU starts at 0 at its oldest entry, so order across CPUs is not known',
      );
    }
    if (this.clock.sawTicksWithoutFrequency) {
      stats.warn(
        this.sawTscLine
          ? 'no TSC frequency: the line says 0 MHz (an old KTR): TSC ticks were read as nanoseconds, so every time and duration is off by the TSC rate'
          : "no TSC frequency: no 'TSC frequency is N MHz' line (ktrdump prints it to stdout, never into -o FILE): TSC ticks were read as nanoseconds, so every time and duration is off by the TSC rate; dump to stdout, or put the line first",
      );
    }
    if (this.layout && !this.layout.cpu) stats.note('no cpu column (ktrdump without -c): CPU unknown (-1)');
    if (this.shape.rounds > 1) stats.note(`ktrdump -l: ${this.shape.rounds} rounds of per-CPU blocks`);
    if (this.droppedTotal > 0) {
      stats.warn(`${this.droppedTotal} KTR entries lost to ring wrap between ktrdump -l reads (gaps in the ring index): counts are undercounts`);
    }
  }

  private tscLine(buf: Uint8Array, i: number, end: number, lineNo: number): void {
    const text = Buffer.from(buf.subarray(i, end)).toString('latin1').trim();
    const m = /^(\d+)(?:\.(\d{1,3}))?\s*MHz$/.exec(text);
    if (!m) return this.ctx.decoder.reject(lineNo, -1, `bad TSC frequency line: '${text.slice(0, 40)}'`);
    const khz = Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'));
    this.clock.setFrequency(khz);
    this.sawTscLine = true;
    // A second TSC line starts another dump (ktrdump output appended to a file).
    this.held.drain(this.emitHeld);
    this.clock.newDump();
    this.shape.reset();
    this.ctx.decoder.framing();
  }

  private setLayout(layout: Layout): void {
    if (!this.layout) {
      if (!layout.id) this.ctx.stats.warn('no ID column (ktrdump without -i): only trace columns that start with the event name can be read');
      if (!layout.trace) this.ctx.stats.warn('no trace column (ktrdump without -p): vmtrace events have no keys');
      if (!layout.time) this.ctx.stats.warn('no timestamp column (ktrdump without -t or -r): events are untimed');
    }
    if (this.layout && !sameLayout(this.layout, layout)) this.held.drain(this.emitHeld); // held rows use the old columns
    this.layout = layout;
    this.replayPending();
  }

  private inferFromPending(): void {
    const layout = inferLayout(this.pending.map((p) => p.bytes));
    if (layout) {
      this.ctx.stats.note(`no header row: columns inferred from the rows (${describeLayout(layout)})`);
      return this.setLayout(layout);
    }
    for (const p of this.pending.splice(0)) {
      this.ctx.decoder.reject(p.lineNo, -1, 'cannot tell the ktrdump columns: no header row, and the rows fit no column set');
    }
  }

  private replayPending(): void {
    for (const p of this.pending.splice(0)) this.row(p.bytes, 0, p.bytes.length, p.lineNo);
  }

  private row(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    const { decoder, stats } = this.ctx;
    const layout = this.layout!;
    const c = this.cells;
    const err = splitRow(buf, start, end, layout, c);
    if (err) return decoder.reject(lineNo, -1, err);
    const cpu = c.cpu;
    const chain = this.shape.row(c.index, cpu);
    if (this.shape.gap > 0) {
      this.droppedTotal += this.shape.gap;
      stats.dropped += this.shape.gap;
      stats.cpu(cpu).dropped += this.shape.gap;
    }
    // Held rows go out merged when their blocks are complete: a merged (-s) log
    // needs no holding, a new -l round follows everything held.
    const merged = this.shape.order === Order.Merged;
    if ((merged || this.shape.roundStarted) && this.held.size > 0) this.held.drain(this.emitHeld);
    let ts = NaN;
    if (layout.time) {
      ts = this.clock.time(buf, c.timeStart, c.timeEnd, c.micros, chain, merged);
      if (Number.isNaN(ts)) return decoder.reject(lineNo, cpu, `bad timestamp '${utf8(buf, c.timeStart, c.timeEnd).slice(0, 30)}'`);
      if (!merged) return this.hold(buf, start, end, lineNo, ts, c);
    }
    this.dispatch(buf, c, ts, lineNo);
  }

  /** Keep a row for the merge, with the cells dispatch() reads. */
  private hold(buf: Uint8Array, start: number, end: number, lineNo: number, ts: number, c: RowCells): void {
    const at = this.held.add(buf, start, end, lineNo, ts);
    const tags = this.held.heldTags;
    tags[at] = c.cpu;
    tags[at + 1] = c.idStart - start;
    tags[at + 2] = c.idEnd - start;
    tags[at + 3] = c.traceStart - start;
    tags[at + 4] = c.traceEnd - start;
  }

  /** The event of a row split from buf into `c`, at time ts. */
  private dispatch(buf: Uint8Array, c: RowCells, ts: number, lineNo: number): void {
    const { decoder } = this.ctx;
    const layout = this.layout!;
    const cpu = c.cpu;
    if (!layout.id) {
      if (!startsWithName(buf, c.traceStart, c.traceEnd)) {
        return decoder.reject(lineNo, cpu, 'no event name: no ID column (ktrdump -i) and the trace does not start with one');
      }
      return decoder.payload(buf, c.traceStart, c.traceEnd, ts, cpu, lineNo);
    }
    const id = this.ids.lookup(buf, c.idStart, c.idEnd);
    switch (id.kind) {
      case IdKind.Vmtrace:
        // A trace column that names its event itself is taken at its word.
        if (startsWithName(buf, c.traceStart, c.traceEnd)) return decoder.payload(buf, c.traceStart, c.traceEnd, ts, cpu, lineNo);
        return decoder.payload(buf, c.traceStart, c.traceEnd, ts, cpu, lineNo, id.name);
      case IdKind.Stock:
        return decoder.context(id.name, utf8(buf, c.traceStart, c.traceEnd), ts, cpu, lineNo);
      case IdKind.Other:
        return decoder.unknown(id.name, utf8(buf, c.traceStart, c.traceEnd), ts, cpu, lineNo);
    }
  }
}

/** The span starts with a word that is not `key=value` (an event name). */
function startsWithName(buf: Uint8Array, s: number, e: number): boolean {
  let i = s;
  while (i < e && !isBlank(buf[i]!)) {
    if (buf[i] === 0x3d) return false;
    i++;
  }
  return i > s;
}

function sameLayout(a: Layout, b: Layout): boolean {
  return a.cpu === b.cpu && a.time === b.time && a.callers === b.callers && a.id === b.id && a.file === b.file && a.trace === b.trace;
}

function sameBytes(a: Uint8Array, buf: Uint8Array, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== buf[start + k]) return false;
  return true;
}

function startsWith(buf: Uint8Array, i: number, end: number, prefix: Uint8Array): boolean {
  if (end - i < prefix.length) return false;
  for (let k = 0; k < prefix.length; k++) if (buf[i + k] !== prefix[k]) return false;
  return true;
}
