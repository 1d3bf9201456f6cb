// `vmreplay replay --dataset`: many traces as one dataset. Each trace is its
// own run in OUT/trace=NAME/ with the figures it has when replayed alone; the
// top database reads every table across traces with a `trace` column; the
// layout reads as a Hive-partitioned dataset without our database; bad input
// is exit 2 naming the file, with nothing left at OUT.

import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { DuckDBInstance } from '@duckdb/node-api';
import { main } from '../../src/cli.js';
import { expandTraceArgs, traceStem } from '../../src/ingest/source/trace-files.js';
import { partitionNames } from '../../src/store/dataset.js';
import { capture, fixture } from '../helpers.js';

type Row = Record<string, unknown>;

async function queryJson(out: string, sql: string): Promise<Row[]> {
  const r = await capture(() => main(['query', out, sql, '--format', 'json']));
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Row[];
}

/** A directory with two traces (the ktr and dtrace fixtures) and a file that is not a trace. */
function makeTraces(dir: string): string {
  const traces = join(dir, 'traces');
  mkdirSync(traces, { recursive: true });
  copyFileSync(fixture('basic.ktr'), join(traces, 'cpu4.ktr'));
  copyFileSync(fixture('basic.dtrace'), join(traces, 'build.dtrace'));
  writeFileSync(join(traces, 'README.md'), 'not a trace\n');
  return traces;
}

t.test('a directory of traces becomes one dataset whose per-trace figures are those of each trace alone', async (t) => {
  const dir = t.testdir();
  const traces = makeTraces(dir);
  const out = join(dir, 'out');
  const r = await capture(() => main(['replay', '--dataset', traces, '-o', out, '--models', 'old,new,new-fixed']));
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /build\s+.*build\.dtrace/);
  t.match(r.stdout, /cpu4\s+.*cpu4\.ktr/);
  t.same(readdirSync(out).sort(), ['manifest.json', 'trace=build', 'trace=cpu4', 'vmreplay.duckdb'], 'README.md is not a trace');

  const counts = await queryJson(out, 'select trace, count(*)::INTEGER AS n from acquisitions group by trace order by trace');
  t.same(
    counts.map((c) => c.trace),
    ['build', 'cpu4'],
  );
  // The analysis views of the dataset are those of each trace alone, with the trace in front.
  const perTrace = ['summary', 'saved_by_site', 'saved_by_object', 'saved_by_process', 'backdowns_by_reason', 'contention_by_object'];
  const dataset: Record<string, Row[]> = {};
  for (const view of perTrace) dataset[view] = await queryJson(out, view); // one at a time: capture() holds stdout
  for (const [name, file] of [
    ['cpu4', 'basic.ktr'],
    ['build', 'basic.dtrace'],
  ] as const) {
    const alone = join(dir, `alone-${name}`);
    const a = await capture(() => main(['replay', fixture(file), '-o', alone]));
    t.equal(a.code, 0, a.stderr);
    for (const view of perTrace) {
      const want = await queryJson(alone, view);
      const got = dataset[view]!.filter((row) => row.trace === name).map(({ trace: _t, ...rest }) => rest);
      t.ok(want.length > 0, `${name} ${view}: has rows`);
      t.same(got, want, `${name}: ${view} of the dataset is that of the trace replayed alone`);
    }
    t.same(await queryJson(join(out, `trace=${name}`), 'summary'), await queryJson(alone, 'summary'), `${name}: its partition is a whole run`);
    const [{ n }] = (await queryJson(alone, 'select count(*)::INTEGER AS n from acquisitions')) as [{ n: number }];
    t.equal(counts.find((c) => c.trace === name)?.n, n, `${name}: acquisitions`);
  }
  const views = await queryJson(out, "select view_name from duckdb_views() where not internal and view_name like '%over_time'");
  t.same(views, [], 'no *_over_time views across traces (their buckets are one trace clock)');

  const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
  t.same(
    manifest.traces.map((x: { name: string; manifest: { status: string; models: string[] } }) => [x.name, x.manifest.status, x.manifest.models]),
    [
      ['build', 'complete', ['old', 'new', 'new-fixed']],
      ['cpu4', 'complete', ['old', 'new', 'new-fixed']],
    ],
  );

  // Any Parquet engine: DuckDB without our database reads the partitions as they stand.
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    const rows = (
      await con.runAndReadAll(`SELECT trace, count(*) FROM read_parquet('${out}/*/faults.parquet', hive_partitioning = true) GROUP BY trace ORDER BY trace`)
    ).getRows();
    t.same(
      rows.map((x) => x[0]),
      ['build', 'cpu4'],
    );
  } finally {
    con.closeSync();
    db.closeSync();
  }

  // Replaying a dataset again over it replaces it whole: no partition of the earlier one stays.
  const again = await capture(() => main(['replay', '--dataset', join(traces, 'cpu4.ktr'), '-o', out]));
  t.equal(again.code, 0, again.stderr);
  t.same(readdirSync(out).sort(), ['manifest.json', 'trace=cpu4', 'vmreplay.duckdb']);
});

t.test('a quoted glob and a directory expand to the trace files they name', async (t) => {
  const dir = t.testdir();
  const traces = makeTraces(dir);
  t.same(await expandTraceArgs([traces]), [join(traces, 'build.dtrace'), join(traces, 'cpu4.ktr')], 'a directory: its trace files, sorted');
  t.same(await expandTraceArgs([join(traces, '*.ktr')]), [join(traces, 'cpu4.ktr')]);
  t.same(
    await expandTraceArgs([join(traces, '[bc]*.?tr*'), join(traces, 'cpu4.ktr')]),
    [join(traces, 'build.dtrace'), join(traces, 'cpu4.ktr')],
    'each file once',
  );
  t.same(await expandTraceArgs([join(dir, '*', '*.dtrace')]), [join(traces, 'build.dtrace')], 'a glob in a directory component');
  t.equal(traceStem('/x/cpu8.dtrace.zst'), 'cpu8');
  t.equal(traceStem('run.2.ktr.gz'), 'run.2');
  t.same(partitionNames(['a/x.ktr', 'b/x.dtrace', "c/we ird'=.jsonl", 'd/.hidden.ktr']), ['x', 'x-2', 'we_ird__', '_hidden']);

  const out = join(dir, 'out');
  const r = await capture(() => main(['replay', '--dataset', join(traces, '*.ktr'), '-o', out]));
  t.equal(r.code, 0, r.stderr);
  t.same(
    (await queryJson(out, 'select distinct trace from faults')).map((x) => x.trace),
    ['cpu4'],
  );
});

t.test('bad input is exit 2 naming the file, and leaves no OUT', async (t) => {
  const dir = t.testdir();
  const traces = makeTraces(dir);
  const out = join(dir, 'out');
  const none = await capture(() => main(['replay', '--dataset', join(traces, '*.perf'), '-o', out]));
  t.equal(none.code, 2);
  t.match(none.stderr, /\*\.perf: no files match/);
  t.notOk(existsSync(out));

  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const noTraces = await capture(() => main(['replay', '--dataset', empty, '-o', out]));
  t.equal(noTraces.code, 2);
  t.match(noTraces.stderr, /empty: holds no trace files/);

  const bad = join(traces, 'broken.jsonl');
  writeFileSync(bad, '{"ts": 1, "kind": "vm_fault_enter"\nnot json at all\n');
  const failed = await capture(() => main(['replay', '--dataset', traces, '-o', out, '--strict']));
  t.equal(failed.code, 2, failed.stderr);
  t.match(failed.stderr, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: `), 'the failing trace and its line are named');
  t.notOk(existsSync(out), 'no half-written OUT');
  t.same(
    readdirSync(dir).filter((n) => n.startsWith('.out.')),
    [],
    'nothing left beside OUT',
  );

  const usage = await capture(() => main(['replay', '--dataset', traces, '-o', out, '--models', 'nope']));
  t.equal(usage.code, 2);
  t.notOk(existsSync(out));
});

t.test('hidden files are left out with a word; a newline in a trace name is quoted, not a broken line', async (t) => {
  const dir = t.testdir();
  const traces = join(dir, 'traces');
  mkdirSync(traces);
  copyFileSync(fixture('basic.ktr'), join(traces, 'cpu4.ktr'));
  copyFileSync(fixture('basic.ktr'), join(traces, '.backup.ktr'));
  const odd = join(traces, 'new\nline.dtrace');
  copyFileSync(fixture('basic.dtrace'), odd);
  const out = join(dir, 'out');
  const r = await capture(() => main(['replay', '--dataset', traces, '-o', out]));
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout + r.stderr, `left out 1 hidden file in ${traces}: .backup.ktr (name them to include them)`);
  t.match(r.stdout, JSON.stringify(odd), 'the table quotes the name');
  t.ok(
    r.stdout.split('\n').every((l) => !l.startsWith('line.dtrace')),
    'no row broken in two',
  );

  writeFileSync(odd, readFileSync(fixture('basic.dtrace'), 'utf8') + 'garbage\n');
  const bad = await capture(() => main(['replay', '--strict', '--dataset', traces, '-o', join(dir, 'out2')]));
  t.equal(bad.code, 2);
  t.match(bad.stderr, /\nvmreplay: "[^\n]*new\\nline\.dtrace":\d+: [^\n]+\n$/, 'file:line on one line, the name quoted');
});

t.test('replay --dataset --json: the table of traces as one document on standard output', async (t) => {
  const dir = t.testdir();
  const out = join(dir, 'out');
  // The deprecated --format reaches each trace's replay as --trace-format.
  const r = await capture(() => main(['replay', '--dataset', fixture('basic.ktr'), fixture('basic-s.ktr'), '-o', out, '--json', '--format', 'ktr']));
  t.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { out: string; traces: { trace: string; input: string; events: number; faultRows: number; seconds: number }[] };
  t.equal(doc.out, out);
  t.same(
    doc.traces.map((x) => x.input),
    [fixture('basic.ktr'), fixture('basic-s.ktr')],
  );
  t.ok(doc.traces.every((x) => x.events > 0 && x.faultRows > 0));
  t.equal(r.stderr.match(/deprecated/g)?.length, 1, 'one warning line, not one per trace');
});
