// The final Parquet tables, built while the replay runs. Each staging file a
// table finishes (staging.ts) is queued here; a DuckDB COPY turns it into a
// zstd part (sentinel values to NULL, counts and times to BIGINT: sql.ts,
// finalSelect), which is appended to the table's file in the run directory
// without re-encoding (join.ts), in order, and the staging file removed. The
// COPYs run on libuv worker threads, so DuckDB's Parquet writer, the costly
// part of the build, uses the second core while the main thread replays.
// Two COPYs may run at once (LANES), each on its own connection: a COPY of
// one row group runs on one thread whatever DuckDB's thread count, and
// with two the second core stays busy while the replay waits for DuckDB.
//
// write() cannot wait, so a failed conversion is kept and thrown by the next
// wait() (the store's flush(), awaited between input batches), which also
// holds the replay back while too many files are queued: disk and memory
// stay bounded when DuckDB is the slower side.

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { ColumnSpec, TableSpec } from '../columns/table.js';
import { onInterrupt } from '../common/interrupt.js';
import { JoinedParquet } from './join.js';
import { finalSelect, literal } from './sql.js';

type AnyTable = TableSpec<readonly ColumnSpec[]>;

/**
 * DuckDB while it converts: one thread, and no cache of the staging files it
 * reads. Measured on 1M and 4M-event runs (docs/scale.md), the default (a
 * thread per core, file cache on) took 460 and 720 MB for the COPYs, growing
 * with the trace; this takes 270 and 290 MB, and fewer CPU-seconds.
 */
export const BUILD_CONFIG = { threads: '1', enable_external_file_cache: 'false' };

/**
 * How each part is written. A dictionary is kept only while it stays under
 * DICTIONARY_SIZE_LIMIT bytes per row group: the low-cardinality columns
 * (model, site, reason, types, modes, pids) keep theirs, while near-unique
 * ones (op_id, hold_ns) go PLAIN and zstd does better on them. Measured on
 * the acquisitions of a 1M-event run: 12% less DuckDB time and 24% smaller
 * (15.7 against 20.6 MB) than DuckDB's default limit.
 */
export const PART_OPTIONS = 'FORMAT parquet, COMPRESSION zstd, DICTIONARY_SIZE_LIMIT 10000';

/**
 * COPYs that may run at once, each on its own connection (and libuv thread).
 * Measured with two against one (docs/scale.md): `replay -o` of 1M, 10M and
 * 50M events 13-16% faster, peak RSS 70 MB higher.
 */
export const LANES = 2;

/** Staging files queued but not yet converted before wait() holds the replay back. */
export const MAX_QUEUED = 4;

interface TableParts {
  readonly spec: AnyTable;
  readonly joined: JoinedParquet;
  /** rows DuckDB reported converting */
  copied: number;
  /** settles when the table's last queued file is converted (or dropped) */
  last: Promise<void>;
}

export class TableConverter {
  private readonly tables = new Map<string, TableParts>();
  /** the COPYs, one after the other in each lane; each settles with its part, or null when skipped or failed */
  private readonly lanes: Promise<unknown>[];
  private nextLane = 0;
  private queued = 0;
  private running = 0;
  private stopped = false;
  private failure: { readonly error: unknown } | null = null;
  private readonly waiters: (() => void)[] = [];
  private closed = false;
  private readonly unregister: () => void;

  private constructor(
    private readonly dir: string,
    private readonly instance: DuckDBInstance,
    private readonly connections: readonly DuckDBConnection[],
  ) {
    this.lanes = connections.map(() => Promise.resolve());
    // On Ctrl-C the process exits after the cleanups: ask DuckDB to stop writing into the directory being removed.
    this.unregister = onInterrupt(() => this.interrupt());
  }

  private interrupt(): void {
    if (this.running > 0) for (const c of this.connections) c.interrupt();
  }

  /** A converter writing the tables into `dir` (an in-memory DuckDB: the conversions need no database). */
  static async open(dir: string): Promise<TableConverter> {
    const instance = await DuckDBInstance.create(':memory:', BUILD_CONFIG);
    try {
      return new TableConverter(dir, instance, await Promise.all(Array.from({ length: LANES }, () => instance.connect())));
    } catch (e) {
      instance.closeSync();
      throw e;
    }
  }

  /** Where `spec`'s table ends up. */
  target(spec: AnyTable): string {
    return join(this.dir, `${spec.name}.parquet`);
  }

  /**
   * Queue `stagingFile` (a finished staging file of `spec`) to be converted
   * and appended to the table, in order. The next COPY starts as soon as
   * DuckDB is done with this one; the part is appended to its table
   * meanwhile, so DuckDB does not wait for the file work, which goes at the
   * pace of the replay's thread.
   */
  convert(spec: AnyTable, stagingFile: string): void {
    if (this.stopped) return;
    let t = this.tables.get(spec.name);
    if (!t) this.tables.set(spec.name, (t = { spec, joined: new JoinedParquet(this.target(spec)), copied: 0, last: Promise.resolve() }));
    const table = t;
    this.queued++;
    const lane = this.nextLane++ % this.lanes.length;
    const connection = this.connections[lane]!;
    const copied = this.lanes[lane]!.then(() => this.guarded(table, stagingFile, () => this.copy(table, stagingFile, connection)));
    this.lanes[lane] = copied;
    table.last = Promise.all([copied, table.last])
      .then(([part]) => (part === undefined ? undefined : this.guarded(table, stagingFile, () => this.append(table, stagingFile, part))))
      .finally(() => {
        this.queued--;
        for (const wake of this.waiters.splice(0)) wake();
      });
  }

  /** Throw a conversion's failure if one failed; wait while more than `max` files are queued. */
  async wait(max = MAX_QUEUED): Promise<void> {
    this.check();
    while (this.queued > max) {
      await new Promise<void>((wake) => this.waiters.push(wake));
      this.check();
    }
  }

  /** Wait for every file of `spec` queued so far (and those queued before them), then write the table's footer; returns its rows. */
  async finish(spec: AnyTable): Promise<number> {
    const t = this.tables.get(spec.name);
    if (!t) throw new Error(`store: no staging file was queued for ${spec.name}`);
    await t.last;
    this.check();
    const rows = await t.joined.finish();
    if (rows !== t.copied) throw new Error(`store: ${spec.name}.parquet has ${rows} rows, DuckDB wrote ${t.copied}`);
    return rows;
  }

  /** Stop converting: the COPY in flight is interrupted and awaited, the rest dropped, DuckDB closed. Safe to call twice. */
  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.interrupt();
    }
    await Promise.all(this.lanes);
    await Promise.all([...this.tables.values()].map((t) => t.last));
    this.close();
  }

  /** Close DuckDB (every conversion finished or stopped). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unregister();
    for (const c of this.connections) c.closeSync();
    this.instance.closeSync();
  }

  private check(): void {
    if (this.failure) throw this.failure.error;
  }

  /** Run `step` unless the converter stopped or failed; a failure is kept (and thrown by wait() and finish()). Undefined when skipped or failed. */
  private async guarded<T>(t: TableParts, stagingFile: string, step: () => Promise<T>): Promise<T | undefined> {
    if (this.stopped || this.failure) return undefined;
    try {
      return await step();
    } catch (e) {
      const why = (e as Error).message.split('\n').find((l) => l.trim() !== '') ?? String(e);
      this.failure ??= { error: new Error(`store: converting ${stagingFile} into ${t.spec.name}.parquet failed: ${why}`, { cause: e }) };
      return undefined;
    }
  }

  /** DuckDB's part of a conversion: the staging file to a zstd part beside it; returns the part. */
  private async copy(t: TableParts, stagingFile: string, connection: DuckDBConnection): Promise<string> {
    const part = stagingFile.replace(/\.parquet$/, '.part.parquet');
    const source = `read_parquet(${literal(stagingFile)})`;
    this.running++;
    try {
      // run(), not runAndReadAll(): one call into DuckDB, the count then read without another round trip.
      const result = await connection.run(`COPY (${finalSelect(t.spec.columns, source)}) TO ${literal(part)} (${PART_OPTIONS})`);
      t.copied += Number(result.getChunk(0).getColumnValues(0)[0]);
    } finally {
      this.running--;
    }
    return part;
  }

  /** The file work: the staging file goes, the part joins the table. */
  private async append(t: TableParts, stagingFile: string, part: string): Promise<void> {
    await rm(stagingFile);
    await t.joined.add(part);
  }
}
