// A finished run's database opened for reading, and only when it is vmreplay's.
// A database is SQL that runs when queried: one planted in a directory beside
// a copied manifest could read any file, or fetch an extension. So, before
// anything of it runs:
// - the run is recognised by its manifest (complete, from vmreplay) and the
//   SHA-256 of each of its own Parquet files;
// - every view, macro and table of the database is compared with what
//   vmreplay writes for that manifest (rebuilt in an in-memory database);
// - the database is opened read-only, extensions are neither installed nor
//   loaded, files outside the run directory cannot be read, and the
//   configuration is locked so a query cannot undo any of it.
// A run moved or copied since it was written is read through temporary views
// over the files here (location.ts): the database file is never written.

import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { ColumnSpec, TableSpec } from '../columns/table.js';
import { commandLine } from '../common/invocation.js';
import { InputError } from '../common/errors.js';
import { firstLine, HEX_MACRO, modelsTable, parquetView, tableDdl } from './database.js';
import { READ_OPTIONS, tracesTable } from './dataset.js';
import { anchoredSql, misplacedViews, PARTITION_GLOB, parquetViews, type ParquetViewLocation, viewFileName } from './location.js';
import { hashFile, type Manifest, MANIFEST_FILE, readManifest } from './manifest.js';
import { DATABASE_FILE, PARTITION_PREFIX } from './outdir.js';
import { literal } from './sql.js';
import { STANDARD_TABLES } from './store.js';
import { chooseBuckets, type ViewContext, viewStatements } from './views.js';

type AnyTable = TableSpec<readonly ColumnSpec[]>;

/** Settings of every connection to a run's database: nothing from the network, no extension loaded behind our back. */
const SAFE_CONFIG = { access_mode: 'READ_ONLY', autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' } as const;

/** A table name the store writes (a file `<name>.parquet` beside the database), and a dataset's partition name. */
const PLAIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** A run's database opened read-only, confined to its own directory. */
export class RunDatabase {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  static async open(outDir: string): Promise<RunDatabase> {
    if (!existsSync(outDir) || !statSync(outDir).isDirectory()) throw new InputError(outDir, 0, 'no such directory');
    const dir = resolve(outDir);
    const path = join(dir, DATABASE_FILE);
    if (!existsSync(path))
      throw new InputError(outDir, 0, `not a finished vmreplay output (no ${DATABASE_FILE}); write one with '${commandLine(`replay TRACE -o ${outDir}`)}'`);
    const manifest = await readManifest(dir);
    if (!manifest) throw new InputError(outDir, 0, `not a vmreplay run (no ${MANIFEST_FILE} from vmreplay beside ${DATABASE_FILE}); refusing to run its SQL`);
    if (manifest.status !== 'complete')
      throw new InputError(outDir, 0, 'the replay that wrote this directory did not finish (manifest status is not complete)');
    try {
      await checkOwnFiles(outDir, dir, manifest);
    } catch (e) {
      throw e instanceof InputError ? e : new InputError(join(outDir, MANIFEST_FILE), 0, `is not a manifest vmreplay wrote: ${(e as Error).message}`);
    }

    const db = await RunDatabase.confined(path, dir);
    try {
      const con = db.connection;
      const views = await parquetViews(con);
      const foreign = await foreignObjects(con, dir, manifest, views);
      if (foreign.length > 0) {
        throw new InputError(
          path,
          0,
          `was not written by vmreplay ${manifest.version ?? ''} for this run (${foreign.slice(0, 3).join('; ')}); refusing to run its SQL (replay the trace again to rebuild it)`,
        );
      }
      // Moved or copied: temporary views over the files here shadow the stored ones (the analysis views follow them).
      for (const v of misplacedViews(views, dir)) await con.run(temporary(anchoredSql(v, dir)));
      await con.run('SET lock_configuration = true');
      return db;
    } catch (e) {
      db.close();
      if (e instanceof InputError) throw e;
      throw new InputError(path, 0, firstLine((e as Error).message));
    }
  }

  /** `path` opened read-only: no extension autoloading, no file outside `dir` (the configuration is locked by open()). */
  private static async confined(path: string, dir: string): Promise<RunDatabase> {
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, SAFE_CONFIG);
    } catch (e) {
      throw new InputError(path, 0, firstLine((e as Error).message));
    }
    const db = new RunDatabase(instance, await instance.connect());
    try {
      await confine(db.connection, dir);
    } catch (e) {
      db.close();
      throw new InputError(path, 0, firstLine((e as Error).message));
    }
    return db;
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** Only files under `dir` may be read or written from here on. */
async function confine(con: DuckDBConnection, dir: string): Promise<void> {
  await con.run(`SET allowed_directories = [${literal(dir.endsWith('/') ? dir : `${dir}/`)}]`);
  await con.run('SET enable_external_access = false');
}

const temporary = (sql: string): string => sql.replace(/^CREATE (OR REPLACE )?VIEW /, 'CREATE OR REPLACE TEMP VIEW ');

/** Every Parquet file the manifest (or, in a dataset, each trace's manifest) lists is here, with its recorded size and SHA-256. */
async function checkOwnFiles(outDir: string, dir: string, manifest: Manifest): Promise<void> {
  const runs: [string, Manifest][] = [];
  if (manifest.traces) {
    for (const t of manifest.traces) {
      if (!PLAIN_NAME.test(String(t.name)))
        throw new InputError(join(outDir, MANIFEST_FILE), 0, `names a trace ${JSON.stringify(t.name)} that vmreplay would not write`);
      runs.push([join(dir, `${PARTITION_PREFIX}${t.name}`), t.manifest]);
    }
  } else runs.push([dir, manifest]);
  for (const [runDir, m] of runs) {
    const tables = Object.entries(m.tables ?? {});
    if (tables.length === 0) throw new InputError(join(runDir, MANIFEST_FILE), 0, 'lists no tables: not a run vmreplay wrote');
    for (const [name, record] of tables) {
      const file = join(runDir, `${name}.parquet`);
      if (!PLAIN_NAME.test(name) || record.parquet !== `${name}.parquet`)
        throw new InputError(join(runDir, MANIFEST_FILE), 0, `names a table file ${JSON.stringify(record.parquet)} that vmreplay would not write`);
      if (typeof record.sha256 !== 'string')
        throw new InputError(join(runDir, MANIFEST_FILE), 0, 'has no digests of its Parquet files (written by an older vmreplay?); replay the trace again');
      const found = await hashFile(file);
      if (found.sha256 === null) throw new InputError(file, 0, 'missing or unreadable, although the manifest lists it');
      if (found.sha256 !== record.sha256 || found.bytes !== record.bytes)
        throw new InputError(file, 0, 'differs from the file the run wrote (its SHA-256 is not the one in the manifest)');
    }
  }
}

/** One line per object of a database: kind, name and its SQL (table views by their file's own name, not its directory). */
async function catalog(con: DuckDBConnection): Promise<Map<string, string>> {
  const rows = await con.runAndReadAll(
    `SELECT 'view ' || view_name, sql FROM duckdb_views() WHERE NOT internal AND database_name = current_database() ` +
      `UNION ALL SELECT 'table ' || table_name, sql FROM duckdb_tables() WHERE database_name = current_database() ` +
      `UNION ALL SELECT 'function ' || function_name, CAST(parameters AS VARCHAR) || ' ' || coalesce(macro_definition, '?') FROM duckdb_functions() WHERE NOT internal AND database_name = current_database() ` +
      `UNION ALL SELECT 'sequence ' || sequence_name, sql FROM duckdb_sequences() WHERE database_name = current_database() ` +
      `UNION ALL SELECT 'index ' || index_name, sql FROM duckdb_indexes() WHERE database_name = current_database() ` +
      `UNION ALL SELECT 'type ' || type_name, logical_type FROM duckdb_types() WHERE NOT internal AND database_name = current_database() ` +
      `UNION ALL SELECT 'schema ' || schema_name, '' FROM duckdb_schemas() WHERE NOT internal AND database_name = current_database()`,
  );
  return new Map(rows.getRows().map(([name, sql]) => [String(name), String(sql ?? '')]));
}

/** The view's SQL with the directory of its file left out. */
const placeless = (sql: string): string =>
  sql.replace(/read_parquet\('((?:[^']|'')*)'/, (_m, file: string) => `read_parquet('${viewFileName(file.replaceAll("''", "'"))}'`);

/**
 * What in the database differs from what vmreplay writes for `manifest`:
 * the same database is built in memory over the files in `dir` and the two
 * catalogs compared, object by object. Empty when it is vmreplay's.
 */
async function foreignObjects(con: DuckDBConnection, dir: string, manifest: Manifest, views: readonly ParquetViewLocation[]): Promise<string[]> {
  const found = await catalog(con);
  const tableFiles = new Set(views.map((v) => `view ${v.view}`));
  const expected = await expectedCatalog(dir, manifest);
  const differences: string[] = [];
  for (const [name, sql] of found) {
    const want = expected.get(name);
    if (want === undefined) differences.push(`${name} is not one vmreplay writes`);
    else if (tableFiles.has(name) ? placeless(sql) !== placeless(want) : sql !== want) differences.push(`${name} is not as vmreplay writes it`);
  }
  for (const name of expected.keys()) if (!found.has(name)) differences.push(`${name} is missing`);
  return differences;
}

/**
 * The catalog of the database vmreplay writes for `manifest`, built over the
 * Parquet files in `dir` in a scratch file and read back after reopening it:
 * DuckDB writes a view's SQL differently once it has been stored and loaded.
 */
async function expectedCatalog(dir: string, manifest: Manifest): Promise<Map<string, string>> {
  const scratch = await mkdtemp(join(tmpdir(), 'vmreplay-expected-'));
  const file = join(scratch, DATABASE_FILE);
  try {
    await withDatabase(file, {}, async (con) => {
      for (const sql of expectedStatements(dir, manifest)) await con.run(sql);
      await con.run('CHECKPOINT');
    });
    return await withDatabase(file, SAFE_CONFIG, catalog);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function withDatabase<T>(path: string, config: Record<string, string>, use: (con: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(path, { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false', ...config });
  const con = await instance.connect();
  try {
    return await use(con);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

function expectedStatements(dir: string, manifest: Manifest): string[] {
  const spec = (name: string): AnyTable => STANDARD_TABLES.find((s) => s.name === name) ?? { name, doc: '', columns: [] };
  const names = Object.keys(manifest.tables ?? {});
  const models = manifest.models ?? [];
  const baseline = manifest.baseline ?? null;
  if (manifest.traces) {
    const ctx: ViewContext = { models, baseline, t0: 0, ...chooseBuckets(0, 0), byTrace: true };
    return [
      HEX_MACRO,
      ...names.map((n) => parquetView(spec(n), join(dir, PARTITION_GLOB, `${n}.parquet`), READ_OPTIONS)),
      modelsTable(ctx),
      tracesTable(manifest.traces),
      ...viewStatements(ctx),
    ];
  }
  const buckets = manifest.time_buckets;
  const ctx: ViewContext = { models, baseline, t0: buckets?.t0_ns ?? 0, bucketNs: buckets?.bucket_ns ?? 1_000_000, buckets: buckets?.buckets ?? 1 };
  const tables =
    manifest.database?.layout === 'tables' ? names.map((n) => tableDdl(spec(n))) : names.map((n) => parquetView(spec(n), join(dir, `${n}.parquet`)));
  return [HEX_MACRO, ...tables, modelsTable(ctx), ...viewStatements(ctx)];
}
