// A database someone else put in a run directory is never run: a run is
// recognised by its manifest and the digests of its own Parquet files, every
// view must be the one vmreplay writes, and the database is opened read-only,
// confined to the run directory, without extension autoloading, and never
// rewritten (a moved run, even a read-only one, reads through temporary views).

import { createHash } from 'node:crypto';
import { chmodSync, cpSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import t from 'tap';
import { main } from '../../src/cli.js';
import { InputError } from '../../src/common/errors.js';
import { RunDatabase } from '../../src/store/index.js';
import { capture, fixture } from '../helpers.js';

const root = t.testdir();
const run = join(root, 'run');
t.before(async () => {
  const r = await capture(() => main(['replay', fixture('basic.ktr'), '-o', run]));
  if (r.code !== 0) throw new Error(r.stderr);
});

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A copy of the run whose database was changed by `sql` (run with full access, as an attacker would). */
async function tampered(name: string, sql: string[]): Promise<string> {
  const dir = join(root, name);
  cpSync(run, dir, { recursive: true });
  const instance = await DuckDBInstance.create(join(dir, 'vmreplay.duckdb'));
  const con = await instance.connect();
  for (const s of sql) await con.run(s);
  con.closeSync();
  instance.closeSync();
  return dir;
}

t.test('a planted view that reads a file outside the run is refused, not run', async (t) => {
  const secret = join(root, 'secret.txt');
  writeFileSync(secret, 'the-secret-words\n');
  const dir = await tampered('planted', [`CREATE OR REPLACE VIEW summary AS SELECT content AS model FROM read_text('${secret}')`]);
  await t.rejects(RunDatabase.open(dir), { name: 'InputError', message: /was not written by vmreplay.*view summary is not as vmreplay writes it/ });
  for (const args of [
    ['query', dir, 'summary'],
    ['query', dir],
    ['report', dir, '-o', join(root, 'report-planted')],
  ]) {
    const r = await capture(() => main(args));
    t.equal(r.code, 2, `${args[0]} exits 2`);
    t.match(r.stderr, /refusing to run its SQL/);
    t.notMatch(r.stdout + r.stderr, 'the-secret-words', 'the file was not read');
  }
});

t.test('extra views, macros and tables are foreign too', async (t) => {
  const extra = await tampered('extra', [`CREATE VIEW sneaky AS SELECT 1 AS x`]);
  await t.rejects(RunDatabase.open(extra), /view sneaky is not one vmreplay writes/);
  const macro = await tampered('macro', [`CREATE OR REPLACE MACRO hex64(x) AS (SELECT content FROM read_text('/etc/hostname'))`]);
  await t.rejects(RunDatabase.open(macro), /function hex64 is not as vmreplay writes it/);
  const table = await tampered('table', [`CREATE TABLE extra AS SELECT 1 AS x`]);
  await t.rejects(RunDatabase.open(table), /table extra is not one vmreplay writes/);
});

t.test('a manifest beside files that are not the run’s own is refused', async (t) => {
  const dir = join(root, 'swapped');
  cpSync(run, dir, { recursive: true });
  writeFileSync(join(dir, 'waits.parquet'), readFileSync(join(dir, 'hazards.parquet')));
  await t.rejects(RunDatabase.open(dir), /waits\.parquet: differs from the file the run wrote/);
  const bare = join(root, 'bare');
  cpSync(run, bare, { recursive: true });
  rmSync(join(bare, 'manifest.json'));
  await t.rejects(RunDatabase.open(bare), InputError);
});

t.test('an open run reads nothing outside its directory, loads no extension, and its settings stay locked', async (t) => {
  const db = await RunDatabase.open(run);
  t.teardown(() => db.close());
  const fails = async (sql: string, why: RegExp) => t.rejects(db.connection.run(sql), why, sql);
  await fails(`SELECT * FROM read_text('/etc/hostname')`, /Permission Error/);
  await fails(`SELECT * FROM read_csv('https://example.invalid/x.csv')`, /Permission Error/);
  await fails(`SET enable_external_access = true`, /configuration has been locked/);
  await fails(`SET autoload_known_extensions = true`, /configuration has been locked/);
  await fails(`CREATE TABLE x AS SELECT 1`, /read-only/);
  const settings = (
    await db.connection.runAndReadAll(`SELECT current_setting('autoinstall_known_extensions'), current_setting('autoload_known_extensions')`)
  ).getRows();
  t.same(settings, [[false, false]]);
  t.same((await db.connection.runAndReadAll('SELECT count(*) > 0 FROM acquisitions')).getRows(), [[true]], 'its own files read');
});

t.test('a moved run, even a read-only one, is queried without rewriting its database', async (t) => {
  const copy = join(root, 'copy');
  cpSync(run, copy, { recursive: true });
  const moved = join(root, 'moved');
  renameSync(copy, moved);
  chmodSync(moved, 0o555);
  t.teardown(() => chmodSync(moved, 0o755));
  const before = sha(join(moved, 'vmreplay.duckdb'));
  const original = join(root, 'run-original');
  renameSync(run, original); // the files the stored views name are gone
  t.teardown(() => renameSync(original, run));
  const r = await capture(() => main(['query', moved, 'SELECT count(*) AS n FROM acquisitions', '--format', 'csv']));
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^n\n[1-9]\d*\n$/);
  const s = await capture(() => main(['query', moved, 'summary', '--format', 'csv']));
  t.equal(s.code, 0, s.stderr);
  t.equal(sha(join(moved, 'vmreplay.duckdb')), before, 'the database file is unchanged');
});
