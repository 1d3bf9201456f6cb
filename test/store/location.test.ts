// A run's database opened by any DuckDB client from any working directory:
// the table views name their Parquet files by absolute path in the run
// directory, and a run moved or copied elsewhere is read from its own files
// (through temporary views) when RunDatabase.open sees it.

import { cpSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import t from 'tap';
import { Dictionaries } from '../../src/columns/dictionaries.js';
import { RunDatabase, openStore } from '../../src/store/index.js';
import { anchoredSql, misplacedViews, parquetViews, type ParquetViewLocation } from '../../src/store/location.js';

/** An empty run (every standard table, no rows) written to `dir`. */
async function emptyRun(dir: string): Promise<void> {
  const store = await openStore(dir, new Dictionaries());
  await store.close({ inputs: [], models: ['old', 'new'], knobs: {} });
}

/** Query the database with a plain DuckDB client, the working directory elsewhere. */
async function plainQuery(database: string, sql: string, cwd: string): Promise<unknown[][]> {
  const before = process.cwd();
  process.chdir(cwd);
  const instance = await DuckDBInstance.create(database, { access_mode: 'READ_ONLY' });
  const con = await instance.connect();
  try {
    return (await con.runAndReadAll(sql)).getRows();
  } finally {
    con.closeSync();
    instance.closeSync();
    process.chdir(before);
  }
}

async function viewFiles(database: string): Promise<string[]> {
  const instance = await DuckDBInstance.create(database, { access_mode: 'READ_ONLY' });
  const con = await instance.connect();
  try {
    return (await parquetViews(con)).map((v) => v.file);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

t.test('the views of a finished run name their files in the run directory', async (t) => {
  const root = t.testdir({ elsewhere: {} });
  const out = join(root, 'run');
  await emptyRun(out);
  const files = await viewFiles(join(out, 'vmreplay.duckdb'));
  t.ok(files.length >= 8, 'one view per table');
  t.ok(
    files.every((f) => f.startsWith(`${out}/`) && f.endsWith('.parquet')),
    'absolute, inside OUT (not the temporary build directory)',
  );
  t.same(await plainQuery(join(out, 'vmreplay.duckdb'), 'SELECT model, x_tokens FROM summary', join(root, 'elsewhere')), [
    ['old', 0n],
    ['new', 0n],
  ]);
});

t.test('a copied or moved run is read from its own files when opened, its database left as it is', async (t) => {
  const root = t.testdir({ elsewhere: {} });
  const first = join(root, 'first');
  await emptyRun(first);
  const copy = join(root, 'copy');
  cpSync(first, copy, { recursive: true });
  t.ok(
    (await viewFiles(join(copy, 'vmreplay.duckdb'))).every((f) => f.startsWith(`${first}/`)),
    'a copy still reads the original',
  );

  const db = await RunDatabase.open(copy);
  t.same((await db.connection.runAndReadAll('SELECT count(*) FROM acquisitions')).getRows(), [[0n]]);
  db.close();
  t.ok(
    (await viewFiles(join(copy, 'vmreplay.duckdb'))).every((f) => f.startsWith(`${first}/`)),
    'the stored views are not rewritten',
  );

  const moved = join(root, 'moved');
  renameSync(first, moved);
  const again = await RunDatabase.open(moved); // the files the stored views name are gone
  t.same((await again.connection.runAndReadAll('SELECT count(*) FROM events')).getRows(), [[0n]], 'read through views re-pointed in memory');
  t.same((await again.connection.runAndReadAll('SELECT count(*) FROM summary')).getRows(), [[2n]], 'the analysis views follow them');
  again.close();
});

t.test('which views are misplaced, and their re-pointed SQL', async (t) => {
  const view = (file: string): ParquetViewLocation => ({
    view: 'waits',
    file,
    sql: `CREATE VIEW waits AS SELECT * FROM read_parquet('${file.replaceAll("'", "''")}');`,
  });
  const dir = t.testdir();
  t.same(misplacedViews([view(join(dir, 'waits.parquet'))], dir), [], 'in place');
  t.same(misplacedViews([view('waits.parquet')], dir).length, 1, 'a relative name (as built)');
  t.same(misplacedViews([view('/somewhere/else/waits.parquet')], dir).length, 1, 'another directory');
  t.equal(
    anchoredSql(view("/old/it's/waits.parquet"), "/new/o'k"),
    `CREATE OR REPLACE VIEW waits AS SELECT * FROM read_parquet('/new/o''k/waits.parquet')`,
    'quotes in paths stay quoted',
  );
});
