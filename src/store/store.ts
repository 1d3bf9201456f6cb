// The columnar store a replay writes into. Every batch goes, before write()
// returns, to the table's staging Parquet file (and its Arrow IPC stream when
// asked for), so memory holds no rows between batches. Each staging file a
// table finishes is converted at once, on DuckDB's own threads, into a zstd
// part appended to the table's final Parquet file (convert.ts, join.ts): the
// build of the tables overlaps the replay instead of following it. flush(),
// awaited between input batches, reports a failed conversion and holds the
// replay back while too many files wait. close() converts what is left,
// writes the tables' footers, builds the database over them (database.ts) and
// writes manifest.json. All of it happens in a temporary directory beside OUT
// that close() renames into place (see outdir.ts), so OUT only ever holds a
// whole run; abort() stops DuckDB before that directory is removed.

import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ColumnBatch, ColumnSpec, TableSpec } from '../columns/table.js';
import { EVENTS } from '../events/schema.js';
import type { TableOutput } from '../replay/output.js';
import { REPLAY_TABLES } from '../replay/tables.js';
import { toolCommit, VERSION } from '../common/version.js';
import { completeNote, onInterrupt } from '../common/interrupt.js';
import { ArrowTableWriter } from './arrow.js';
import { buildDatabase, type BuildProgress, type DatabaseLayout } from './database.js';
import { TableConverter } from './convert.js';
import { hashFile, type Manifest, MANIFEST_FILE, type ManifestInput, type TableRecord, TOOL, writeManifest } from './manifest.js';
import { claimOutDir, DATABASE_FILE, type OutDirClaim, STAGING_DIR } from './outdir.js';
import { anchorViews } from './location.js';
import { StagingTable, Utf8Cache } from './staging.js';
import { VIEW_NAMES } from './views.js';
import type { Dictionaries } from '../columns/dictionaries.js';

type AnyTable = TableSpec<readonly ColumnSpec[]>;

/** Tables every run has, even when no row is written (the views read them); other tables are added on first write. */
export const STANDARD_TABLES: readonly AnyTable[] = [EVENTS, ...REPLAY_TABLES];

export interface StoreOptions {
  /** write OUT/<table>.arrow as well (default false: uncompressed, it is several times the Parquet and the input) */
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

/** Claim `outDir` (see claimOutDir) and return a store writing the run that ends up there; `dicts` resolve the batches' string and address ids. */
export async function openStore(outDir: string, dicts: Dictionaries, options: StoreOptions = {}): Promise<Store> {
  const claim = await claimOutDir(
    outDir,
    STANDARD_TABLES.map((t) => t.name),
  );
  let converter: TableConverter;
  try {
    converter = await TableConverter.open(claim.workDir);
  } catch (e) {
    await claim.abandon();
    throw e;
  }
  return new Store(claim, converter, dicts, options);
}

export class Store implements TableOutput {
  private readonly tables = new Map<string, OpenTable>();
  private readonly stagingDir: string;
  private readonly utf8: Utf8Cache;
  private closed = false;
  /** every batch is on disk when write() returns (staging.ts, arrow.ts), so writers may refill theirs */
  readonly releasesBatches = true;

  /** where the run ends up when close() is done */
  readonly outDir: string;
  /** where it is written until then */
  /** the temporary directory beside OUT the run is written into */
  readonly workDir: string;

  /** Use openStore(), which claims the directory first. */
  constructor(
    private readonly claim: OutDirClaim,
    private readonly converter: TableConverter,
    private readonly dicts: Dictionaries,
    private readonly options: StoreOptions,
  ) {
    this.outDir = claim.outDir;
    this.workDir = claim.workDir;
    this.stagingDir = join(this.workDir, STAGING_DIR);
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

  /**
   * Every write is on disk when write() returns; this throws if a conversion
   * failed and waits while too many staging files are queued for DuckDB.
   */
  async flush(): Promise<void> {
    await this.converter.wait();
  }

  /** Rows written so far per table. */
  get rowCounts(): Record<string, number> {
    return Object.fromEntries([...this.tables.values()].map((t) => [t.spec.name, t.rows]));
  }

  /**
   * Convert what is left, finish the Parquet tables, build the database, write
   * manifest.json, and put the run in place of OUT. `onProgress` hears of
   * each table as its last files are converted, then of the database.
   */
  async close(input: ManifestInput, onProgress?: (p: BuildProgress) => void): Promise<StoreSummary> {
    if (this.closed) throw new Error(`store ${this.outDir} is already closed`);
    this.closed = true;
    let committed = false;
    const hashing = Promise.all(input.inputs.map(hashFile)); // runs while DuckDB works
    try {
      const open = [...this.tables.values()];
      for (const t of open) {
        t.arrow?.close();
        t.staging.close(); // queues the table's last file
      }
      const steps = open.length + 1;
      const rows: Record<string, number> = {};
      for (const [step, t] of open.entries()) {
        onProgress?.({ name: t.spec.name, step, steps });
        rows[t.spec.name] = await this.converter.finish(t.spec);
        if (rows[t.spec.name] !== t.rows) throw new Error(`store: ${t.spec.name}.parquet has ${rows[t.spec.name]} rows, ${t.rows} were written`);
      }
      this.converter.close();
      onProgress?.({ name: 'database', step: open.length, steps });
      const layout = this.options.layout ?? 'parquet-views';
      // The digests let a reader recognise the run's own files (run-database.ts); hashed while DuckDB builds.
      const digests = Promise.all(open.map((t) => hashFile(join(this.workDir, `${t.spec.name}.parquet`))));
      const build = await buildDatabase(
        this.workDir,
        open.map((t) => t.spec),
        input.models,
        layout,
      );
      onProgress?.({ name: 'database', step: steps, steps });
      const hashed = await digests;
      const tables: Record<string, TableRecord> = {};
      for (const [i, t] of open.entries()) {
        tables[t.spec.name] = {
          rows: t.rows,
          parquet: `${t.spec.name}.parquet`,
          arrow: t.arrow ? `${t.spec.name}.arrow` : null,
          bytes: hashed[i]!.bytes,
          sha256: hashed[i]!.sha256,
        };
      }
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
        commit: toolCommit(),
      };
      await writeManifest(this.workDir, manifest);
      await rm(this.stagingDir, { recursive: true, force: true });
      // From the commit on, the run in OUT is whole: a signal says so and is not a failure.
      const complete = onInterrupt(() => completeNote(this.outDir));
      try {
        await this.claim.commit();
        committed = true;
        await anchorViews(join(this.outDir, DATABASE_FILE)); // the views now name the files in OUT
      } finally {
        complete();
      }
      const files = [...open.flatMap((t) => [tables[t.spec.name]!.parquet, ...(t.arrow ? [`${t.spec.name}.arrow`] : [])]), DATABASE_FILE, MANIFEST_FILE];
      return { outDir: resolve(this.outDir), rows, files, manifest };
    } finally {
      await hashing.catch(() => {});
      if (!committed) {
        await this.converter.stop(); // DuckDB done with the directory before it goes
        await this.claim.abandon();
      }
    }
  }

  /** Give up a run (the replay failed): stop DuckDB, close the files and remove the temporary directory; OUT stays as it was. */
  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.converter.stop();
    } finally {
      for (const t of this.tables.values()) {
        try {
          t.arrow?.close();
          t.staging.abandon();
        } catch {
          // best effort: the directory is being abandoned
        }
      }
      await this.claim.abandon();
    }
  }

  private table(spec: AnyTable): OpenTable {
    let t = this.tables.get(spec.name);
    if (t) {
      if (t.spec !== spec && !sameColumns(t.spec, spec)) throw new Error(`store: two different specs for table ${spec.name}`);
      return t;
    }
    const arrow = this.options.arrow !== true ? null : new ArrowTableWriter(join(this.workDir, `${spec.name}.arrow`), spec, this.dicts);
    const staging = new StagingTable(this.stagingDir, spec, this.dicts, this.utf8, (file) => this.converter.convert(spec, file));
    t = { spec, staging, arrow, rows: 0 };
    this.tables.set(spec.name, t);
    return t;
  }
}

function sameColumns(a: AnyTable, b: AnyTable): boolean {
  return a.columns.length === b.columns.length && a.columns.every((c, i) => c.name === b.columns[i]!.name && c.kind === b.columns[i]!.kind);
}
