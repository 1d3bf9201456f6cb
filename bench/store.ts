// Store benchmark: how fast each way of getting replay tables into DuckDB and
// Parquet goes, during the run (the replay waits for it) and at close.
//
//  (a) DuckDB appender fed raw data chunks from the typed arrays (low-level
//      bindings, copy_data_to_vector) while the run goes, Parquet by COPY
//      from the loaded table at close;
//  (b) what the store does: the final Parquet files written by the project
//      from the typed arrays during the run (row groups encoded on the main
//      thread, zstd on the thread pool), and the database as views over those
//      files ("parquet-views") or as its own tables loaded from them ("tables");
//  (c) Arrow IPC stream writing alone (with --arrow; DuckDB cannot read it
//      back offline: its arrow extension is not built in);
//  (d) DuckDBDataChunk.setColumnValues with JS arrays, for reference.
//
// Run: npx tsx bench/store.ts (or through `npm run bench`).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, DuckDBInstance, DOUBLE, INTEGER, SMALLINT, UBIGINT, UTINYINT } from '@duckdb/node-api';
import { ColumnBatch, type ColumnSpec, type TableSpec } from '../src/columns/table.js';
import { AddressTable } from '../src/columns/addresses.js';
import { EVENTS } from '../src/events/schema.js';
import { StringTable } from '../src/columns/strings.js';
import { K } from '../src/events/vocabulary.js';
import { ACQUISITIONS } from '../src/replay/tables.js';
import { ArrowTableWriter } from '../src/store/arrow.js';
import { openStore } from '../src/store/index.js';
import { ByteCaches, TableFile } from '../src/store/table-file.js';

type AnySpec = TableSpec<readonly ColumnSpec[]>;
type AnyBatch = ColumnBatch<readonly ColumnSpec[]>;

const BATCH = 16384;
const ACQ_ROWS = 2_000_000;
const EVENT_ROWS = 1_000_000;

/** Wall-clock and CPU seconds (all threads of the process, DuckDB's included). */
interface Cost {
  wall: number;
  cpu: number;
}

interface Result extends Cost {
  option: string;
  phase: string;
  rows: number;
}

export async function benchStore(): Promise<void> {
  const results: Result[] = [];
  const record = (option: string, phase: string, rows: number, cost: Cost) => {
    results.push({ option, phase, rows, ...cost });
    const rate = (s: number) => (rows / s / 1e6).toFixed(2).padStart(6);
    console.log(`  ${option.padEnd(40)} ${phase.padEnd(6)} ${rate(cost.wall)} M rows/s wall, ${rate(cost.cpu)} M rows per CPU-second  (${rows} rows)`);
  };
  console.log('store: rows/s per option (acquisitions: 17 columns, events: 44 columns; CPU-seconds count every thread, so they hold on a busy machine)');
  const dicts = { strings: new StringTable(), addresses: new AddressTable() };
  const acq = sampleBatches(ACQUISITIONS, dicts, fillAcquisition);
  const events = sampleBatches(EVENTS, dicts, fillEvent);

  for (const [name, batches, rows] of [
    ['acquisitions', acq, ACQ_ROWS],
    ['events', events, EVENT_ROWS],
  ] as const) {
    const caches = new ByteCaches(dicts);
    const parquet = await best(() =>
      withDir((dir) =>
        timedAsync(async () => {
          const table = new TableFile(join(dir, `${name}.parquet`), batches[0]!.spec, dicts, caches, 'bench');
          writeAll(batches, rows, (b) => table.write(b));
          await table.close();
        }),
      ),
    );
    record(`(b) final Parquet, ${name}`, 'run', rows, parquet);
    const arrow = await best(() =>
      withDir(async (dir) => {
        const writer = new ArrowTableWriter(join(dir, `${name}.arrow`), batches[0]!.spec, dicts);
        const seconds = timed(() => writeAll(batches, rows, (b) => writer.write(b)));
        writer.close();
        return seconds;
      }),
    );
    record(`(c) Arrow IPC stream, ${name}`, 'run', rows, arrow);
  }

  for (const layout of ['parquet-views', 'tables'] as const) {
    await withDir(async (dir) => {
      const out = join(dir, 'out');
      const store = await openStore(out, dicts, { arrow: false, layout });
      const run = timed(() => writeAll(acq, ACQ_ROWS, (b) => store.write(ACQUISITIONS as TableSpec<readonly ColumnSpec[]>, b)));
      const close = await timedAsync(() => store.close({ inputs: [], models: ['old', 'new', 'new-fixed'], knobs: {} }));
      record(`(b) store, database ${layout}`, 'run', ACQ_ROWS, run);
      record(`(b) store, database ${layout}`, 'close', ACQ_ROWS, close);
    });
  }

  await withDir(async (dir) => {
    const { run, close } = await appenderRawChunks(dir, acq, ACQ_ROWS);
    record('(a) DuckDB appender, raw data chunks', 'run', ACQ_ROWS, run);
    record('(a) DuckDB appender, raw data chunks', 'close', ACQ_ROWS, close);
  });

  await withDir(async (dir) => {
    const rows = 200_000;
    record('(d) DuckDBDataChunk.setColumnValues', 'run', rows, await appenderJsValues(dir, acq, rows));
  });

  const cpuRate = (option: string, phase: string) => {
    const r = results.find((x) => x.option === option && x.phase === phase)!;
    return r.rows / r.cpu / 1e6;
  };
  const parquet = cpuRate('(b) final Parquet, acquisitions', 'run');
  const appender = cpuRate('(a) DuckDB appender, raw data chunks', 'run');
  console.log(
    `  chosen: (b) the final Parquet written during the run (${parquet.toFixed(2)} M acquisition rows per CPU-second, zstd included, ` +
      `${(parquet / appender).toFixed(1)}x the appender's ${appender.toFixed(2)}), ` +
      `then the database as parquet-views (close ${cpuRate('(b) store, database parquet-views', 'close').toFixed(2)} vs ` +
      `${cpuRate('(b) store, database tables', 'close').toFixed(2)} M rows per CPU-second when loading DuckDB tables)`,
  );
}

function timed(fn: () => void): Cost {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  fn();
  const used = process.cpuUsage(cpu);
  return { wall: (performance.now() - wall) / 1000, cpu: (used.user + used.system) / 1e6 };
}

async function timedAsync(fn: () => Promise<unknown>): Promise<Cost> {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(cpu);
  return { wall: (performance.now() - wall) / 1000, cpu: (used.user + used.system) / 1e6 };
}

function writeAll(batches: readonly AnyBatch[], rows: number, write: (b: AnyBatch) => void): void {
  for (let done = 0, i = 0; done < rows; done += BATCH, i++) write(batches[i % batches.length]!);
}

/** The cheapest of a few runs: the others measured a busy machine, not the code. */
async function best(run: () => Promise<Cost>, times = 3): Promise<Cost> {
  let min: Cost = { wall: Infinity, cpu: Infinity };
  for (let i = 0; i < times; i++) {
    const c = await run();
    min = { wall: Math.min(min.wall, c.wall), cpu: Math.min(min.cpu, c.cpu) };
  }
  return min;
}

/** Runs `fn` in a fresh directory (VMREPLAY_BENCH_DIR, default the system temp directory), removed after. */
async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(process.env.VMREPLAY_BENCH_DIR ?? tmpdir(), 'vmreplay-bench-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Fill = (b: AnyBatch, r: number, i: number, dicts: { strings: StringTable; addresses: AddressTable }) => void;

/** A few distinct full batches, written round-robin (the writers keep nothing between batches). */
function sampleBatches(spec: AnySpec, dicts: { strings: StringTable; addresses: AddressTable }, fill: Fill): AnyBatch[] {
  return Array.from({ length: 8 }, (_, k) => {
    const b = new ColumnBatch(spec, BATCH);
    for (let r = 0; r < BATCH; r++) fill(b, r, k * BATCH + r, dicts);
    b.length = BATCH;
    return b;
  });
}

/** The batch's columns by name, for filling by hand. */
const columnsOf = (b: AnyBatch) => b.cols as Record<string, { [row: number]: number }>;

const MODELS = ['old', 'new', 'new-fixed'];
const SITES = Array.from({ length: 30 }, (_, i) => `vm_site_${i}`);
const REASONS = ['first', 'backing', 'quick', 'vnode_pager_lock', 'upgrade', 'chain_release', 'prefault'];
const OP_KINDS = ['fault', 'exec_page', 'page_grab', 'load_section', 'reference', 'deallocate', 'shadow', 'map_split', 'collapse'];
const object = (i: number) => 0xfffff80010000000n + BigInt(i % 50_000) * 0x1000n;

function fillAcquisition(b: AnyBatch, r: number, i: number, d: { strings: StringTable; addresses: AddressTable }): void {
  const c = columnsOf(b);
  c.model![r] = d.strings.intern(MODELS[i % 3]!);
  c.op_id![r] = Math.floor(i / 10);
  c.op_kind![r] = d.strings.intern(OP_KINDS[(i >> 4) % OP_KINDS.length]!);
  c.attempt![r] = 1;
  c.seq![r] = i % 10;
  c.ts![r] = 1e12 + i * 250;
  c.hold_ns![r] = 400 + (i % 7) * 50;
  c.cpu![r] = i % 8;
  c.tid![r] = 1000 + (i % 300);
  c.pid![r] = 100 + (i % 120);
  c.obj![r] = i % 17 === 0 ? -1 : d.addresses.internBigInt(object(i * 7919));
  c.otype![r] = i % 3;
  c.class![r] = i % 17 === 0 ? 2 : i % 4 === 0 ? 1 : 0;
  c.mode![r] = i % 2;
  c.site![r] = d.strings.intern(SITES[(i * 31) % SITES.length]!);
  c.reason![r] = d.strings.intern(REASONS[i % REASONS.length]!);
  c.recursive![r] = i % 50 === 0 ? 1 : 0;
}

function fillEvent(b: AnyBatch, r: number, i: number, d: { strings: StringTable; addresses: AddressTable }): void {
  const c = columnsOf(b);
  const kind = [K.fault_begin, K.fault_obj, K.fault_obj, K.obj_lock, K.fault_end][i % 5]!;
  c.ts![r] = 1e12 + i * 1000;
  c.cpu![r] = i % 8;
  c.src_file![r] = 0;
  c.src_line![r] = i + 1;
  c.kind![r] = kind;
  c.name![r] = d.strings.intern(`ev_${kind}`);
  c.tid![r] = 1000 + (i % 300);
  c.pid![r] = 100 + (i % 120);
  c.comm![r] = d.strings.intern(`cc${i % 40}`);
  if (kind === K.fault_begin) {
    c.va![2 * r] = (i * 4096) >>> 0;
    c.va![2 * r + 1] = 0x8;
    c.ftype![r] = 1 + (i % 3);
  } else {
    c.obj![r] = d.addresses.internBigInt(object(i * 104729));
    c.otype![r] = i % 3;
    c.depth![r] = i % 3;
    c.site![r] = d.strings.intern(SITES[i % SITES.length]!);
  }
}

/** (a): raw data chunks into a DuckDB table of the staging types (strings and addresses as ids). */
async function appenderRawChunks(dir: string, batches: readonly AnyBatch[], rows: number): Promise<{ run: Cost; close: Cost }> {
  const db = await duckdb.open(join(dir, 'a.duckdb'));
  const con = await duckdb.connect(db);
  const spec = batches[0]!.spec;
  const typeOf = (c: ColumnSpec): [string, duckdb.Type] =>
    c.kind === 'ts' || c.kind === 'f64' || c.kind === 'i64'
      ? ['DOUBLE', duckdb.Type.DOUBLE]
      : c.kind === 'i16'
        ? ['SMALLINT', duckdb.Type.SMALLINT]
        : c.kind === 'i8' || c.kind === 'bool'
          ? ['TINYINT', duckdb.Type.TINYINT]
          : c.kind === 'enum'
            ? ['UTINYINT', duckdb.Type.UTINYINT]
            : ['INTEGER', duckdb.Type.INTEGER];
  await duckdb.query(con, `CREATE TABLE t (${spec.columns.map((c) => `"${c.name}" ${typeOf(c)[0]}`).join(', ')})`);
  const appender = duckdb.appender_create_ext(con, null, null, 't');
  const types = spec.columns.map((c) => duckdb.create_logical_type(typeOf(c)[1]));
  const vectorSize = duckdb.vector_size();
  const run = timed(() =>
    writeAll(batches, rows, (b) => {
      for (let start = 0; start < b.length; start += vectorSize) {
        const n = Math.min(vectorSize, b.length - start);
        const chunk = duckdb.create_data_chunk(types);
        duckdb.data_chunk_set_size(chunk, n);
        spec.columns.forEach((c, i) => {
          const a = b.column(c.name);
          const width = a.BYTES_PER_ELEMENT;
          duckdb.copy_data_to_vector(duckdb.data_chunk_get_vector(chunk, i), 0, a.buffer as ArrayBuffer, a.byteOffset + start * width, n * width);
        });
        duckdb.append_data_chunk(appender, chunk);
      }
    }),
  );
  const close = await timedAsync(async () => {
    duckdb.appender_close_sync(appender);
    await duckdb.query(con, `COPY t TO '${join(dir, 't.parquet')}' (FORMAT parquet, COMPRESSION zstd)`);
  });
  duckdb.disconnect_sync(con);
  duckdb.close_sync(db);
  return { run, close };
}

/** (d): the high-level API, values as JS arrays (five numeric columns). */
async function appenderJsValues(dir: string, batches: readonly AnyBatch[], rows: number): Promise<Cost> {
  const instance = await DuckDBInstance.create(join(dir, 'd.duckdb'));
  const con = await instance.connect();
  await con.run('CREATE TABLE t (ts DOUBLE, tid INTEGER, obj INTEGER, mode UTINYINT, attempt SMALLINT, pad UBIGINT)');
  const appender = await con.createAppender('t');
  const types = [DOUBLE, INTEGER, INTEGER, UTINYINT, SMALLINT, UBIGINT];
  const seconds = timed(() =>
    writeAll(batches, rows, (b) => {
      for (let start = 0; start < b.length; start += 2048) {
        const n = Math.min(2048, b.length - start);
        const chunk = DuckDBDataChunk.create(types, n);
        const cols = ['ts', 'tid', 'obj', 'mode', 'attempt'].map((name) => Array.from(b.column(name).subarray(start, start + n)));
        cols.forEach((values, i) => chunk.setColumnValues(i, values));
        chunk.setColumnValues(
          5,
          Array.from({ length: n }, (_, i) => BigInt(start + i)),
        );
        appender.appendDataChunk(chunk);
      }
    }),
  );
  appender.closeSync();
  con.closeSync();
  instance.closeSync();
  return seconds;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchStore();
