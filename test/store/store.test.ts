// Every table written through the store reads back identically from its
// Parquet file (DuckDB), the database and, when asked for, its Arrow stream (apache-arrow):
// row counts, per-column non-null counts and exact sums, including 64-bit
// addresses above 2^53 and nulls of every kind.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import t, { type Test } from 'tap';
import { EVENTS } from '../../src/events/schema.js';
import { REPLAY_TABLES } from '../../src/replay/tables.js';
import { type DatabaseLayout, openStore, RunDatabase } from '../../src/store/index.js';
import { literal } from '../../src/store/sql.js';
import { type AnySpec, Expected, fillBatch, fingerprintFromArrow, fingerprintFromRow, fingerprintSql, HIGH_ADDRESS, newDicts, tempDir } from './fixtures.js';

const TABLES: AnySpec[] = [EVENTS, ...REPLAY_TABLES];
const ROWS = 37;
const BATCHES = 3;

async function writeRun(t: Test, layout: DatabaseLayout, arrow = true) {
  const dir = await tempDir(t);
  const out = join(dir, 'out');
  const trace = join(dir, 'trace.txt');
  await writeFile(trace, 'a trace\n');
  const dicts = newDicts();
  const store = await openStore(out, dicts, { layout, arrow });
  const expected = new Map<string, Expected>();
  for (const spec of TABLES) {
    const e = new Expected(spec, dicts);
    expected.set(spec.name, e);
    // the last batch is partial: capacity above length
    for (let b = 0; b < BATCHES; b++) {
      const batch = fillBatch(spec, dicts, b, b === BATCHES - 1 ? ROWS - 5 : ROWS, ROWS);
      e.add(batch);
      store.write(spec, batch);
    }
  }
  const summary = await store.close({ inputs: [trace], models: ['old', 'new'], knobs: { shared_fault: 1 } });
  return { out, trace, expected, summary };
}

for (const layout of ['parquet-views', 'tables'] as const) {
  t.test(`every table reads back the same from Parquet, the database (${layout}) and Arrow`, async (t) => {
    const { out, expected, summary } = await writeRun(t, layout);
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const db = await RunDatabase.open(out);
    t.teardown(() => db.close());
    for (const spec of TABLES) {
      const want = expected.get(spec.name)!;
      t.equal(summary.rows[spec.name], want.rows, `${spec.name}: summary row count`);
      const fromParquet = fingerprintFromRow(
        spec,
        (await duck.runAndReadAll(fingerprintSql(spec, `read_parquet(${literal(join(out, `${spec.name}.parquet`))})`))).getRows()[0]!,
      );
      t.same(fromParquet, { rows: want.rows, fingerprint: want.fingerprint() }, `${spec.name}.parquet`);
      const fromDb = fingerprintFromRow(spec, (await db.connection.runAndReadAll(fingerprintSql(spec, spec.name))).getRows()[0]!);
      t.same(fromDb, { rows: want.rows, fingerprint: want.fingerprint() }, `${spec.name} in the database`);
      const fromArrow = fingerprintFromArrow(spec, tableFromIPC(readFileSync(join(out, `${spec.name}.arrow`))));
      t.same(fromArrow, { rows: want.rows, fingerprint: want.fingerprint() }, `${spec.name}.arrow`);
    }
    t.notOk(existsSync(join(out, '.vmreplay-staging')), 'staging files removed');
  });
}

t.test('addresses stay exact 64-bit and get hex columns; rows keep their order; types are the documented ones', async (t) => {
  const { out } = await writeRun(t, 'parquet-views');
  const db = await RunDatabase.open(out);
  t.teardown(() => db.close());
  const rows = (await db.connection.runAndReadAll(`SELECT obj, obj_hex FROM objects WHERE obj = ${HIGH_ADDRESS}::UBIGINT LIMIT 1`)).getRows();
  t.same(rows, [[HIGH_ADDRESS, '0x' + HIGH_ADDRESS.toString(16)]]);
  const arrow = tableFromIPC(readFileSync(join(out, 'objects.arrow')));
  t.ok([...arrow.getChild('obj')!].includes(HIGH_ADDRESS), 'Arrow holds the exact address');
  const ordered = await db.connection.runAndReadAll(
    `SELECT bool_and(ts > prev) FROM (SELECT ts, lag(ts) OVER (ORDER BY file_row_number) AS prev FROM read_parquet('${join(out, 'events.parquet')}', file_row_number = true)) WHERE prev IS NOT NULL`,
  );
  t.same(ordered.getRows(), [[true]], 'events keep their order in the Parquet file');
  const types = Object.fromEntries(
    (await db.connection.runAndReadAll(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'acquisitions'`))
      .getRows()
      .map((r) => [r[0], r[1]]),
  );
  t.match(types, {
    model: 'VARCHAR',
    op_id: 'BIGINT',
    ts: 'BIGINT',
    obj: 'UBIGINT',
    obj_hex: 'VARCHAR',
    otype: 'VARCHAR',
    attempt: 'SMALLINT',
    recursive: 'BOOLEAN',
  });
  const arrowTypes = Object.fromEntries(arrow.schema.fields.map((f) => [f.name, String(f.type)]));
  t.match(arrowTypes, { obj: 'Uint64', otype: 'Dictionary<Int8, Utf8>', name: 'Dictionary<Int32, Utf8>', first_ts: 'Int64', max_ref: 'Int32' });
});

t.test('Arrow IPC only on request: by default the output is Parquet and the database', async (t) => {
  const { out, summary } = await writeRun(t, 'parquet-views', false);
  t.same(
    readdirSync(out).filter((f) => f.endsWith('.arrow')),
    [],
    'no .arrow file',
  );
  t.same(
    summary.files.filter((f) => f.endsWith('.arrow')),
    [],
    'none listed',
  );
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  t.equal(m.tables.acquisitions.arrow, null, 'the manifest says there is none');
});

t.test('manifest.json records inputs with streaming hashes, models, knobs, version and row counts', async (t) => {
  const { out, trace, expected } = await writeRun(t, 'parquet-views');
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  t.equal(m.tool, 'vmreplay');
  t.equal(m.status, 'complete');
  t.equal(m.version, JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')).version);
  t.same(m.inputs, [{ path: trace, bytes: 8, sha256: createHash('sha256').update('a trace\n').digest('hex') }]);
  t.same(m.models.slice(0, 2), ['old', 'new']);
  t.equal(m.baseline, 'old');
  t.same(m.knobs, { shared_fault: 1 });
  for (const spec of TABLES) t.equal(m.tables[spec.name].rows, expected.get(spec.name)!.rows, spec.name);
  t.equal(m.database.file, 'vmreplay.duckdb');
  t.ok(m.time_buckets.bucket_ns > 0);
});

t.test('a table nobody wrote still exists, empty, in every format', async (t) => {
  const out = join(await tempDir(t), 'out');
  const store = await openStore(out, newDicts(), { arrow: true });
  const summary = await store.close({ inputs: [], models: ['old'], knobs: {} });
  t.equal(summary.rows.acquisitions, 0);
  t.equal(tableFromIPC(readFileSync(join(out, 'acquisitions.arrow'))).numRows, 0);
  const db = await RunDatabase.open(out);
  t.teardown(() => db.close());
  t.same((await db.connection.runAndReadAll('SELECT count(*) FROM acquisitions')).getRows(), [[0n]]);
  t.same((await db.connection.runAndReadAll('SELECT model, x_tokens, saved_x FROM summary')).getRows(), [['old', 0n, 0n]]);
});

t.test('the output directory: refused when it holds something else, replaced when it holds an earlier run', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'notes.txt'), 'mine');
  await t.rejects(openStore(dir, newDicts()), { name: 'InputError', message: /not a vmreplay output/ });
  t.ok(existsSync(join(dir, 'notes.txt')), 'nothing touched');

  const out = join(dir, 'run');
  const first = await openStore(out, newDicts());
  await first.close({ inputs: [], models: ['old'], knobs: {} });
  await writeFile(join(out, 'report.md'), 'a report');
  const dicts = newDicts();
  const second = await openStore(out, dicts);
  const events = TABLES.find((s) => s.name === EVENTS.name)!;
  second.write(events, fillBatch(events, dicts, 0, 4));
  const summary = await second.close({ inputs: [], models: ['old'], knobs: {} });
  t.equal(summary.rows.events, 4, 'the new run replaced the old one');
  t.ok(existsSync(join(out, 'report.md')), 'files the store does not own are left alone');

  const third = await openStore(out, newDicts());
  await third.abort();
  t.same(
    readdirSync(dir).filter((f) => f.includes('.vmreplay-')),
    [],
    'abort removes the temporary directory and the lock',
  );
  t.equal(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).status, 'complete', 'an aborted run leaves the earlier one intact');
  t.equal(readdirSync(out).filter((f) => f.endsWith('.parquet')).length, summary.files.filter((f) => f.endsWith('.parquet')).length, 'every table of it');
  await t.resolves(openStore(out, newDicts()).then((s) => s.abort()));
});
