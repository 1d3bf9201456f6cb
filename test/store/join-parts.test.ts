// Joining zstd Parquet parts written by DuckDB into one file without
// re-encoding (join.ts): DuckDB reads the joined file with every part's rows
// in order, its metadata and schema functions work on it, filters pruned by
// min/max statistics and bloom filters give the right answers, one part is
// just renamed, and a part that is not a whole Parquet file is refused with
// a message naming it.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import t, { type Test } from 'tap';
import { joinParquet } from '../../src/store/join.js';
import { literal } from '../../src/store/sql.js';
import { decodeStruct, encodeStruct } from '../../src/store/thrift.js';

/** Rows [from, to): i is the row's position in the whole; nulls, repeated strings and addresses above 2^63 among them. */
const ROWS = (from: number, to: number) => `
  SELECT i,
         CASE WHEN i % 7 = 0 THEN NULL ELSE 'str-' || (i % 13) END AS s,
         CASE WHEN i % 5 = 0 THEN NULL ELSE 18446744073709551615::UBIGINT - i::UBIGINT * 4096 END AS addr,
         CASE WHEN i % 11 = 0 THEN NULL ELSE i / 4.0 END AS d,
         i % 3 = 0 AS b,
         'model-' || (i // 1000) AS m
  FROM range(${from}, ${to}) r(i)`;

/** The boundaries of the parts: several row groups each (ROW_GROUP_SIZE 2048, DuckDB's least), the last one short. */
const BOUNDS = [0, 5000, 10000, 14600];
const N = 14600;

async function connect(t: Test): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  t.teardown(() => {
    con.closeSync();
    instance.closeSync();
  });
  return con;
}

async function writeParts(con: DuckDBConnection, dir: string, bounds = BOUNDS): Promise<string[]> {
  const parts: string[] = [];
  for (let p = 0; p + 1 < bounds.length; p++) {
    const path = join(dir, `part-${p}.parquet`);
    await con.run(`COPY (${ROWS(bounds[p]!, bounds[p + 1]!)}) TO ${literal(path)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 2048)`);
    parts.push(path);
  }
  return parts;
}

const one = async (con: DuckDBConnection, sql: string): Promise<unknown[]> => (await con.runAndReadAll(sql)).getRows()[0]!;

t.test('parts joined: the rows of every part, in order, read back by DuckDB', async (t) => {
  const dir = t.testdir();
  const con = await connect(t);
  const parts = await writeParts(con, dir);
  // Each part's row groups (rows, min and max of i), in part order: the joined file must have these, in this order.
  const partGroups: unknown[][] = [];
  for (const p of parts) {
    partGroups.push(
      ...(
        await con.runAndReadAll(
          `SELECT row_group_num_rows, stats_min, stats_max FROM parquet_metadata(${literal(p)}) WHERE path_in_schema = 'i' ORDER BY row_group_id`,
        )
      ).getRows(),
    );
  }
  t.ok(partGroups.length >= 7, `${partGroups.length} row groups in the parts`);
  const target = join(dir, 'joined.parquet');
  t.equal(await joinParquet(parts, target), N, 'rows of all parts');
  t.same(
    readdirSync(dir).filter((f) => f.startsWith('part-')),
    [],
    'the parts are gone',
  );
  const file = `read_parquet(${literal(target)}, file_row_number = true)`;
  t.same(
    await one(con, `SELECT count(*), count(s), count(addr), count(d), sum(i) FROM ${file}`),
    [N, N - Math.ceil(N / 7), N - Math.ceil(N / 5), N - Math.ceil(N / 11), (N * (N - 1)) / 2].map(BigInt),
    'counts, nulls and sums',
  );
  t.same(await one(con, `SELECT count(*) FROM ${file} WHERE i <> file_row_number`), [0n], 'every row at its place');
  const expected = `(SELECT *, i AS file_row_number FROM (${ROWS(0, N)}))`;
  t.same(await one(con, `SELECT count(*) FROM (SELECT * FROM ${file} EXCEPT ALL SELECT * FROM ${expected})`), [0n], 'no row differs from the rows written');
  t.same(await one(con, `SELECT count(*) FROM (SELECT * FROM ${expected} EXCEPT ALL SELECT * FROM ${file})`), [0n], 'no row written is missing');

  const groups = (
    await con.runAndReadAll(
      `SELECT row_group_num_rows, stats_min, stats_max, data_page_offset FROM parquet_metadata(${literal(target)}) WHERE path_in_schema = 'i' ORDER BY row_group_id`,
    )
  ).getRows();
  t.same(
    groups.map((g) => g.slice(0, 3)),
    partGroups,
    'the row groups of every part in order, each with its own min/max statistics',
  );
  t.ok(
    groups.every((g, k) => k === 0 || Number(g[3]) > Number(groups[k - 1]![3])),
    'data pages at increasing offsets',
  );
  const schema = (await con.runAndReadAll(`SELECT name, type FROM parquet_schema(${literal(target)})`)).getRows();
  t.same(schema.slice(1), [
    ['i', 'INT64'],
    ['s', 'BYTE_ARRAY'],
    ['addr', 'INT64'],
    ['d', 'DOUBLE'],
    ['b', 'BOOLEAN'],
    ['m', 'BYTE_ARRAY'],
  ]);
  const plain = `read_parquet(${literal(target)})`;
  t.same(
    await one(con, `SELECT count(*), sum(i) FROM ${plain} WHERE i BETWEEN 9990 AND 10010`),
    [21n, 210000n],
    'a range across two parts (row groups pruned by min/max)',
  );
  t.same(await one(con, `SELECT count(*), min(i) FROM ${plain} WHERE i >= ${N - 1}`), [1n, BigInt(N - 1)], 'the last row');
  t.same(
    await one(con, `SELECT count(*) FROM ${plain} WHERE addr > 18446744073709551615::UBIGINT - 4096 * 10`),
    [8n],
    'addresses above 2^63 compare exactly (i 1..9 but 5)',
  );
  t.same(await one(con, `SELECT count(*) FROM ${plain} WHERE m = 'model-12'`), [1000n], 'an equality filter (bloom filters of a later part)');
  t.same(await one(con, `SELECT count(*) FROM ${plain} WHERE s = 'str-3'`), [BigInt(countS(N, 3))], 'a string filter');
});

/** Rows among [0, n) with i % 13 == r and i % 7 != 0. */
function countS(n: number, r: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (i % 13 === r && i % 7 !== 0) c++;
  return c;
}

t.test('one part: renamed, byte for byte', async (t) => {
  const dir = t.testdir();
  const con = await connect(t);
  const [part] = await writeParts(con, dir, [0, 2500]);
  const bytes = readFileSync(part!);
  const target = join(dir, 'joined.parquet');
  t.equal(await joinParquet([part!], target), 2500);
  t.notOk(existsSync(part!));
  t.same(readFileSync(target), bytes);
});

t.test('an empty part (no row groups) joins with the others', async (t) => {
  const dir = t.testdir();
  const con = await connect(t);
  const empty = join(dir, 'empty.parquet');
  await con.run(`COPY (${ROWS(0, 0)}) TO ${literal(empty)} (FORMAT parquet, COMPRESSION zstd)`);
  const parts = await writeParts(con, dir, [0, 1500, 3000]);
  const target = join(dir, 'joined.parquet');
  t.equal(await joinParquet([empty, ...parts], target), 3000);
  t.same(await one(con, `SELECT count(*), sum(i), bool_and(file_row_number = i) FROM read_parquet(${literal(target)}, file_row_number = true)`), [
    3000n,
    4498500n,
    true,
  ]);
});

t.test('a footer decoded and encoded again is the same bytes', async (t) => {
  const dir = t.testdir();
  const con = await connect(t);
  const [part] = await writeParts(con, dir, [0, 2500]);
  const bytes = readFileSync(part!);
  const length = bytes.readUInt32LE(bytes.length - 8);
  const footer = bytes.subarray(bytes.length - 8 - length, bytes.length - 8);
  t.same(Buffer.from(encodeStruct(decodeStruct(footer))), footer);
});

t.test('a part that is not a whole Parquet file is refused, naming it', async (t) => {
  const dir = t.testdir();
  const con = await connect(t);
  const [a, b] = await writeParts(con, dir, [0, 1000, 2000]);
  const truncated = join(dir, 'truncated.parquet');
  writeFileSync(truncated, readFileSync(b!).subarray(0, 600));
  await t.rejects(joinParquet([a!, truncated], join(dir, 'x.parquet')), {
    message: `parquet join: ${truncated} is not a whole Parquet file: no PAR1 magic at its start and end`,
  });

  const [c, d] = await writeParts(con, dir, [0, 1000, 2000]);
  const garbled = readFileSync(d!);
  const length = garbled.readUInt32LE(garbled.length - 8);
  garbled.fill(0xff, garbled.length - 8 - length, garbled.length - 8);
  writeFileSync(d!, garbled);
  await t.rejects(joinParquet([c!, d!], join(dir, 'y.parquet')), {
    message: new RegExp(
      `^parquet join: ${d!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a whole Parquet file: its footer does not decode \\(.* at byte \\d+\\)$`,
    ),
  });

  const other = join(dir, 'other.parquet');
  await con.run(`COPY (SELECT 1 AS x) TO ${literal(other)} (FORMAT parquet)`);
  const [e] = await writeParts(con, dir, [0, 1000]);
  await t.rejects(joinParquet([e!, other], join(dir, 'z.parquet')), {
    message: `parquet join: ${other} has another schema than the first part of ${join(dir, 'z.parquet')}`,
  });
});
