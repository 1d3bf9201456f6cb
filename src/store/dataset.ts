// Many traces as one dataset: each trace replayed on its own (the model state
// belongs to one trace) into OUT/trace=NAME/, a whole run, several at once;
// then OUT/vmreplay.duckdb with a view per table over every partition
// (read_parquet of trace=*/TABLE.parquet with Hive partitioning, so each
// table gains a `trace` column), the models and traces tables, the analysis
// views per trace (views.ts, byTrace), and OUT/manifest.json listing the
// traces' own manifests.
// The layout is a Hive-partitioned dataset any Parquet engine reads as it
// stands. As for one run, everything is written beside OUT and renamed into
// place when complete (outdir.ts): a failed trace leaves OUT as it was.

import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { traceStem } from '../ingest/source/trace-files.js';
import { toolCommit, VERSION } from '../common/version.js';
import { HEX_MACRO, modelsTable, parquetView } from './database.js';
import { anchorViews, PARTITION_GLOB } from './location.js';
import { type DatasetTraceRecord, type Manifest, readManifest, type TableRecord, TOOL, writeManifest } from './manifest.js';
import { claimOutDir, DATABASE_FILE, PARTITION_PREFIX } from './outdir.js';
import { literal } from './sql.js';
import { STANDARD_TABLES } from './store.js';
import { chooseBuckets, DATASET_VIEW_NAMES, type ViewContext, viewStatements } from './views.js';

/** Replays one trace into `dir` as a whole run (e.g. in a child process); rejects if it fails, and stops early when `signal` aborts. */
export type ReplayOne = (input: string, dir: string, signal: AbortSignal) => Promise<void>;

export interface DatasetSummary {
  readonly outDir: string;
  readonly manifest: Manifest;
}

/** Read options that make the partition name a string whatever it looks like (a trace named `2024` stays text). */
export const READ_OPTIONS = `hive_partitioning = true, union_by_name = true, hive_types = {'trace': 'VARCHAR'}`;

/** Partition names for the traces: each file's stem with anything but letters, digits, `.`, `_`, `-` made `_`, unique (`-2`, `-3`, ...). */
export function partitionNames(inputs: readonly string[]): string[] {
  const taken = new Set<string>();
  return inputs.map((input) => {
    const base =
      traceStem(input)
        .replace(/[^A-Za-z0-9._-]/g, '_')
        .replace(/^\.+/, '_') || 'trace';
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}-${n}`;
    taken.add(name.toLowerCase()); // distinct on case-insensitive file systems too
    return name;
  });
}

/** Replay every input into OUT/trace=NAME/ with at most `parallel` at once, then build the dataset's database and manifest. */
export async function replayDatasetIntoDirectory(inputs: readonly string[], outDir: string, parallel: number, replayOne: ReplayOne): Promise<DatasetSummary> {
  const names = partitionNames(inputs);
  const claim = await claimOutDir(
    outDir,
    STANDARD_TABLES.map((t) => t.name),
  );
  let committed = false;
  try {
    await replayAll(inputs, names, claim.workDir, parallel, replayOne);
    const traces: DatasetTraceRecord[] = [];
    for (const [i, name] of names.entries()) {
      const manifest = await readManifest(join(claim.workDir, partition(name)));
      if (manifest?.status !== 'complete') throw new Error(`dataset: the run of ${inputs[i]} left no complete manifest`);
      traces.push({ name, input: inputs[i]!, manifest });
    }
    const manifest = await buildDataset(claim.workDir, traces);
    await writeManifest(claim.workDir, manifest);
    await claim.commit();
    committed = true;
    // Every database now names the files where they are (the runs were built elsewhere).
    await anchorViews(join(claim.outDir, DATABASE_FILE));
    for (const name of names) await anchorViews(join(claim.outDir, partition(name), DATABASE_FILE));
    return { outDir: claim.outDir, manifest };
  } finally {
    if (!committed) await claim.abandon();
  }
}

/** The `traces` table of a dataset's database: partition name and input file of each trace. */
export function tracesTable(traces: readonly DatasetTraceRecord[]): string {
  const rows = traces.map((t) => `(${literal(t.name)}, ${literal(t.input)})`).join(', ');
  return `CREATE TABLE traces AS SELECT * FROM (VALUES ${rows}) t(trace, input)`;
}

const partition = (name: string): string => `${PARTITION_PREFIX}${name}`;

/** A pool of `parallel` replays; the first failure aborts the others and is what this rejects with. */
async function replayAll(inputs: readonly string[], names: readonly string[], workDir: string, parallel: number, replayOne: ReplayOne): Promise<void> {
  const abort = new AbortController();
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async () => {
    while (failure === null && next < inputs.length) {
      const i = next++;
      try {
        await replayOne(inputs[i]!, join(workDir, partition(names[i]!)), abort.signal);
      } catch (error) {
        failure ??= { error };
        abort.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, inputs.length)) }, lane));
  if (failure !== null) throw (failure as { error: unknown }).error;
}

/** OUT/vmreplay.duckdb over the partitions (relative names, anchored once in place), and the dataset's manifest. */
async function buildDataset(workDir: string, traces: readonly DatasetTraceRecord[]): Promise<Manifest> {
  const first = traces[0]!.manifest;
  const tables: Record<string, TableRecord> = {};
  for (const t of traces) {
    for (const [name, record] of Object.entries(t.manifest.tables ?? {})) {
      tables[name] = { rows: (tables[name]?.rows ?? 0) + record.rows, parquet: join(PARTITION_GLOB, record.parquet), arrow: null };
    }
  }
  const models = first.models ?? [];
  const ctx: ViewContext = { models, baseline: first.baseline ?? null, t0: 0, ...chooseBuckets(0, 0), byTrace: true };
  const instance = await DuckDBInstance.create(join(workDir, DATABASE_FILE));
  const con = await instance.connect();
  let duckdb: string;
  try {
    await con.run(HEX_MACRO);
    for (const name of Object.keys(tables)) {
      const spec = STANDARD_TABLES.find((s) => s.name === name) ?? { name, columns: [] };
      await con.run(parquetView(spec as (typeof STANDARD_TABLES)[number], join(workDir, PARTITION_GLOB, `${name}.parquet`), READ_OPTIONS));
    }
    await con.run(modelsTable(ctx));
    await con.run(tracesTable(traces));
    for (const sql of viewStatements(ctx)) await con.run(sql);
    await con.run('CHECKPOINT');
    duckdb = (await con.runAndReadAll('SELECT version()')).getRows()[0]![0] as string;
  } finally {
    con.closeSync();
    instance.closeSync();
  }
  return {
    tool: TOOL,
    version: VERSION,
    status: 'complete',
    created: new Date().toISOString(),
    inputs: traces.flatMap((t) => t.manifest.inputs ?? []),
    models,
    baseline: ctx.baseline,
    knobs: first.knobs ?? {},
    tables,
    database: { file: DATABASE_FILE, layout: 'dataset-views', duckdb },
    views: DATASET_VIEW_NAMES,
    node: process.version,
    commit: toolCommit(),
    traces,
  };
}
