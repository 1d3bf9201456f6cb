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
import { UsageError } from '../common/errors.js';
import { RunDatabase } from '../store/run-database.js';
import { literal } from '../store/sql.js';

/** What to export: every model, process and time by default. */
export interface PerfettoFilter {
  readonly models?: readonly string[];
  readonly pid?: number;
  /** trace clock, nanoseconds (the ts of the run's tables), inclusive */
  readonly from?: number;
  readonly to?: number;
}

/** Above this the Perfetto UI's JSON importer gives up: the export warns. */
export const PERFETTO_JSON_LIMIT = 100e6;

export interface PerfettoSummary {
  readonly slices: number;
  readonly instants: number;
  readonly tracks: number;
  readonly bytes: number;
}

const NAMES = `(SELECT obj, max(name) AS name FROM objects WHERE name IS NOT NULL GROUP BY obj)`;

/** Write the timeline of the run in `runDir` to `file`, or to standard output when `file` is `-`. */
export async function writePerfetto(runDir: string, file: string, filter: PerfettoFilter = {}): Promise<PerfettoSummary> {
  const db = await RunDatabase.open(runDir);
  const toStdout = file === '-';
  const out: Writable = toStdout ? process.stdout : createWriteStream(file);
  try {
    const summary = await writeEvents(db.connection, out, filter);
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

async function writeEvents(con: DuckDBConnection, out: Writable, filter: PerfettoFilter): Promise<PerfettoSummary> {
  const models = (await con.runAndReadAll('SELECT model FROM models ORDER BY position')).getRows().map((r) => String(r[0]));
  const unknown = (filter.models ?? []).filter((m) => !models.includes(m));
  if (unknown.length) throw new UsageError(`--model: ${unknown.join(', ')} not in this run (its models: ${models.join(', ')})`);
  const t0Row = (await con.runAndReadAll(`SELECT min(ts) FROM (SELECT ts FROM acquisitions UNION ALL SELECT ts FROM backdowns UNION ALL SELECT ts FROM hazards)`)).getRows()[0]!;
  const t0 = t0Row[0] === null ? 0 : Number(t0Row[0]);
  const comms = new Map<number, string>(
    (await con.runAndReadAll(`SELECT pid, arg_max(comm, last_ts) FROM processes WHERE comm IS NOT NULL GROUP BY pid`)).getRows().map((r) => [Number(r[0]), String(r[1])]),
  );
  const us = (ns: number) => Math.round(ns - t0) / 1000; // microseconds, nanosecond precision

  let first = true;
  let bytes = 0;
  const emit = async (event: object): Promise<void> => {
    const text = (first ? '' : ',\n') + JSON.stringify(event);
    bytes += Buffer.byteLength(text);
    const ok = out.write(text);
    first = false;
    if (!ok) await once(out, 'drain');
  };
  const opening = '{"displayTimeUnit":"ns","otherData":{"tool":"vmreplay","clock":"trace ns minus the first hold; holds from the hold-time model, each drawn up to its thread\'s next acquisition"},"traceEvents":[\n';
  bytes += opening.length;
  out.write(opening);

  // Tracks: one per (model, thread).
  const tracks = new Map<string, { pid: number; tid: number; name: string }>();
  const track = (pos: number, tid: number, procId: number | null): number => {
    const key = `${pos}:${tid}`;
    if (!tracks.has(key)) {
      const comm = procId === null ? undefined : comms.get(procId);
      tracks.set(key, { pid: pos, tid, name: `tid ${tid}${comm ? ` ${comm}` : ''}` });
    }
    return tid;
  };

  let slices = 0;
  const result = await con.stream(
    `SELECT m.position, a.tid, a.pid, a.ts, a.hold_ns, a."class", a."mode", a.site, coalesce(n.name, a.otype || ' ' || hex64(a.obj), 'map') AS object, a.op_id, a.reason ` +
      `FROM acquisitions a JOIN models m ON m.model = a.model LEFT JOIN ${NAMES} n ON n.obj = a.obj ` +
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
    await emit({
      name: `${r[7] ?? '?'} ${r[8]}`,
      cat: `${cls},${mode}`,
      ph: 'X',
      ts: us(start),
      dur: Math.round(end - start) / 1000,
      pid: pos,
      tid: track(pos, tid, r[2] === null ? null : Number(r[2])),
      args: { class: cls, mode, site: r[7], object: r[8], op_id: Number(r[9]), reason: r[10], hold_ns: Math.round(hold) },
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
  const instant = async (sql: string, name: (r: unknown[]) => string, args: (r: unknown[]) => object) => {
    const rows = (await con.runAndReadAll(sql)).getRows();
    for (const r of rows) {
      const pos = Number(r[0]);
      const tid = r[1] === null ? -1 : Number(r[1]);
      await emit({ name: name(r), cat: 'event', ph: 'i', s: 't', ts: us(Number(r[3])), pid: pos, tid: track(pos, tid, r[2] === null ? null : Number(r[2])), args: args(r) });
      instants++;
    }
  };
  await instant(
    `SELECT m.position, b.tid, b.pid, b.ts, b.rule, b.op_id, coalesce(n.name, b.otype || ' ' || hex64(b.obj)), b.depth FROM backdowns b JOIN models m ON m.model = b.model ` +
      `LEFT JOIN ${NAMES} n ON n.obj = b.obj WHERE b.ts IS NOT NULL AND ${where(filter, 'b')} ORDER BY m.position, b.ts, b.op_id`,
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
      `FROM h JOIN models m ON m.model = h.model LEFT JOIN ${NAMES} n ON n.obj = h.obj LEFT JOIN l ON l.tid = h.line_tid AND l.ts = h.line_ts ` +
      `LEFT JOIN files fb ON fb.file_index = l.begin_file LEFT JOIN files fa ON fa.file_index = l.any_file ORDER BY m.position, h.ts, h.op_id`,
    (r) => `hazard ${r[4]}`,
    (r) => ({ kind: r[4], op_id: Number(r[5]), object: r[6], site: r[7], detail: r[8], trace_line: r[9] }),
  );

  // Names and order of the processes (models) and tracks.
  for (const [i, model] of models.entries()) {
    if (filter.models && !filter.models.includes(model)) continue;
    await emit({ name: 'process_name', ph: 'M', pid: i + 1, tid: 0, args: { name: `model ${model}` } });
    await emit({ name: 'process_sort_index', ph: 'M', pid: i + 1, tid: 0, args: { sort_index: i + 1 } });
  }
  for (const t of tracks.values()) {
    await emit({ name: 'thread_name', ph: 'M', pid: t.pid, tid: t.tid, args: { name: t.name } });
    await emit({ name: 'thread_sort_index', ph: 'M', pid: t.pid, tid: t.tid, args: { sort_index: t.tid } });
  }
  const closing = '\n]}\n';
  bytes += closing.length;
  out.write(closing);
  return { slices, instants, tracks: tracks.size, bytes };
}
