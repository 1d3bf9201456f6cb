// One DuckDB-to-JS rule for every reader of a run (store/values.ts): integers
// as numbers while exact, bigint beyond 2^53, timestamps as ISO text, nested
// values converted all the way down.

import { DuckDBInstance } from '@duckdb/node-api';
import t from 'tap';
import { plainValue } from '../../src/store/values.js';

t.test('plainValue: exact integers as numbers, larger ones as bigint, dates as text, nested values alike', async (t) => {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  t.teardown(() => {
    con.closeSync();
    instance.closeSync();
  });
  const result = await con.runAndReadAll(
    `SELECT 42::BIGINT AS small, 18446744073709551615::UBIGINT AS address, 9007199254740993::BIGINT AS past_2_53, 9007199254740991::HUGEINT AS at_2_53, ` +
      `1.5::DOUBLE AS real, 'x' AS text, NULL::BIGINT AS missing, true AS yes, TIMESTAMP '2024-01-02 03:04:05' AS at, ` +
      `[1::BIGINT, 18446744073709551615::UBIGINT] AS list, {'n': 7::BIGINT, 'ts': TIMESTAMP '2024-01-02 00:00:00'} AS struct, INTERVAL 3 SECOND AS span, 2.50::DECIMAL(4,2) AS dec`,
  );
  const [row] = result.convertRowObjects(plainValue);
  t.same(row, {
    small: 42,
    address: 18446744073709551615n,
    past_2_53: 9007199254740993n,
    at_2_53: 9007199254740991,
    real: 1.5,
    text: 'x',
    missing: null,
    yes: true,
    at: '2024-01-02T03:04:05.000Z',
    list: [1, 18446744073709551615n],
    struct: { n: 7, ts: '2024-01-02T00:00:00.000Z' },
    span: { months: 0, days: 0, micros: 3000000 },
    dec: 2.5,
  });
  t.equal(typeof row!.small, 'number');
});
