// A run's lock holds as a timeline in Chrome trace-event JSON, which the
// Perfetto UI and chrome://tracing open: one process per model, so the same
// trace under two protocols lies side by side; one track per thread; every
// token and chain hold a slice named by site and object (from the hold-time
// model's times); back-downs and hazards instant events on their thread,
// a hazard with its trace lines.
//
// Holds of one thread overlap without nesting (take A, take B, drop A), which
// slices on one track cannot show, so each hold is drawn up to the thread's
// next acquisition (its whole estimated hold is in args.hold_ns): one thread
// is one track. Rows stream from DuckDB in (model, thread, time) order and go
// to the output as they come. Filters (models, a process, a time window)
// keep a big run's file within what the Perfetto UI's JSON importer takes.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { DuckDBConnection } from '@duckdb/node-api';
import { UsageError } from '../../common/errors.js';
import { RunDatabase } from '../../store/run-database.js';
import { literal } from '../../store/sql.js';
import { annotations, Interner, Message, PROTO, tracePacket } from './perfetto-proto.js';

/** What to export: every model, process and time by default. */
export interface PerfettoFilter {
  readonly models?: readonly string[];
  readonly pid?: number | undefined;
  /** trace clock, nanoseconds (the ts of the run's tables), inclusive */
  readonly from?: number | undefined;
  readonly to?: number | undefined;
}

/** Above this the Perfetto UI's JSON importer gives up: the export warns. */
export const PERFETTO_JSON_LIMIT = 100e6;

export interface PerfettoSummary {
  readonly slices: number;
  readonly instants: number;
  readonly tracks: number;
  readonly bytes: number;
}

/** `json`: Chrome trace-event JSON; `proto`: Perfetto's protobuf trace (TracePacket/TrackEvent). */
export type PerfettoFormat = 'json' | 'proto';

/** The format a file name asks for: Perfetto's own extensions mean protobuf. */
export const formatOf = (file: string): PerfettoFormat => (/\.(pftrace|perfetto-trace|pb)$/i.test(file) ? 'proto' : 'json');

/** Write the timeline of the run in `runDir` to `file`, or to standard output when `file` is `-`. */
export async function writePerfetto(
  runDir: string,
  file: string,
  filter: PerfettoFilter = {},
  format: PerfettoFormat = formatOf(file),
): Promise<PerfettoSummary> {
  const db = await RunDatabase.open(runDir);
  const toStdout = file === '-';
  const out: Writable = toStdout ? process.stdout : createWriteStream(file);
  try {
    const summary = await writeEvents(db.connection, out, filter, format);
    if (!toStdout) {
      out.end();
      await once(out, 'finish');
    }
    return summary;
  } catch (e) {
    if (!toStdout) out.destroy();
    throw e;
  } finally {
    db.close();
  }
}

/** SQL conditions for `filter` on a table aliased `t` (with model, pid, ts columns). */
function where(filter: PerfettoFilter, t: string): string {
  const parts = ['TRUE'];
  if (filter.models) parts.push(`${t}.model IN (${filter.models.map(literal).join(', ')})`);
  if (filter.pid !== undefined) parts.push(`${t}.pid = ${Math.trunc(filter.pid)}`);
  if (filter.from !== undefined) parts.push(`${t}.ts >= ${Math.trunc(filter.from)}`);
  if (filter.to !== undefined) parts.push(`${t}.ts <= ${Math.trunc(filter.to)}`);
  return parts.join(' AND ');
}

/** Where the timeline goes: Chrome trace-event JSON, or Perfetto's protobuf format. */
interface Sink {
  /** a model's process, before any of its events */
  process(pos: number, name: string): Promise<void>;
  /** a thread's track, before its first event */
  thread(pos: number, tid: number, name: string): Promise<void>;
  slice(pos: number, tid: number, start: number, end: number, name: string, category: string, args: Record<string, unknown>): Promise<void>;
  instant(pos: number, tid: number, ts: number, name: string, args: Record<string, unknown>): Promise<void>;
  finish(): Promise<void>;
  readonly bytes: number;
}

/** Write to `out`, waiting when it asks to. */
function writer(out: Writable): { write(chunk: string | Buffer): Promise<void>; bytes: number } {
  const w = {
    bytes: 0,
    async write(chunk: string | Buffer): Promise<void> {
      w.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      if (!out.write(chunk)) await once(out, 'drain');
    },
  };
  return w;
}

/** Chrome trace-event JSON: times in microseconds from `t0`, names of processes and threads as metadata events at the end. */
function jsonSink(out: Writable, t0: number): Sink {
  const w = writer(out);
  const us = (ns: number) => Math.round(ns - t0) / 1000; // microseconds, nanosecond precision
  let first = true;
  const emit = (event: object) => {
    const text =
      (first
        ? '{"displayTimeUnit":"ns","otherData":{"tool":"vmreplay","clock":"trace ns minus the first hold; holds from the hold-time model, each drawn up to its thread\'s next acquisition"},"traceEvents":[\n'
        : ',\n') + JSON.stringify(event);
    first = false;
    return w.write(text);
  };
  const processes: { pos: number; name: string }[] = [];
  const threads: { pos: number; tid: number; name: string }[] = [];
  return {
    get bytes() {
      return w.bytes;
    },
    process: async (pos, name) => void processes.push({ pos, name }),
    thread: async (pos, tid, name) => void threads.push({ pos, tid, name }),
    slice: (pos, tid, start, end, name, cat, args) => emit({ name, cat, ph: 'X', ts: us(start), dur: Math.round(end - start) / 1000, pid: pos, tid, args }),
    instant: (pos, tid, ts, name, args) => emit({ name, cat: 'event', ph: 'i', s: 't', ts: us(ts), pid: pos, tid, args }),
    async finish() {
      for (const p of processes) {
        await emit({ name: 'process_name', ph: 'M', pid: p.pos, tid: 0, args: { name: p.name } });
        await emit({ name: 'process_sort_index', ph: 'M', pid: p.pos, tid: 0, args: { sort_index: p.pos } });
      }
      for (const t of threads) {
        await emit({ name: 'thread_name', ph: 'M', pid: t.pos, tid: t.tid, args: { name: t.name } });
        await emit({ name: 'thread_sort_index', ph: 'M', pid: t.pos, tid: t.tid, args: { sort_index: t.tid } });
      }
      await w.write(first ? '{"traceEvents":[]}\n' : '\n]}\n');
    },
  };
}

/** Perfetto's protobuf trace: a process track per model, a thread track under it, slices as begin and end events, in the trace's own nanoseconds. */
function protoSink(out: Writable): Sink {
  const w = writer(out);
  const SEQUENCE = 1;
  const strings = new Interner();
  let first = true;
  const packet = (ts: number | null, fill: (p: Message) => void) => {
    const p = new Message();
    if (ts !== null) p.varint(PROTO.packet.timestamp, Math.max(0, Math.round(ts)));
    p.varint(PROTO.packet.trustedPacketSequenceId, SEQUENCE);
    p.varint(PROTO.packet.sequenceFlags, first ? PROTO.incrementalStateCleared : PROTO.needsIncrementalState);
    first = false;
    fill(p);
    const interned = strings.take();
    if (interned) p.message(PROTO.packet.internedData, interned);
    return w.write(tracePacket(p));
  };
  // uuids: a model's process track is its position; a thread's track, position * 2^32 + tid (tids are 32-bit).
  const processUuid = (pos: number) => BigInt(pos);
  const threadUuid = (pos: number, tid: number) => (BigInt(pos) << 32n) | BigInt(tid >>> 0);
  const event = (pos: number, tid: number, type: number, name: string | null, category: string | null, args: Record<string, unknown>) => {
    const e = new Message().varint(PROTO.trackEvent.type, type).varint(PROTO.trackEvent.trackUuid, threadUuid(pos, tid));
    if (name !== null) e.varint(PROTO.trackEvent.nameIid, strings.iid(PROTO.interned.eventNames, name));
    if (category !== null) e.varint(PROTO.trackEvent.categoryIids, strings.iid(PROTO.interned.eventCategories, category));
    for (const a of annotations(args, strings)) e.message(PROTO.trackEvent.debugAnnotations, a);
    return e;
  };
  return {
    get bytes() {
      return w.bytes;
    },
    process: (pos, name) =>
      packet(null, (p) =>
        p.message(
          PROTO.packet.trackDescriptor,
          new Message()
            .varint(PROTO.trackDescriptor.uuid, processUuid(pos))
            .message(PROTO.trackDescriptor.process, new Message().varint(PROTO.process.pid, pos).string(PROTO.process.processName, name)),
        ),
      ),
    thread: (pos, tid, name) =>
      packet(null, (p) =>
        p.message(
          PROTO.packet.trackDescriptor,
          new Message()
            .varint(PROTO.trackDescriptor.uuid, threadUuid(pos, tid))
            .varint(PROTO.trackDescriptor.parentUuid, processUuid(pos))
            .message(
              PROTO.trackDescriptor.thread,
              new Message().varint(PROTO.thread.pid, pos).varint(PROTO.thread.tid, tid).string(PROTO.thread.threadName, name),
            ),
        ),
      ),
    async slice(pos, tid, start, end, name, cat, args) {
      await packet(start, (p) => p.message(PROTO.packet.trackEvent, event(pos, tid, PROTO.eventType.sliceBegin, name, cat, args)));
      await packet(end, (p) => p.message(PROTO.packet.trackEvent, event(pos, tid, PROTO.eventType.sliceEnd, null, null, {})));
    },
    instant: (pos, tid, ts, name, args) => packet(ts, (p) => p.message(PROTO.packet.trackEvent, event(pos, tid, PROTO.eventType.instant, name, 'event', args))),
    finish: async () => undefined,
  };
}

async function writeEvents(con: DuckDBConnection, out: Writable, filter: PerfettoFilter, format: PerfettoFormat): Promise<PerfettoSummary> {
  const models = (await con.runAndReadAll('SELECT model FROM models ORDER BY position')).getRows().map((r) => String(r[0]));
  const unknown = (filter.models ?? []).filter((m) => !models.includes(m));
  if (unknown.length) throw new UsageError(`--model: ${unknown.join(', ')} not in this run (its models: ${models.join(', ')})`);
  const t0Row = (
    await con.runAndReadAll(`SELECT min(ts) FROM (SELECT ts FROM acquisitions UNION ALL SELECT ts FROM backdowns UNION ALL SELECT ts FROM hazards)`)
  ).getRows()[0]!;
  const t0 = t0Row[0] === null ? 0 : Number(t0Row[0]);
  const comms = new Map<number, string>(
    (await con.runAndReadAll(`SELECT pid, comm FROM process_names WHERE comm IS NOT NULL`)).getRows().map((r) => [Number(r[0]), String(r[1])]),
  );
  const sink = format === 'proto' ? protoSink(out) : jsonSink(out, t0);
  for (const [i, model] of models.entries()) if (!filter.models || filter.models.includes(model)) await sink.process(i + 1, `model ${model}`);

  // Tracks: one per (model, thread), declared before the thread's first event.
  const tracks = new Set<string>();
  const track = async (pos: number, tid: number, procId: number | null): Promise<number> => {
    const key = `${pos}:${tid}`;
    if (!tracks.has(key)) {
      tracks.add(key);
      const comm = procId === null ? undefined : comms.get(procId);
      await sink.thread(pos, tid, `tid ${tid}${comm ? ` ${comm}` : ''}`);
    }
    return tid;
  };

  let slices = 0;
  const result = await con.stream(
    `SELECT m.position, a.tid, a.pid, a.ts, a.hold_ns, a."class", a."mode", a.site, coalesce(n.name, a.otype || ' ' || hex64(a.obj), 'map') AS object, a.op_id, a.reason ` +
      `FROM acquisitions a JOIN models m ON m.model = a.model LEFT JOIN object_names n ON n.obj = a.obj ` +
      `WHERE a.ts IS NOT NULL AND ${where(filter, 'a')} ORDER BY m.position, a.tid, a.ts, a.op_id, a.seq`,
  );
  // A hold waits for the thread's next acquisition, which says where to cut it.
  let pending: unknown[] | null = null;
  const flush = async (next: number | null): Promise<void> => {
    const r = pending;
    if (!r) return;
    pending = null;
    const pos = Number(r[0]);
    const tid = r[1] === null ? -1 : Number(r[1]);
    const start = Number(r[3]);
    const hold = r[4] === null ? 0 : Math.max(0, Number(r[4]));
    const end = next === null ? start + hold : Math.min(start + hold, next);
    const cls = String(r[5]);
    const mode = String(r[6]);
    const thread = await track(pos, tid, r[2] === null ? null : Number(r[2]));
    await sink.slice(pos, thread, start, end, `${r[7] ?? '?'} ${r[8]}`, `${cls},${mode}`, {
      class: cls,
      mode,
      site: r[7],
      object: r[8],
      op_id: Number(r[9]),
      reason: r[10],
      hold_ns: Math.round(hold),
    });
    slices++;
  };
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    for (const r of chunk.getRows()) {
      const p = pending as unknown[] | null;
      const sameThread = p !== null && p[0] === r[0] && p[1] === r[1];
      await flush(sameThread ? Number(r[3]) : null);
      pending = r;
    }
  }
  await flush(null);

  // Back-downs and hazards on their thread's track.
  let instants = 0;
  const instant = async (sql: string, name: (r: unknown[]) => string, args: (r: unknown[]) => Record<string, unknown>) => {
    const rows = (await con.runAndReadAll(sql)).getRows();
    for (const r of rows) {
      const pos = Number(r[0]);
      const tid = r[1] === null ? -1 : Number(r[1]);
      await sink.instant(pos, await track(pos, tid, r[2] === null ? null : Number(r[2])), Number(r[3]), name(r), args(r));
      instants++;
    }
  };
  await instant(
    `SELECT m.position, b.tid, b.pid, b.ts, b.rule, b.op_id, coalesce(n.name, b.otype || ' ' || hex64(b.obj)), b.depth FROM backdowns b JOIN models m ON m.model = b.model ` +
      `LEFT JOIN object_names n ON n.obj = b.obj WHERE b.ts IS NOT NULL AND ${where(filter, 'b')} ORDER BY m.position, b.ts, b.op_id`,
    (r) => `back-down ${r[4]}`,
    (r) => ({ rule: r[4], op_id: Number(r[5]), object: r[6], depth: r[7] === null ? null : Number(r[7]) }),
  );
  // A hazard's trace line: its fault's fault_begin (or, outside a fault, the event at its time on its thread).
  await instant(
    `WITH h AS (SELECT h.*, coalesce(f.tid, h.tid) AS line_tid, coalesce(f.ts, h.ts) AS line_ts, f.op_id IS NOT NULL AS in_fault FROM hazards h ` +
      `LEFT JOIN faults f ON f.model = h.model AND f.op_id = h.op_id WHERE h.ts IS NOT NULL AND ${where(filter, 'h')}), ` +
      `l AS (SELECT e.tid, e.ts, min(e.src_line) FILTER (WHERE e.kind = 'fault_begin') AS begin_line, min(e.src_file) FILTER (WHERE e.kind = 'fault_begin') AS begin_file, ` +
      `min(e.src_line) AS any_line, min(e.src_file) AS any_file FROM events e JOIN (SELECT DISTINCT line_tid, line_ts FROM h) w ON e.tid = w.line_tid AND e.ts = w.line_ts ` +
      `WHERE e.kind NOT IN ('context', 'unknown') GROUP BY e.tid, e.ts), ` +
      `files AS (SELECT DISTINCT file_index, path FROM ingest_stats) ` +
      `SELECT m.position, h.tid, h.pid, h.ts, h.kind, h.op_id, coalesce(n.name, h.otype || ' ' || hex64(h.obj)), h.site, h.detail, ` +
      `CASE WHEN h.in_fault THEN fb.path || ':' || l.begin_line ELSE fa.path || ':' || l.any_line END AS trace_line ` +
      `FROM h JOIN models m ON m.model = h.model LEFT JOIN object_names n ON n.obj = h.obj LEFT JOIN l ON l.tid = h.line_tid AND l.ts = h.line_ts ` +
      `LEFT JOIN files fb ON fb.file_index = l.begin_file LEFT JOIN files fa ON fa.file_index = l.any_file ORDER BY m.position, h.ts, h.op_id`,
    (r) => `hazard ${r[4]}`,
    (r) => ({ kind: r[4], op_id: Number(r[5]), object: r[6], site: r[7], detail: r[8], trace_line: r[9] }),
  );

  await sink.finish();
  return { slices, instants, tracks: tracks.size, bytes: sink.bytes };
}
