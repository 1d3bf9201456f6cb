// openRun on a dataset (`vmreplay replay --dataset ... -o DIR`): its database
// with every table and view across the traces and a `trace` column, the
// savings against traces charted from one query (as docs/api.md shows), and
// one trace opened as a run of its own.

import { copyFileSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { chartBundle, openRun, UsageError } from '../../src/api/index.js';
import { main } from '../../src/cli.js';
import { capture, fixture } from '../helpers.js';

const dir = t.testdir();
const DS = join(dir, 'ds');
t.before(async () => {
  const traces = join(dir, 'traces');
  mkdirSync(traces);
  copyFileSync(fixture('basic.ktr'), join(traces, 'cpu4.ktr'));
  copyFileSync(fixture('basic-s.ktr'), join(traces, 'cpu2.ktr'));
  const r = await capture(() => main(['replay', '--dataset', traces, '-o', DS, '--models', 'old,new']));
  if (r.code !== 0) throw new Error(r.stderr);
});

t.test('openRun on a dataset: every table and view across traces, with a trace column', async (t) => {
  const run = await openRun(DS);
  t.teardown(() => run.close());
  t.ok(run.isDataset);
  t.same(run.traces, ['cpu2', 'cpu4'], "the dataset's traces, in natural order");
  t.same(run.models, ['old', 'new']);
  t.equal(run.baseline, 'old');
  const names = await run.names();
  for (const n of ['acquisitions', 'faults', 'events', 'summary', 'saved_by_site', 'traces', 'models']) t.ok(names.includes(n), n);
  t.notOk(names.includes('saved_over_time'), 'the views over time are per trace');
  for (const table of ['acquisitions', 'faults', 'events', 'objects', 'summary', 'saved_by_site', 'backdowns_by_reason']) {
    const [row] = await run.rows(`SELECT list(DISTINCT trace ORDER BY trace) AS traces FROM ${table}`);
    t.same(row!.traces, ['cpu2', 'cpu4'], `${table} has a trace column`);
  }

  // The query docs/api.md charts: savings against traces, one bar per trace and model.
  const rows = await run.rows(`SELECT trace, model, saved_x_pct FROM summary WHERE NOT baseline ORDER BY trace, model`);
  t.same(
    rows.map((r) => [r.trace, r.model]),
    [
      ['cpu2', 'new'],
      ['cpu4', 'new'],
    ],
  );
  t.equal(rows.find((r) => r.trace === 'cpu4')!.saved_x_pct, 58.06, 'the basic fixture saves 18 of 31');
  const bundle = await chartBundle({
    data: { values: rows },
    mark: 'bar',
    encoding: {
      x: { field: 'trace', type: 'nominal', sort: run.traces },
      xOffset: { field: 'model' },
      y: { field: 'saved_x_pct', type: 'quantitative', title: 'X saved, %' },
      color: { field: 'model' },
    },
  });
  const svg = String(bundle['image/svg+xml']);
  t.match(svg, />cpu2</);
  t.match(svg, />cpu4</);
  t.equal((svg.match(/<path[^>]*aria-roledescription="bar"/g) ?? []).length, 2, 'one bar per trace');

  const table = await run.arrow('SELECT trace, model, x_tokens FROM summary ORDER BY trace, model');
  t.same(
    table.schema.fields.map((f) => `${f.name}:${String(f.type)}`),
    ['trace:Utf8', 'model:Utf8', 'x_tokens:Int64'],
  );
});

t.test('openTrace: one trace of a dataset as a run of its own', async (t) => {
  const ds = await openRun(DS);
  t.teardown(() => ds.close());
  const cpu4 = await ds.openTrace('cpu4');
  t.teardown(() => cpu4.close());
  t.equal(cpu4.dir, join(DS, 'trace=cpu4'));
  t.notOk(cpu4.isDataset);
  t.same(cpu4.traces, []);
  t.ok((await cpu4.names()).includes('saved_over_time'), 'with its views over time');
  const across = (await ds.rows(`SELECT * EXCLUDE (trace) FROM summary WHERE trace = 'cpu4'`)) as object[];
  t.same(await cpu4.summary(), across, "the dataset's rows for the trace are the trace's own");
  await t.rejects(ds.openTrace('cpu8'), UsageError);
  await t.rejects(cpu4.openTrace('cpu4'), UsageError, 'a single run has no traces');
});

t.test('a dataset moved elsewhere opens from its new place', async (t) => {
  const before = await openRun(DS);
  const [orig] = await before.rows('SELECT count(*)::INTEGER AS rows FROM faults');
  before.close();
  const moved = join(dir, 'moved');
  renameSync(DS, moved);
  const run = await openRun(moved);
  t.teardown(() => run.close());
  const [row] = await run.rows(`SELECT count(DISTINCT trace)::INTEGER AS n, count(*)::INTEGER AS rows FROM faults`);
  t.same(row, { n: 2, rows: orig!.rows }, 'the same rows, read from the new place');
  const [view] = await run.rows(`SELECT sql FROM duckdb_views() WHERE view_name = 'faults'`);
  t.match(String(view!.sql), join(moved, 'trace=*', 'faults.parquet'));
  const cpu2 = await run.openTrace('cpu2');
  t.teardown(() => cpu2.close());
  t.ok((await cpu2.table('faults')).length > 0, 'and so does each trace');
});
