// A run's lock holds as a timeline in Chrome trace-event JSON, which the
// Perfetto UI and chrome://tracing open: one process per model, so the same
// trace under two protocols lies side by side; one track per thread; every
// token and chain hold a slice named by site and object (from the hold-time
// model's times); back-downs and hazards instant events on their thread.
//
// Holds of one thread may overlap without nesting (take A, take B, drop A),
// which trace-event slices on one track cannot show, so a hold that does not
// nest in a lane's open slices goes to the next lane (tracks named "tid N",
// "tid N #2", ...). Rows stream from DuckDB in (model, thread, time) order
// and go to the file as they come: memory holds one thread's lanes.

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { RunDatabase } from '../store/run-database.js';

export interface PerfettoSummary {
  readonly slices: number;
  readonly instants: number;
  readonly tracks: number;
}

const NAMES = `(SELECT obj, max(name) AS name FROM objects WHERE name IS NOT NULL GROUP BY obj)`;

/** Write the timeline of the run in `runDir` to `file`. */
export async function writePerfetto(runDir: string, file: string): Promise<PerfettoSummary> {
  const db = await RunDatabase.open(runDir);
  const out = createWriteStream(file);
  try {
    const summary = await writeEvents(db.connection, out);
    out.end();
    await once(out, 'finish');
    return summary;
  } catch (e) {
    out.destroy();
    throw e;
  } finally {
    db.close();
  }
}

async function writeEvents(con: DuckDBConnection, out: WriteStream): Promise<PerfettoSummary> {
  const models = (await con.runAndReadAll('SELECT model FROM models ORDER BY position')).getRows().map((r) => String(r[0]));
  const t0Row = (await con.runAndReadAll(`SELECT min(ts) FROM (SELECT ts FROM acquisitions UNION ALL SELECT ts FROM backdowns UNION ALL SELECT ts FROM hazards)`)).getRows()[0]!;
  const t0 = t0Row[0] === null ? 0 : Number(t0Row[0]);
  const comms = new Map<number, string>(
    (await con.runAndReadAll(`SELECT pid, arg_max(comm, last_ts) FROM processes WHERE comm IS NOT NULL GROUP BY pid`)).getRows().map((r) => [Number(r[0]), String(r[1])]),
  );
  const us = (ns: number) => Math.round(ns - t0) / 1000; // microseconds, nanosecond precision

  let first = true;
  const emit = async (event: object): Promise<void> => {
    const ok = out.write((first ? '' : ',\n') + JSON.stringify(event));
    first = false;
    if (!ok) await once(out, 'drain');
  };
  out.write('{"displayTimeUnit":"ns","otherData":{"tool":"vmreplay","clock":"trace ns minus the first hold; holds from the hold-time model"},"traceEvents":[\n');

  // Tracks: one per (model, thread, lane), numbered in the order they appear.
  let nextTrack = 1;
  const trackNames: { pid: number; tid: number; name: string; sort: number }[] = [];
  const firstLane = new Map<string, number>();
  const newTrack = (pid: number, thread: number, lane: number, procId: number | null): number => {
    const id = nextTrack++;
    const comm = procId === null ? undefined : comms.get(procId);
    trackNames.push({ pid, tid: id, name: `tid ${thread}${comm ? ` ${comm}` : ''}${lane > 0 ? ` #${lane + 1}` : ''}`, sort: thread * 64 + Math.min(lane, 63) });
    return id;
  };

  let slices = 0;
  const result = await con.stream(
    `SELECT m.position, a.tid, a.pid, a.ts, a.hold_ns, a."class", a."mode", a.site, coalesce(n.name, a.otype || ' ' || hex64(a.obj), 'map') AS object, a.op_id, a.reason ` +
      `FROM acquisitions a JOIN models m ON m.model = a.model LEFT JOIN ${NAMES} n ON n.obj = a.obj ` +
      `WHERE a.ts IS NOT NULL ORDER BY m.position, a.tid, a.ts, a.op_id, a.seq`,
  );
  let current = '';
  let laneEnds: number[][] = []; // per lane, the ends of its open slices, innermost last
  let laneIds: number[] = [];
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    for (const r of chunk.getRows()) {
      const pos = Number(r[0]);
      const tid = r[1] === null ? -1 : Number(r[1]);
      const key = `${pos}:${tid}`;
      if (key !== current) {
        current = key;
        laneEnds = [];
        laneIds = [];
      }
      const start = Number(r[3]);
      const hold = r[4] === null ? 0 : Math.max(0, Number(r[4]));
      const end = start + hold;
      // A lane takes the hold when it nests: every slice still open there ends no earlier.
      let lane = laneEnds.findIndex((open) => {
        while (open.length > 0 && open.at(-1)! <= start) open.pop();
        return open.length === 0 || open.at(-1)! >= end;
      });
      if (lane < 0) {
        lane = laneEnds.length;
        laneEnds.push([]);
        laneIds.push(newTrack(pos, tid, lane, r[2] === null ? null : Number(r[2])));
        if (lane === 0) firstLane.set(key, laneIds[0]!);
      }
      laneEnds[lane]!.push(end);
      const cls = String(r[5]);
      const mode = String(r[6]);
      await emit({
        name: `${r[7] ?? '?'} ${r[8]}`,
        cat: `${cls},${mode}`,
        ph: 'X',
        ts: us(start),
        dur: Math.round(hold) / 1000,
        pid: pos,
        tid: laneIds[lane],
        args: { class: cls, mode, site: r[7], object: r[8], op_id: Number(r[9]), reason: r[10] },
      });
      slices++;
    }
  }

  // Back-downs and hazards on the thread's first lane (a lane of its own when it held nothing).
  let instants = 0;
  const instant = async (sql: string, name: (r: unknown[]) => string, args: (r: unknown[]) => object) => {
    const rows = (await con.runAndReadAll(sql)).getRows();
    for (const r of rows) {
      const pos = Number(r[0]);
      const tid = r[1] === null ? -1 : Number(r[1]);
      const key = `${pos}:${tid}`;
      let track = firstLane.get(key);
      if (track === undefined) {
        track = newTrack(pos, tid, 0, r[2] === null ? null : Number(r[2]));
        firstLane.set(key, track);
      }
      await emit({ name: name(r), cat: 'event', ph: 'i', s: 't', ts: us(Number(r[3])), pid: pos, tid: track, args: args(r) });
      instants++;
    }
  };
  await instant(
    `SELECT m.position, b.tid, b.pid, b.ts, b.rule, b.op_id, coalesce(n.name, b.otype || ' ' || hex64(b.obj)), b.depth FROM backdowns b JOIN models m ON m.model = b.model ` +
      `LEFT JOIN ${NAMES} n ON n.obj = b.obj WHERE b.ts IS NOT NULL ORDER BY m.position, b.ts, b.op_id`,
    (r) => `back-down ${r[4]}`,
    (r) => ({ rule: r[4], op_id: Number(r[5]), object: r[6], depth: r[7] === null ? null : Number(r[7]) }),
  );
  await instant(
    `SELECT m.position, h.tid, h.pid, h.ts, h.kind, h.op_id, coalesce(n.name, h.otype || ' ' || hex64(h.obj)), h.site, h.detail FROM hazards h JOIN models m ON m.model = h.model ` +
      `LEFT JOIN ${NAMES} n ON n.obj = h.obj WHERE h.ts IS NOT NULL ORDER BY m.position, h.ts, h.op_id`,
    (r) => `hazard ${r[4]}`,
    (r) => ({ kind: r[4], op_id: Number(r[5]), object: r[6], site: r[7], detail: r[8] }),
  );

  // Names and order of the processes (models) and tracks.
  for (const [i, model] of models.entries()) {
    await emit({ name: 'process_name', ph: 'M', pid: i + 1, tid: 0, args: { name: `model ${model}` } });
    await emit({ name: 'process_sort_index', ph: 'M', pid: i + 1, tid: 0, args: { sort_index: i + 1 } });
  }
  for (const t of trackNames) {
    await emit({ name: 'thread_name', ph: 'M', pid: t.pid, tid: t.tid, args: { name: t.name } });
    await emit({ name: 'thread_sort_index', ph: 'M', pid: t.pid, tid: t.tid, args: { sort_index: t.sort } });
  }
  out.write('\n]}\n');
  return { slices, instants, tracks: trackNames.length };
}
