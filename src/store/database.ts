// The DuckDB database of a run, built at close once every table's Parquet
// file is complete (table-file.ts writes them while the replay runs):
// OUT/vmreplay.duckdb with one view (or table) per table with a
// `<column>_hex` text column for every address, the `models` table, and the
// analysis views. Queries open the database read-only through RunDatabase.open()
// (run-database.ts), which first makes sure it is vmreplay's.
//
// Why views over the Parquet files by default (bench/store.ts has the
// numbers): loading the tables into DuckDB's own storage runs at about a third
// of the speed of writing the Parquet files and makes a database several times
// their size, while queries over the zstd Parquet files run as fast. The
// views are built with relative file names (the build runs in a temporary
// directory); location.ts then names the files by absolute path inside OUT,
// and re-points them when a run is opened from a new place, so any DuckDB
// client can open OUT/vmreplay.duckdb from any working directory.

import { join, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { ColumnSpec, TableSpec } from '../columns/table.js';
import { DATABASE_FILE } from './outdir.js';
import { ident, isAddress, literal, sqlType } from './sql.js';
import { runColumns } from '../models/index.js';
import { chooseBuckets, type ViewContext, viewStatements } from './views.js';

/**
 * DuckDB while it builds the database: one thread, and no cache of the
 * Parquet files it reads (the build reads each table once or twice).
 */
export const BUILD_CONFIG = { threads: '1', enable_external_file_cache: 'false' };

/** `parquet-views`: the database holds views over OUT/<table>.parquet; `tables`: it holds its own copy. */
export type DatabaseLayout = 'parquet-views' | 'tables';

type AnyTable = TableSpec<readonly ColumnSpec[]>;

export interface DatabaseBuild {
  readonly context: ViewContext;
  readonly duckdb: string;
}

/** Where the close of a store is: `step` of `steps` done, the last being `name` (a table, or the database itself). */
export interface BuildProgress {
  readonly name: string;
  readonly step: number;
  readonly steps: number;
}

export const HEX_MACRO = `CREATE OR REPLACE MACRO hex64(x) AS '0x' || lower(hex(x))`;

/** Build OUT/vmreplay.duckdb over the finished OUT/<table>.parquet of each of `tables`. */
export async function buildDatabase(
  outDir: string,
  tables: readonly AnyTable[],
  givenModels: readonly string[],
  layout: DatabaseLayout,
): Promise<DatabaseBuild> {
  const dir = resolve(outDir);
  const instance = await DuckDBInstance.create(join(dir, DATABASE_FILE), BUILD_CONFIG);
  const con = await instance.connect();
  try {
    await con.run(`SET file_search_path = ${literal(dir)}`);
    await con.run(HEX_MACRO);
    for (const spec of tables) for (const sql of layout === 'tables' ? loadTable(dir, spec) : [parquetView(spec)]) await con.run(sql);
    const context = await runContext(con, tables, givenModels);
    await con.run(modelsTable(context));
    for (const sql of viewStatements(context)) await con.run(sql);
    await con.run('CHECKPOINT');
    const version = (await con.runAndReadAll('SELECT version()')).getRows()[0]![0] as string;
    return { context, duckdb: version };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

/** The view of a table over its Parquet file (or, for a dataset, a glob of files and read_parquet's `options`). */
export function parquetView(spec: TableSpec<readonly ColumnSpec[]>, file = `${spec.name}.parquet`, options = ''): string {
  // the files hold `<name>_hex` beside each address column (table-file.ts): the view is every column as written
  const select = '*';
  // Relative here (the build runs in a temporary directory): anchorViews() makes it absolute in OUT.
  return `CREATE OR REPLACE VIEW ${ident(spec.name)} AS SELECT ${select} FROM read_parquet(${literal(file)}${options ? `, ${options}` : ''})`;
}

/** The table of the `tables` layout, with a generated `<name>_hex` per address column. */
export function tableDdl(spec: TableSpec<readonly ColumnSpec[]>): string {
  const columns = spec.columns.map((c) => `${ident(c.name)} ${sqlType(c.kind)}`);
  const generated = spec.columns.filter(isAddress).map((c) => `${ident(`${c.name}_hex`)} VARCHAR GENERATED ALWAYS AS (hex64(${ident(c.name)})) VIRTUAL`);
  return `CREATE OR REPLACE TABLE ${ident(spec.name)} (${[...columns, ...generated].join(', ')})`;
}

function loadTable(dir: string, spec: TableSpec<readonly ColumnSpec[]>): string[] {
  const names = spec.columns.map((c) => ident(c.name)).join(', ');
  return [tableDdl(spec), `INSERT INTO ${ident(spec.name)} (${names}) SELECT ${names} FROM read_parquet(${literal(join(dir, `${spec.name}.parquet`))})`];
}

/** Models present (the given order first, then any others found), the baseline, and the time buckets. */
async function runContext(con: DuckDBConnection, tables: readonly AnyTable[], givenModels: readonly string[]): Promise<ViewContext> {
  const has = (t: AnyTable, column: string) => t.columns.some((c) => c.name === column);
  const withModel = tables.filter((t) => has(t, 'model'));
  const found = withModel.length
    ? (
        await con.runAndReadAll(
          `SELECT DISTINCT model FROM (${withModel.map((t) => `SELECT model FROM ${ident(t.name)}`).join(' UNION ALL ')}) WHERE model IS NOT NULL ORDER BY model`,
        )
      )
        .getRows()
        .map((r) => r[0] as string)
    : [];
  const models = [...givenModels, ...found.filter((m) => !givenModels.includes(m))];
  // each model is compared against its family's baseline (models/index.ts); the run's is the first model's
  const baseline = models.length > 0 ? runColumns(models)[0]!.baseline : null;

  const withTs = tables.filter((t) => has(t, 'ts'));
  let t0 = 0;
  let t1 = 0;
  if (withTs.length) {
    const [lo, hi] = (
      await con.runAndReadAll(`SELECT min(ts), max(ts) FROM (${withTs.map((t) => `SELECT ts FROM ${ident(t.name)}`).join(' UNION ALL ')})`)
    ).getRows()[0]!;
    if (lo !== null && hi !== null) [t0, t1] = [Number(lo), Number(hi)];
  }
  return { models, baseline, t0, ...chooseBuckets(t0, t1) };
}

export function modelsTable(ctx: ViewContext): string {
  const columns = runColumns(ctx.models);
  const rows = ctx.models.map((m, i) => `(${i + 1}, ${literal(m)}, ${columns[i]!.baseline === m})`);
  const values = rows.length ? `VALUES ${rows.join(', ')}` : `SELECT 1, 'none', false WHERE false`;
  return `CREATE OR REPLACE TABLE models AS SELECT * FROM (${values}) t(position, model, baseline)`;
}

/** The first line of a DuckDB error, without the client's own prefix. */
export function firstLine(message: string): string {
  const line =
    message
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? message;
  return line.replace(/^Failed to extract statements: /, '');
}
