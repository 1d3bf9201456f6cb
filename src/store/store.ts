// The columnar store a replay writes into: every batch goes, before write()
// returns, to the table's staging Parquet file and its Arrow IPC stream, so
// memory holds no rows between batches. close() lets DuckDB turn the staging
// files into the final zstd Parquet tables and the database, then writes
// manifest.json.

import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ColumnBatch, ColumnSpec, TableSpec } from '../columns/table.js';
import { EVENTS } from '../events/schema.js';
import type { TableOutput } from '../replay/output.js';
import { REPLAY_TABLES } from '../replay/tables.js';
import { VERSION } from '../common/version.js';
import { ArrowTableWriter } from './arrow.js';
import { buildDatabase, type DatabaseLayout } from './database.js';
import { hashFile, type Manifest, MANIFEST_FILE, type ManifestInput, type TableRecord, TOOL, writeManifest } from './manifest.js';
import { claimOutDir, DATABASE_FILE, STAGING_DIR } from './outdir.js';
import { StagingTable, Utf8Cache } from './staging.js';
import { VIEW_NAMES } from './views.js';
import { type Dictionaries } from '../columns/dictionaries.js';

type AnyTable = TableSpec<readonly ColumnSpec[]>;

/** Tables every run has, even when no row is written (the views read them); other tables are added on first write. */
export const STANDARD_TABLES: readonly AnyTable[] = [EVENTS, ...REPLAY_TABLES];

export interface StoreOptions {
  /** write OUT/<table>.arrow as well (default true) */
  readonly arrow?: boolean;
  /** how the database holds the tables (default parquet-views, see database.ts) */
  readonly layout?: DatabaseLayout;
}

export interface StoreSummary {
  readonly outDir: string;
  /** rows per table, as read back from the Parquet files */
  readonly rows: Readonly<Record<string, number>>;
  /** files written, relative to outDir */
  readonly files: readonly string[];
  readonly manifest: Manifest;
}

interface OpenTable {
  readonly spec: AnyTable;
  readonly staging: StagingTable;
  readonly arrow: ArrowTableWriter | null;
  rows: number;
}

/** Prepare `outDir` (see claimOutDir) and return a store writing into it; `dicts` resolve the batches' string and address ids. */
export async function openStore(outDir: string, dicts: Dictionaries, options: StoreOptions = {}): Promise<Store> {
  await claimOutDir(outDir, STANDARD_TABLES.map((t) => t.name));
  return new Store(outDir, dicts, options);
}

export class Store implements TableOutput {
  private readonly tables = new Map<string, OpenTable>();
  private readonly stagingDir: string;
  private readonly utf8: Utf8Cache;
  private closed = false;

  /** Use openStore(), which prepares the directory first. */
  constructor(
    readonly outDir: string,
    private readonly dicts: Dictionaries,
    private readonly options: StoreOptions,
  ) {
    this.stagingDir = join(outDir, STAGING_DIR);
    this.utf8 = new Utf8Cache(dicts.strings);
    for (const spec of STANDARD_TABLES) this.table(spec);
  }

  write<S extends readonly ColumnSpec[]>(typedSpec: TableSpec<S>, typedBatch: ColumnBatch<S>): void {
    if (this.closed) throw new Error(`store ${this.outDir} is closed`);
    // Past this point a table is handled by its column list, whatever its row type.
    const spec = typedSpec as unknown as AnyTable;
    const batch = typedBatch as unknown as ColumnBatch<readonly ColumnSpec[]>;
    const t = this.table(spec);
    t.staging.write(batch);
    t.arrow?.write(batch);
    t.rows += batch.length;
  }

  /** Every write is on disk when write() returns, so there is nothing to wait for. */
  async flush(): Promise<void> {}

  /** Rows written so far per table. */
  get rowCounts(): Record<string, number> {
    return Object.fromEntries([...this.tables.values()].map((t) => [t.spec.name, t.rows]));
  }

  /** Finish the files, build the Parquet tables and the database, write manifest.json. */
  async close(input: ManifestInput): Promise<StoreSummary> {
    if (this.closed) throw new Error(`store ${this.outDir} is already closed`);
    this.closed = true;
    const hashing = Promise.all(input.inputs.map(hashFile)); // runs while DuckDB works
    try {
      const open = [...this.tables.values()];
      const staged = open.map((t) => {
        t.arrow?.close();
        return { spec: t.spec, files: t.staging.close() };
      });
      const layout = this.options.layout ?? 'parquet-views';
      const build = await buildDatabase(this.outDir, staged, input.models, layout);
      for (const t of open) {
        if (build.rows[t.spec.name] !== t.rows) throw new Error(`store: ${t.spec.name}.parquet has ${build.rows[t.spec.name]} rows, ${t.rows} were written`);
      }
      const tables: Record<string, TableRecord> = {};
      for (const t of open) tables[t.spec.name] = { rows: t.rows, parquet: `${t.spec.name}.parquet`, arrow: t.arrow ? `${t.spec.name}.arrow` : null };
      const manifest: Manifest = {
        tool: TOOL,
        version: VERSION,
        status: 'complete',
        created: new Date().toISOString(),
        inputs: await hashing,
        models: build.context.models,
        baseline: build.context.baseline,
        knobs: input.knobs,
        synthetic: input.synthetic ?? null,
        tables,
        database: { file: DATABASE_FILE, layout, duckdb: build.duckdb },
        views: VIEW_NAMES,
        time_buckets: { t0_ns: build.context.t0, bucket_ns: build.context.bucketNs, buckets: build.context.buckets },
        node: process.version,
      };
      await writeManifest(this.outDir, manifest);
      const files = [...open.flatMap((t) => [tables[t.spec.name]!.parquet, ...(t.arrow ? [`${t.spec.name}.arrow`] : [])]), DATABASE_FILE, MANIFEST_FILE];
      return { outDir: resolve(this.outDir), rows: build.rows, files, manifest };
    } finally {
      await hashing.catch(() => {});
      await rm(this.stagingDir, { recursive: true, force: true });
    }
  }

  /** Give up a run (the replay failed): close the files and remove the staging files. */
  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.tables.values()) {
      try {
        t.arrow?.close();
        t.staging.close();
      } catch {
        // best effort: the directory is being abandoned
      }
    }
    await rm(this.stagingDir, { recursive: true, force: true });
  }

  private table(spec: AnyTable): OpenTable {
    let t = this.tables.get(spec.name);
    if (t) {
      if (t.spec !== spec && !sameColumns(t.spec, spec)) throw new Error(`store: two different specs for table ${spec.name}`);
      return t;
    }
    const arrow = this.options.arrow === false ? null : new ArrowTableWriter(join(this.outDir, `${spec.name}.arrow`), spec, this.dicts);
    t = { spec, staging: new StagingTable(this.stagingDir, spec, this.dicts, this.utf8), arrow, rows: 0 };
    this.tables.set(spec.name, t);
    return t;
  }
}

function sameColumns(a: AnyTable, b: AnyTable): boolean {
  return a.columns.length === b.columns.length && a.columns.every((c, i) => c.name === b.columns[i]!.name && c.kind === b.columns[i]!.kind);
}
