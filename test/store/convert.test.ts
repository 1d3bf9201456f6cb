// The tables are converted while the run goes on (convert.ts): a table of
// many staging files reads back whole and in order; a conversion that fails
// is reported by flush() and by close(), and the run then leaves OUT as it
// was; abort() while DuckDB converts waits for it and leaves nothing behind.

import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import t from 'tap';
import { ACQUISITIONS } from '../../src/replay/tables.js';
import { openStore, type Store } from '../../src/store/index.js';
import { literal } from '../../src/store/sql.js';
import { ROW_GROUPS_PER_FILE } from '../../src/store/staging.js';
import { type AnySpec, Expected, fillBatch, fingerprintFromRow, fingerprintSql, newDicts, type Dicts } from './fixtures.js';

const SPEC = ACQUISITIONS as unknown as AnySpec;
const ROWS = 500;

const workDir = (out: string): string => join(dirname(out), readdirSync(dirname(out)).find((n) => n.startsWith(`.${basename(out)}.vmreplay-tmp-`))!);
const beside = (dir: string): string[] => readdirSync(dir).filter((n) => n.includes('.vmreplay-'));

function writeBatches(store: Store, dicts: Dicts, from: number, count: number, expected?: Expected): void {
  for (let b = from; b < from + count; b++) {
    const batch = fillBatch(SPEC, dicts, b, ROWS);
    expected?.add(batch);
    store.write(SPEC, batch);
  }
}

t.test('a table of many staging files reads back whole and in order', async (t) => {
  const out = join(t.testdir(), 'out');
  const dicts = newDicts();
  const store = await openStore(out, dicts);
  const expected = new Expected(SPEC, dicts);
  const batches = 3 * ROW_GROUPS_PER_FILE + 4;
  for (let b = 0; b < batches; b++) {
    writeBatches(store, dicts, b, 1, expected);
    await store.flush();
  }
  const summary = await store.close({ inputs: [], models: ['old'], knobs: {} });
  t.equal(summary.rows.acquisitions, batches * ROWS);
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  t.teardown(() => duck.closeSync());
  const file = `read_parquet(${literal(join(out, 'acquisitions.parquet'))}, file_row_number = true)`;
  t.same(fingerprintFromRow(SPEC, (await duck.runAndReadAll(fingerprintSql(SPEC, file))).getRows()[0]!), {
    rows: expected.rows,
    fingerprint: expected.fingerprint(),
  });
  const order = await duck.runAndReadAll(
    `SELECT bool_and(ts > prev) FROM (SELECT ts, lag(ts) OVER (ORDER BY file_row_number) AS prev FROM ${file}) WHERE prev IS NOT NULL`,
  );
  t.same(order.getRows(), [[true]], 'rows in the order written');
  const groups = await duck.runAndReadAll(`SELECT count(DISTINCT row_group_id) FROM parquet_metadata(${literal(join(out, 'acquisitions.parquet'))})`);
  t.equal(Number(groups.getRows()[0]![0]), 4, 'four parts joined');
});

/** A store on `out` whose first acquisitions staging file is gone before DuckDB converts it. */
async function failingStore(out: string, dicts: Dicts): Promise<Store> {
  const store = await openStore(out, dicts);
  writeBatches(store, dicts, 0, ROW_GROUPS_PER_FILE); // the file is finished and queued
  const staging = join(workDir(out), '.vmreplay-staging');
  const file = readdirSync(staging).find((f) => f.startsWith('acquisitions.00000'))!;
  rmSync(join(staging, file)); // synchronously: before the conversion starts
  writeFileSync(join(staging, file), 'not parquet');
  return store;
}

t.test('a failed conversion is thrown by flush(); abort() then leaves OUT as it was', async (t) => {
  const dir = t.testdir();
  const out = join(dir, 'out');
  const dicts = newDicts();
  const store = await failingStore(out, dicts);
  let error: Error | null = null;
  // flush() reports the failure once the conversion has run; nothing else is waited for.
  for (let i = 0; i < 500 && error === null; i++) {
    await sleep(20);
    await store.flush().catch((e: Error) => (error = e));
  }
  t.match(error, { message: /acquisitions\.00000\.parquet/ }, 'the error names the staging file');
  await store.abort();
  t.notOk(existsSync(out), 'no OUT');
  t.same(beside(dir), [], 'no temporary directory, no lock');
});

t.test('a failed conversion makes close() reject and leave nothing', async (t) => {
  const dir = t.testdir();
  const out = join(dir, 'out');
  const store = await failingStore(out, newDicts());
  await t.rejects(store.close({ inputs: [], models: ['old'], knobs: {} }), { message: /acquisitions\.00000\.parquet/ });
  t.notOk(existsSync(out), 'no OUT');
  t.same(beside(dir), [], 'no temporary directory, no lock');
});

t.test('abort() while DuckDB converts: it is stopped and awaited, and nothing is left', async (t) => {
  const dir = t.testdir();
  const out = join(dir, 'out');
  const dicts = newDicts();
  const store = await openStore(out, dicts);
  writeBatches(store, dicts, 0, 4 * ROW_GROUPS_PER_FILE); // four files queued
  await sleep(5); // the first conversion under way
  await store.abort();
  t.notOk(existsSync(out), 'no OUT');
  t.same(beside(dir), [], 'no temporary directory, no lock');
  await sleep(200);
  t.same(beside(dir), [], 'and nothing written there afterwards');
});
