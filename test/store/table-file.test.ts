// The final Parquet files the store writes itself (table-file.ts, parquet.ts):
// every column kind reads back through DuckDB exactly as written, nulls and
// values above 2^53 included, over several row groups and in order; the
// schema has the documented types; statistics, dictionaries and zstd are in
// the metadata; every address has its hex text beside it; an empty table is
// a valid file; and a failed write reaches flush() and close().

import { closeSync, existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import t from 'tap';
import { EVENTS } from '../../src/events/schema.js';
import { ACQUISITIONS, FAULTS } from '../../src/replay/tables.js';
import { openStore } from '../../src/store/index.js';
import { bitWidthOf, packBits, ParquetWriter } from '../../src/store/parquet.js';
import { ident, isAddress, literal, sqlType } from '../../src/store/sql.js';
import { ByteCaches, hex64, ROW_GROUP_ROWS, TableFile } from '../../src/store/table-file.js';
import { type AnySpec, Expected, fillBatch, fingerprintFromRow, fingerprintSql, HIGH_ADDRESS, newDicts } from './fixtures.js';

const duck = async () => {
  const c = await (await DuckDBInstance.create(':memory:')).connect();
  return {
    rows: async (sql: string) => (await c.runAndReadAll(sql)).getRowObjectsJson(),
    close: () => c.closeSync(),
  };
};

for (const spec of [EVENTS, ACQUISITIONS, FAULTS] as unknown as AnySpec[]) {
  t.test(`${spec.name}: every column reads back exactly, over several row groups, in order`, async (t) => {
    const dicts = newDicts();
    const path = join(t.testdir(), `${spec.name}.parquet`);
    const groupRows = 4096; // small row groups: many of them, quickly
    const file = new TableFile(path, spec, dicts, new ByteCaches(dicts), 'test', groupRows);
    const expected = new Expected(spec, dicts);
    const batchRows = 3000; // batches straddle row groups
    const rows = 2 * groupRows + 1234;
    for (let b = 0, left = rows; left > 0; b++, left -= batchRows) {
      const batch = fillBatch(spec, dicts, b, Math.min(batchRows, left), batchRows);
      expected.add(batch);
      file.write(batch);
    }
    await file.close();
    t.equal(file.rowCount, rows);
    const db = await duck();
    t.teardown(db.close);
    const source = `read_parquet(${literal(path)})`;
    const row = (await (await (await DuckDBInstance.create(':memory:')).connect()).runAndReadAll(fingerprintSql(spec, source))).getRows()[0]!;
    t.same(fingerprintFromRow(spec, row), { rows: expected.rows, fingerprint: expected.fingerprint() }, 'counts and exact sums per column');
    const groups = await db.rows(`SELECT count(DISTINCT row_group_id) n FROM parquet_metadata(${literal(path)})`);
    t.equal(Number(groups[0]!.n), 3, 'row groups of the size asked for');
    if (spec.columns.some((c) => c.name === 'ts')) {
      const order = await db.rows(
        `SELECT bool_and(ts > prev) ok FROM (SELECT ts, lag(ts) OVER (ORDER BY file_row_number) prev FROM read_parquet(${literal(path)}, file_row_number = true)) WHERE prev IS NOT NULL`,
      );
      t.same(order, [{ ok: true }], 'rows in the order written');
    }
    const types = await db.rows(`DESCRIBE SELECT * FROM ${source}`);
    const addresses = spec.columns.filter(isAddress);
    t.same(
      types.map((r) => [r.column_name, r.column_type]),
      [...spec.columns.map((c) => [c.name, sqlType(c.kind)]), ...addresses.map((c) => [`${c.name}_hex`, 'VARCHAR'])],
      'the documented SQL types, then a hex text column per address',
    );
    for (const c of addresses) {
      const bad = await db.rows(`SELECT count(*) n FROM ${source} WHERE ${ident(`${c.name}_hex`)} IS DISTINCT FROM '0x' || lower(hex(${ident(c.name)}))`);
      t.equal(Number(bad[0]!.n), 0, `${c.name}_hex is ${c.name} in hex, null where it is null`);
    }
  });
}

t.test('metadata: zstd, dictionaries, statistics that DuckDB reads', async (t) => {
  const dicts = newDicts();
  const spec = ACQUISITIONS as unknown as AnySpec;
  const path = join(t.testdir(), 'a.parquet');
  const file = new TableFile(path, spec, dicts, new ByteCaches(dicts), 'vmreplay test');
  file.write(fillBatch(spec, dicts, 0, 5000));
  await file.close();
  const db = await duck();
  t.teardown(db.close);
  const meta = await db.rows(`SELECT * FROM parquet_metadata(${literal(path)})`);
  t.ok(
    meta.every((m) => m.compression === 'ZSTD'),
    'every chunk zstd',
  );
  const chunk = (name: string) => meta.find((m) => m.path_in_schema === name)!;
  t.match(chunk('model').encodings, /RLE_DICTIONARY/, 'strings through a dictionary');
  t.match(chunk('obj').encodings, /RLE_DICTIONARY/, 'addresses through a dictionary');
  t.match(chunk('attempt').encodings, /RLE_DICTIONARY/, 'integers that repeat (300 values in 5000 rows) through a dictionary');
  t.notMatch(chunk('cpu').encodings, /DICTIONARY/, 'distinct integers PLAIN');
  t.match(chunk('ts').encodings, /PLAIN/, 'times PLAIN');
  // fillBatch: ts = 1.7e15 + i * 1000 (truncated), never null; obj: HIGH_ADDRESS + (i % 13) * 0x1000, null every 5th row
  t.equal(chunk('ts').stats_min_value, String(1.7e15));
  t.equal(chunk('ts').stats_max_value, String(1.7e15 + 4999 * 1000));
  t.equal(Number(chunk('ts').stats_null_count), 0);
  t.equal(chunk('obj').stats_min_value, String(HIGH_ADDRESS), 'unsigned 64-bit minimum');
  t.equal(chunk('obj').stats_max_value, String(HIGH_ADDRESS + 12n * 0x1000n));
  t.ok(Number(chunk('obj').stats_null_count) > 0, 'null count');
  const created = await db.rows(`SELECT created_by FROM parquet_file_metadata(${literal(path)})`);
  t.same(created, [{ created_by: 'vmreplay test' }]);
  // statistics are used: a filter outside [min, max] reads no row group
  const none = await db.rows(`SELECT count(*) n FROM read_parquet(${literal(path)}) WHERE ts < 0`);
  t.same(none, [{ n: '0' }]);
});

t.test('an empty table is a valid file with its schema', async (t) => {
  const dicts = newDicts();
  const spec = FAULTS as unknown as AnySpec;
  const path = join(t.testdir(), 'f.parquet');
  const file = new TableFile(path, spec, dicts, new ByteCaches(dicts), 'test');
  await file.close();
  const db = await duck();
  t.teardown(db.close);
  t.same(await db.rows(`SELECT count(*) n FROM read_parquet(${literal(path)})`), [{ n: '0' }]);
  t.equal((await db.rows(`DESCRIBE SELECT * FROM read_parquet(${literal(path)})`)).length, spec.columns.length + spec.columns.filter(isAddress).length);
});

t.test('bit packing and widths', async (t) => {
  t.same([1, 2, 3, 256, 257, 65536, 65537].map(bitWidthOf), [1, 1, 2, 8, 9, 16, 17]);
  const values = Int32Array.from([1, 0, 3, 2, 1, 0, 3, 2, 1]);
  // width 2, LSB first: 1,0,3,2 -> 0b10_11_00_01 = 0xb1; the 9th value alone in a third byte
  t.same([...packBits(values, 9, 2)], [0xb1, 0xb1, 0x01]);
  t.same([...packBits(Int32Array.from([5, 300]), 2, 16)], [5, 0, 44, 1], 'width 16: little-endian halves');
  t.same([...packBits(Int32Array.from([1, 2, 3]), 3, 9)], [0b00000001, 0b00000100, 0b00001100, 0], '9 bits, across bytes');
  t.equal(hex64(0, 0), '0x0');
  t.equal(hex64(0xfffff800, 0x10a3c001), '0xfffff80010a3c001');
  t.equal(hex64(1, 5), '0x100000005');
});

t.test('a failed write is kept: close() rejects with it', async (t) => {
  const path = join(t.testdir(), 'w.parquet');
  const writer = new ParquetWriter(path, [{ name: 'x', type: 'int32', optional: true }]);
  closeSync((writer as unknown as { fd: number }).fd); // the writes now fail (EBADF)
  const done = writer.addRowGroup(1, [{ validity: null, values: new Uint8Array(4) }]);
  await t.rejects(done, { code: 'EBADF' });
  t.match(writer.failed, { code: 'EBADF' });
  await t.rejects(writer.close(), { code: 'EBADF' });
});

t.test('a failed write is thrown by flush() and close(); OUT stays as it was', async (t) => {
  const dir = t.testdir();
  const out = join(dir, 'out');
  const dicts = newDicts();
  const store = await openStore(out, dicts);
  const spec = ACQUISITIONS as unknown as AnySpec;
  store.write(spec, fillBatch(spec, dicts, 0, 10));
  // the acquisitions file's descriptor goes away under the store: its next row group cannot be written
  const tables = (store as unknown as { tables: Map<string, { file: { writer: { fd: number } } }> }).tables;
  closeSync(tables.get('acquisitions')!.file.writer.fd);
  for (let b = 1; b <= ROW_GROUP_ROWS / 8192 + 1; b++) store.write(spec, fillBatch(spec, dicts, b, 8192));
  let error: unknown = null;
  for (let i = 0; i < 100 && error === null; i++) {
    await new Promise((r) => setTimeout(r, 10));
    await store.flush().catch((e: unknown) => (error = e));
  }
  t.match(error, { code: 'EBADF' }, 'flush() throws the write failure');
  await t.rejects(store.close({ inputs: [], models: ['old'], knobs: {} }), { code: 'EBADF' });
  t.notOk(existsSync(out), 'no OUT');
  t.same(
    readdirSync(dirname(out)).filter((n) => n.startsWith(`.${basename(out)}.vmreplay-`)),
    [],
    'no temporary directory',
  );
});

t.test('the writer thread writes the same files as this thread', async (t) => {
  const dir = t.testdir();
  const specs = [EVENTS, ACQUISITIONS, FAULTS] as unknown as AnySpec[];
  const bytes: Record<string, string>[] = [];
  for (const writerThread of [false, true]) {
    const dicts = newDicts();
    const out = join(dir, `out-${writerThread}`);
    const store = await openStore(out, dicts, { writerThread });
    // strings and addresses keep arriving, so every batch carries new dictionary entries to the thread
    for (let b = 0; b < 40; b++) for (const spec of specs) store.write(spec, fillBatch(spec, dicts, b, 7000));
    await store.flush();
    const summary = await store.close({ inputs: [], models: ['old'], knobs: {} });
    t.equal(summary.rows.acquisitions, 40 * 7000);
    const { readFileSync } = await import('node:fs');
    bytes.push(Object.fromEntries(specs.map((s) => [s.name, readFileSync(join(out, `${s.name}.parquet`)).toString('base64')])));
  }
  for (const spec of specs) t.ok(bytes[0]![spec.name] === bytes[1]![spec.name], `${spec.name}.parquet byte for byte`);
});

t.test('a write failure on the writer thread reaches flush() and close()', async (t) => {
  const dir = t.testdir();
  const out = join(dir, 'out');
  const dicts = newDicts();
  const store = await openStore(out, dicts, { writerThread: true });
  const spec = ACQUISITIONS as unknown as AnySpec;
  // the thread cannot create its file: the temporary directory holds a directory by that name
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(store.workDir, 'acquisitions.parquet'));
  store.write(spec, fillBatch(spec, dicts, 0, 10));
  let error: unknown = null;
  for (let i = 0; i < 200 && error === null; i++) {
    await new Promise((r) => setTimeout(r, 10));
    await store.flush().catch((e: unknown) => (error = e));
  }
  t.match(error, { code: 'EISDIR', message: /acquisitions\.parquet/ }, "flush() throws the thread's failure, code and path kept");
  await t.rejects(store.close({ inputs: [], models: ['old'], knobs: {} }), { code: 'EISDIR' });
  t.notOk(existsSync(out), 'no OUT');
});
