// The columnar store a replay writes into. Every batch is copied, before
// write() returns, into its table's row group (table-file.ts) and its Arrow
// IPC stream when asked for, so writers may refill their batches; each full
// row group is compressed on the thread pool and appended to the table's
// final Parquet file while the replay goes on. flush(), awaited between input
// batches, reports a failed write and holds the replay back while too many
// row groups wait for the disk. close() writes the last row groups and the
// footers, builds the database over the files (database.ts) and writes
// manifest.json. All of it happens in a temporary directory beside OUT that
// close() renames into place (see outdir.ts), so OUT only ever holds a whole
// run.

import { join, resolve } from 'node:path';
import type { ColumnBatch, ColumnSpec, TableSpec } from '../columns/table.js';
import { EVENTS } from '../events/schema.js';
import type { TableOutput } from '../replay/output.js';
import { REPLAY_TABLES } from '../replay/tables.js';
import { toolCommit, VERSION } from '../common/version.js';
import { completeNote, onInterrupt } from '../common/interrupt.js';
import { ArrowTableWriter } from './arrow.js';
import { buildDatabase, type BuildProgress, type DatabaseLayout } from './database.js';
import { hashFile, type Manifest, MANIFEST_FILE, type ManifestInput, type TableRecord, TOOL, writeManifest } from './manifest.js';
import { claimOutDir, DATABASE_FILE, type OutDirClaim } from './outdir.js';
import { anchorViews } from './location.js';
import { ByteCaches, TableFile, type TableSink } from './table-file.js';
import { MAX_PENDING } from './store-limits.js';
import { WriterThread } from './writer-client.js';
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
  /**
   * encode and compress the tables on a worker thread (writer-thread.ts), so
   * the replay's thread only copies each batch (default false: a thread
   * costs its start-up, worth it on large traces)
   */
  readonly writerThread?: boolean;
}

export interface StoreSummary {
  readonly outDir: string;
  /** rows per table, as written to the Parquet files */
  readonly rows: Readonly<Record<string, number>>;
  /** files written, relative to outDir */
  readonly files: readonly string[];
  readonly manifest: Manifest;
}

export { MAX_PENDING };

interface OpenTable {
  readonly spec: AnyTable;
  readonly file: TableSink;
  readonly arrow: ArrowTableWriter | null;
  rows: number;
}

/** Claim `outDir` (see claimOutDir) and return a store writing the run that ends up there; `dicts` resolve the batches' string and address ids. */
export async function openStore(outDir: string, dicts: Dictionaries, options: StoreOptions = {}): Promise<Store> {
  const claim = await claimOutDir(
    outDir,
    STANDARD_TABLES.map((t) => t.name),
  );
  return new Store(claim, dicts, options);
}

export class Store implements TableOutput {
  private readonly tables = new Map<string, OpenTable>();
  private readonly caches: ByteCaches;
  private readonly thread: WriterThread | null;
  private readonly createdBy = `${TOOL} ${VERSION}`;
  private closed = false;
  /** every batch is copied when write() returns (table-file.ts, arrow.ts), so writers may refill theirs */
  readonly releasesBatches = true;

  /** where the run ends up when close() is done */
  readonly outDir: string;
  /** where it is written until then */
  /** the temporary directory beside OUT the run is written into */
  readonly workDir: string;

  /** Use openStore(), which claims the directory first. */
  constructor(
    private readonly claim: OutDirClaim,
    private readonly dicts: Dictionaries,
    private readonly options: StoreOptions,
  ) {
    this.outDir = claim.outDir;
    this.workDir = claim.workDir;
    this.caches = new ByteCaches(dicts);
    this.thread = options.writerThread ? new WriterThread(dicts) : null;
    for (const spec of STANDARD_TABLES) this.table(spec);
  }

  write<S extends readonly ColumnSpec[]>(typedSpec: TableSpec<S>, typedBatch: ColumnBatch<S>): void {
    if (this.closed) throw new Error(`store ${this.outDir} is closed`);
    // Past this point a table is handled by its column list, whatever its row type.
    const spec = typedSpec as unknown as AnyTable;
    const batch = typedBatch as unknown as ColumnBatch<readonly ColumnSpec[]>;
    const t = this.table(spec);
    t.file.write(batch);
    t.arrow?.write(batch);
    t.rows += batch.length;
  }

  /**
   * Throw if a compression or a write failed; wait while more than
   * MAX_PENDING row groups are still to be written, so memory stays bounded
   * when the disk or the compression is the slower side.
   */
  async flush(): Promise<void> {
    for (;;) {
      const open = [...this.tables.values()];
      const failed = open.find((t) => t.file.failed !== undefined);
      if (failed) throw failed.file.failed;
      if (open.reduce((n, t) => n + t.file.pending, 0) <= MAX_PENDING) return;
      await Promise.race(open.filter((t) => t.file.pending > 0).map((t) => t.file.oldest()));
    }
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
      for (const t of open) t.arrow?.close();
      // every table's last row group is compressed at once; each file is awaited in turn for the progress
      const closing = open.map((t) => t.file.close());
      for (const c of closing) c.catch(() => {});
      const steps = open.length + 1;
      const rows: Record<string, number> = {};
      for (const [step, t] of open.entries()) {
        onProgress?.({ name: t.spec.name, step, steps });
        await closing[step];
        rows[t.spec.name] = t.file.rowCount;
      }
      await this.thread?.end();
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
        await Promise.all([...this.tables.values()].map((t) => t.file.abandon().catch(() => {}))); // no write lands in the directory after it goes
        await this.thread?.end();
        await this.claim.abandon();
      }
    }
  }

  /** Give up a run (the replay failed): let the writes in flight end, close the files and remove the temporary directory; OUT stays as it was. */
  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      for (const t of this.tables.values()) {
        try {
          t.arrow?.close();
        } catch {
          // best effort: the directory is being abandoned
        }
      }
      await Promise.all([...this.tables.values()].map((t) => t.file.abandon().catch(() => {})));
      await this.thread?.end();
    } finally {
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
    const path = join(this.workDir, `${spec.name}.parquet`);
    const file = this.thread ? this.thread.table(path, spec, this.createdBy) : new TableFile(path, spec, this.dicts, this.caches, this.createdBy);
    t = { spec, file, arrow, rows: 0 };
    this.tables.set(spec.name, t);
    return t;
  }
}

function sameColumns(a: AnyTable, b: AnyTable): boolean {
  return a.columns.length === b.columns.length && a.columns.every((c, i) => c.name === b.columns[i]!.name && c.kind === b.columns[i]!.kind);
}
