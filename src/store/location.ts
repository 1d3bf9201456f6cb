// Where a run's table views find their Parquet files. DuckDB resolves a
// relative file name in a view against the working directory of whoever
// queries it (or `file_search_path`, a setting a database file cannot keep),
// so views naming `acquisitions.parquet` work only from inside OUT. Instead
// the table views name their files by absolute path inside the run directory,
// and anchorViews() points them there again whenever the directory is not
// where they say: once when the store has moved a finished run into place
// (the build happens in a temporary directory). When RunDatabase.open finds
// the run was moved or copied, it reads through temporary views re-pointed
// the same way (anchoredSql) and leaves the database file as it is. Any DuckDB client, from any working
// directory, then reads the right files. Why not load the tables into the
// database instead: docs/tables.md ("Path-independent views") has the numbers.

import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { PARTITION_PREFIX } from './outdir.js';
import { literal } from './sql.js';

/** A view reading one Parquet file, and the file name it reads as written in its SQL. */
export interface ParquetViewLocation {
  readonly view: string;
  readonly sql: string;
  readonly file: string;
}

/** The single-quoted file name read_parquet(...) starts with, as DuckDB stores a view's SQL (a dataset's views add options after it). */
const READ_PARQUET = /read_parquet\('((?:[^']|'')*)'(?=\s*[,)])/;

/** A dataset's partitions (`trace=NAME`), read by its views through the glob `trace=*`. */
export const PARTITION_GLOB = `${PARTITION_PREFIX}*`;

/** The file's name relative to the directory it belongs to: `t.parquet`, or under the partition glob for a dataset's view. */
export function viewFileName(file: string): string {
  return ownName(file);
}

function ownName(file: string): string {
  return basename(dirname(file)) === PARTITION_GLOB ? join(PARTITION_GLOB, basename(file)) : basename(file);
}

/** The directory a view's file belongs to (above the partition glob of a dataset). */
const ownerDir = (file: string): string => (ownName(file) === basename(file) ? dirname(file) : dirname(dirname(file)));

const unquote = (text: string): string => text.replaceAll("''", "'");

/** The views of the open database that read a Parquet file by name (the table views). */
export async function parquetViews(con: DuckDBConnection): Promise<ParquetViewLocation[]> {
  const rows = (
    await con.runAndReadAll(`SELECT view_name, sql FROM duckdb_views() WHERE NOT internal AND database_name = current_database() ORDER BY view_name`)
  ).getRows();
  const found: ParquetViewLocation[] = [];
  for (const [view, sql] of rows) {
    const m = READ_PARQUET.exec(String(sql));
    if (m) found.push({ view: String(view), sql: String(sql), file: unquote(m[1]!) });
  }
  return found;
}

/** The same directory, symbolic links and `..` resolved where the path exists. */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Views whose file is not `dir/<its own name>`: relative names, or a run moved or copied from elsewhere. */
export function misplacedViews(views: readonly ParquetViewLocation[], dir: string): ParquetViewLocation[] {
  const here = canonical(dir);
  return views.filter((v) => !v.file.startsWith('/') || canonical(ownerDir(v.file)) !== here);
}

/** The view's SQL, reading `dir/<the same file name>` and replacing the view. */
export function anchoredSql(v: ParquetViewLocation, dir: string): string {
  const target = join(resolve(dir), ownName(v.file));
  return v.sql
    .replace(/^CREATE VIEW /, 'CREATE OR REPLACE VIEW ')
    .replace(READ_PARQUET, () => `read_parquet(${literal(target)}`)
    .replace(/;\s*$/, '');
}

/**
 * Point every table view of the database at `databasePath` to the Parquet
 * files beside it. Opens the database for writing, so no one else may have it
 * open; returns how many views were rewritten (0: nothing to do, nothing written).
 */
export async function anchorViews(databasePath: string): Promise<number> {
  const dir = join(resolve(databasePath), '..');
  const instance = await DuckDBInstance.create(databasePath);
  const con = await instance.connect();
  try {
    const misplaced = misplacedViews(await parquetViews(con), dir);
    if (misplaced.length === 0) return 0;
    await con.run('BEGIN TRANSACTION');
    for (const v of misplaced) await con.run(anchoredSql(v, dir));
    await con.run('COMMIT');
    await con.run('CHECKPOINT');
    return misplaced.length;
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
