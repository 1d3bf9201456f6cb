// A trace split into two files replays to the same tables as the whole: the
// files are merged by time before the engine sees them, and model state
// (faults in flight, objects, processes) carries across the cut. Only where
// each event came from (src_file, src_line) and the per-file ingest tables
// differ, and the objects table, listed in the order the merged reads first
// met each address, is compared as a set. This is what lets a capture be
// written in pieces (rotated files, per-CPU dumps) and still be replayed as
// one trace. And an output that is done with each batch at write() (the
// store) gets the same rows while the replay refills its row batches.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { rowsOf, type Row } from '../../src/columns/rows.js';
import { Dictionaries } from '../../src/columns/dictionaries.js';
import { main } from '../../src/cli.js';
import { MODELS } from '../../src/models/index.js';
import { MemoryOutput } from './memory-output.js';
import { replayTraces } from '../../src/replay/run.js';
import { capture, content } from '../helpers.js';
import { resolveReplayOptions } from '../../src/replay/options.js';

async function replay(paths: string[]) {
  const out = new MemoryOutput();
  const dicts = new Dictionaries();
  const run = await replayTraces(paths, resolveReplayOptions({ models: MODELS }), out, dicts);
  const table = (name: string): Row[] => out.batches(name).flatMap((b) => rowsOf(b, dicts));
  return { run, out, table };
}

/** Rows compared one by one, reporting the first that differs (t.same on 10^5 rows is slow). */
function sameRows(t: Test, got: Row[], want: Row[], what: string): void {
  const i = want.findIndex((row, k) => JSON.stringify(row) !== JSON.stringify(got[k]));
  if (i < 0 && got.length === want.length) t.pass(`${what}: ${want.length} rows`);
  else t.fail(`${what}: ${got.length} rows for ${want.length}, first difference at row ${i}`, { got: got[i], want: want[i] });
}

const byObject = (rows: Row[]) => [...rows].sort((x, y) => String(x.obj).localeCompare(String(y.obj)));

for (const format of ['dtrace', 'ktr'] as const) {
  t.test(`a ${format} trace cut in two files gives the tables of the whole`, async (t) => {
    const dir = t.testdir();
    const whole = join(dir, `whole.${format}`);
    const synth = await capture(() => main(['synth', 'forkexec', '--cpus', '4', '--events', '10000', '--seed', '3', '-o', whole]));
    t.equal(synth.code, 0, synth.stderr);
    const text = readFileSync(whole, 'utf8');
    const lines = text.split('\n');
    // cut in the middle of the trace, where faults are in flight on every CPU
    const cut = Math.floor(lines.length / 2);
    const first = join(dir, `part1.${format}`);
    const second = join(dir, `part2.${format}`);
    writeFileSync(first, lines.slice(0, cut).join('\n') + '\n');
    // a ktr dump starts with its clock header (TSC frequency, column titles), as the second file would
    const header = format === 'ktr' ? lines.slice(0, 2) : [];
    writeFileSync(second, [...header, ...lines.slice(cut)].join('\n'));

    const a = await replay([whole]);
    const b = await replay([first, second]);
    t.equal(b.run.events, a.run.events, 'every event read');
    t.ok(a.run.faultsReplayed > 1000, `a real workload (${a.run.faultsReplayed} faults)`);
    t.equal(b.run.faultsReplayed, a.run.faultsReplayed, 'faults across the cut are still whole');
    t.same(b.run.models, a.run.models, 'per-model totals');
    sameRows(t, content(b.table('events')), content(a.table('events')), 'events, but for where each came from');
    sameRows(t, byObject(b.table('objects')), byObject(a.table('objects')), 'objects');
    // per-file tables (ingest_stats, ingest_notes: those with a file_index) differ by design
    const perFile = (name: string) => a.out.batches(name)[0]?.spec.columns.some((c) => c.name === 'file_index') ?? false;
    for (const name of [...a.out.tables.keys()].filter((n) => !['events', 'objects'].includes(n) && !perFile(n))) {
      sameRows(t, b.table(name), a.table(name), name);
    }
    const files = b.table('ingest_stats').filter((r) => r.cpu === -1);
    t.equal(files.length, 2, 'ingest_stats has a row per file');
    t.equal(
      files.reduce((n, r) => n + Number(r.events), 0),
      a.table('ingest_stats').find((r) => r.cpu === -1)!.events,
      'whose events add up to the whole',
    );
  });
}

t.test('an output that releases its batches gets the same rows while the batches are refilled', async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'trace.dtrace');
  t.equal((await capture(() => main(['synth', 'forkexec', '--cpus', '4', '--events', '60000', '--seed', '5', '-o', path]))).code, 0);
  const kept = await replay([path]);
  // rows are taken out at write(), as the store does, so the replay may refill every batch after it
  const dicts = new Dictionaries();
  const rows = new Map<string, Row[]>();
  const batches = new Set<object>();
  const releasing = {
    releasesBatches: true,
    write(spec: { name: string }, batch: Parameters<typeof rowsOf>[0]) {
      batches.add(batch);
      const list = rows.get(spec.name) ?? [];
      for (const r of rowsOf(batch, dicts)) list.push(r);
      rows.set(spec.name, list);
    },
    async flush() {},
  };
  const run = await replayTraces([path], resolveReplayOptions({ models: MODELS }), releasing, dicts);
  t.equal(run.events, kept.run.events);
  const written = [...kept.out.tables.values()].reduce((n, list) => n + list.length, 0);
  t.ok(batches.size < written / 2, `batches were reused (${batches.size} distinct for ${written} written)`);
  for (const name of kept.out.tables.keys()) sameRows(t, rows.get(name) ?? [], kept.table(name), name);
});
