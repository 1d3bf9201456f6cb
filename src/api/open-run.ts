// A finished run opened for exploring: its manifest and a read-only DuckDB
// connection whose tables and views work from any working directory (a run
// that was moved or copied is read through temporary views over its own
// files, see src/store/run-database.ts), with helpers that return plain rows
// or Arrow tables.

import type { DuckDBConnection, DuckDBResultReader, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { DuckDBTypeId } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import { join, resolve } from 'node:path';
import { InputError, UsageError } from '../common/errors.js';
import { type Manifest, readManifest, RunDatabase } from '../store/index.js';
import { modelColumns } from '../models/index.js';
import { ident } from '../store/sql.js';
import { PARTITION_PREFIX } from '../store/outdir.js';
import { plainValue, type Row } from '../store/values.js';
import { naturalOrder } from '../report/dataset.js';

/** The column of a model's measured lock in the saved_* views (declared by the model): `new-fixed` -> `x_new_fixed`, `linux-vma` -> `mm_linux_vma`. */
export const xColumn = (model: string): string => modelColumns(model).countColumn;
/** The column of what a model saves against its baseline in the saved_* views: `new` -> `saved_x`, `new-fixed` -> `saved_x_fixed`, `linux-vma` -> `saved_mm_vma`; a baseline has none. */
export const savedColumn = (model: string): string => modelColumns(model).savedColumn ?? `saved_x_${modelColumns(model).countColumn.slice(2)}`;

export type { Row, Value } from '../store/values.js';
/** Positional parameters of a query, `$1`, `$2`, ... in the SQL. */
export type Params = readonly (string | number | bigint | boolean | null)[];

export class Run {
  /** the run directory, absolute */
  readonly dir: string;
  readonly manifest: Manifest;
  /** the DuckDB connection (read-only), for anything the helpers do not cover */
  readonly connection: DuckDBConnection;
  private readonly db: RunDatabase;

  /** Use openRun(). */
  constructor(dir: string, manifest: Manifest, db: RunDatabase) {
    this.dir = dir;
    this.manifest = manifest;
    this.db = db;
    this.connection = db.connection;
  }

  /** Models in report order; the first is the baseline unless the manifest says otherwise. */
  get models(): readonly string[] {
    return this.manifest.models ?? [];
  }

  get baseline(): string | null {
    return this.manifest.baseline ?? null;
  }

  /** The generator's marker when the trace was generated (figures describe a generated workload), else null. */
  get synthetic(): string | null {
    return this.manifest.synthetic ?? null;
  }

  /**
   * A dataset's traces (`vmreplay replay --dataset ... -o DIR`), in natural order of their names
   * (cpus2, cpus4, ..., cpus16), as the report has them: the values of the `trace` column every
   * table and view then has. Empty for a single run.
   */
  get traces(): readonly string[] {
    return (this.manifest.traces ?? []).map((t) => t.name).sort(naturalOrder);
  }

  /** True when the directory is a dataset of traces rather than one run. */
  get isDataset(): boolean {
    return Array.isArray(this.manifest.traces);
  }

  /** One trace of a dataset as a run of its own (its partition `trace=NAME`), with the views over time the dataset leaves out. Close it when done. */
  async openTrace(name: string): Promise<Run> {
    if (!this.traces.includes(name)) {
      throw new UsageError(
        this.isDataset
          ? `no trace '${name}' in the dataset ${this.dir} (it has ${this.traces.join(', ')})`
          : `${this.dir} is a single run, not a dataset of traces`,
      );
    }
    return openRun(join(this.dir, `${PARTITION_PREFIX}${name}`));
  }

  /** The tables and views of the run, by name. */
  async names(): Promise<string[]> {
    const rows = await this.rows(`SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() ORDER BY table_name`);
    return rows.map((r) => String(r.table_name));
  }

  /** The rows of a query as plain objects. */
  async rows(sql: string, params: Params = []): Promise<Row[]> {
    const result = await this.query(sql, params);
    return result.convertRowObjects(plainValue);
  }

  /** The rows of a table or view, at most `limit` (all when omitted). */
  async table(name: string, limit?: number): Promise<Row[]> {
    return this.rows(`SELECT * FROM ${ident(name)}${limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(limit))}`}`);
  }

  /** The `summary` view: one row per model (per trace and model in a dataset), the figures `vmreplay replay` prints. */
  async summary(): Promise<Row[]> {
    return this.table('summary');
  }

  /** The result of a query as an Arrow table, with Arrow types matching DuckDB's (64-bit integers as bigint). */
  async arrow(sql: string, params: Params = []): Promise<arrow.Table> {
    const result = await this.query(sql, params);
    const names = result.columnNames();
    const types = result.columnTypes();
    const columns = result.getColumnsJS();
    const vectors: Record<string, arrow.Vector> = {};
    names.forEach((name, i) => {
      const type = arrowType(types[i]!);
      const values = columns[i]!.map((v) => arrowValue(v, type));
      vectors[name] = arrow.vectorFromArray(values as never[], type as never);
    });
    return new arrow.Table(vectors);
  }

  close(): void {
    this.db.close();
  }

  private async query(sql: string, params: Params): Promise<DuckDBResultReader> {
    try {
      return await this.connection.runAndReadAll(sql, params.length ? (params as DuckDBValue[]) : undefined);
    } catch (e) {
      throw new InputError(this.dir, 0, `query failed: ${(e as Error).message.split('\n')[0]}`);
    }
  }
}

/**
 * Open the run written to `dir` by `vmreplay replay ... -o DIR` (or replay({ out })), or the
 * dataset written by `vmreplay replay --dataset ... -o DIR`: its database has every table and
 * view across the traces, with a `trace` column. Close it when done.
 */
export async function openRun(dir: string): Promise<Run> {
  const abs = resolve(dir);
  const db = await RunDatabase.open(abs);
  const manifest = await readManifest(abs);
  if (!manifest) {
    db.close();
    throw new InputError(dir, 0, 'has no vmreplay manifest.json');
  }
  return new Run(abs, manifest, db);
}

function arrowType(t: DuckDBType): arrow.DataType {
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return new arrow.Bool();
    case DuckDBTypeId.TINYINT:
      return new arrow.Int8();
    case DuckDBTypeId.SMALLINT:
      return new arrow.Int16();
    case DuckDBTypeId.INTEGER:
      return new arrow.Int32();
    case DuckDBTypeId.BIGINT:
      return new arrow.Int64();
    case DuckDBTypeId.UTINYINT:
      return new arrow.Uint8();
    case DuckDBTypeId.USMALLINT:
      return new arrow.Uint16();
    case DuckDBTypeId.UINTEGER:
      return new arrow.Uint32();
    case DuckDBTypeId.UBIGINT:
      return new arrow.Uint64();
    case DuckDBTypeId.FLOAT:
      return new arrow.Float32();
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.DECIMAL:
    case DuckDBTypeId.HUGEINT:
      return new arrow.Float64();
    default:
      return new arrow.Utf8(); // text, and anything else as its text form
  }
}

function arrowValue(v: unknown, type: arrow.DataType): unknown {
  if (v === null || v === undefined) return null;
  if (type instanceof arrow.Int64 || type instanceof arrow.Uint64) return BigInt(v as bigint);
  if (type instanceof arrow.Float) return Number(v);
  if (type instanceof arrow.Int) return Number(v);
  if (type instanceof arrow.Bool) return Boolean(v);
  return typeof v === 'string' ? v : JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
}
