// `vmreplay query`: with no SQL, what there is to query; the table format for
// people (addresses in hex, pages of columns on a narrow terminal) and CSV and
// JSON for programs (exact decimal numbers).

import { join } from 'node:path';
import t from 'tap';
import { DuckDBInstance } from '@duckdb/node-api';
import { main } from '../../src/cli.js';
import { renderResult } from '../../src/report/render/results.js';
import { pagedTextTable } from '../../src/report/render/text-table.js';
import { VIEW_NAMES } from '../../src/store/views.js';
import { capture, fixture, ROOT } from '../helpers.js';
import { spawnCli } from './child.js';

const out = join(t.testdir(), 'out');
t.before(async () => {
  const r = await capture(() => main(['replay', fixture('basic.ktr'), '-o', out]));
  if (r.code !== 0) throw new Error(r.stderr);
});

t.test('query OUT with no SQL lists the tables and views, one line each on what they hold', async (t) => {
  const r = await capture(() => main(['query', out]));
  t.equal(r.code, 0, r.stderr);
  for (const table of ['events', 'acquisitions', 'faults', 'objects', 'models']) t.match(r.stdout, new RegExp(`\\n  ${table} +\\d+ rows  \\S`), table);
  t.match(r.stdout, /\n {2}acquisitions +\d+ rows {2}One row per lock acquisition per model/);
  for (const view of VIEW_NAMES) t.match(r.stdout, new RegExp(`\\n  ${view} +\\S`), view);
  t.ok(
    r.stdout.split('\n').every((l) => l.length <= 80),
    'one line each, within the width',
  );
});

t.test('the table format shows addresses in hex; CSV and JSON keep the exact numbers', async (t) => {
  const sql = 'SELECT obj, obj_hex, otype FROM objects ORDER BY obj LIMIT 2';
  const table = await capture(() => main(['query', out, sql]));
  t.equal(table.code, 0, table.stderr);
  const [header, , first] = table.stdout.split('\n');
  t.match(header, /^obj +obj_hex +otype$/, 'the _hex twin selected beside obj is shown too');
  t.match(first, /^(0xfffff8[0-9a-f]{10}) +\1 +\w+$/, 'the same address in both');
  const csv = await capture(() => main(['query', out, sql, '--format', 'csv']));
  const [, row] = csv.stdout.split('\n');
  const [dec, hex] = row!.split(',');
  t.match(dec, /^\d{20}$/, 'CSV: decimal');
  t.equal('0x' + BigInt(dec!).toString(16), hex, 'exactly the address');
  t.equal(first!.split(/ +/)[0], hex, 'the table shows that address');
  const json = await capture(() => main(['query', out, sql, '--format', 'json']));
  t.equal((JSON.parse(json.stdout) as { obj: string }[])[0]!.obj, dec, 'JSON: the decimal string');
});

t.test('a table wider than the terminal is printed in pages of columns, rows whole', async (t) => {
  const header = ['ts', 'first_column', 'second_column', 'third_column', 'fourth_column'];
  const rows = [
    [1, 'a', 'b', 'c', 'd'],
    [22, 'aa', 'bb', 'cc', 'dd'],
  ];
  const paged = pagedTextTable(header, rows, 40);
  t.ok(
    paged.split('\n').every((l) => l.length <= 40),
    'no line wider than the width',
  );
  t.match(paged, /^\(page 1 of 2: columns 1 and 2-3 of 5\)\nts {2}first_column {2}second_column\n/);
  t.match(paged, /\n\(page 2 of 2: columns 1 and 4-5 of 5\)\nts {2}third_column {2}fourth_column\n/);
  t.equal(pagedTextTable(header, rows, 200).split('\n')[0], 'ts  first_column  second_column  third_column  fourth_column', 'wide enough: one table');

  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  t.teardown(() => (con.closeSync(), db.closeSync()));
  let text = '';
  await renderResult(
    await con.stream(`SELECT 1 AS aaaaaaaaaaaaaaaaaaaa, 2 AS bbbbbbbbbbbbbbbbbbbb, 3 AS cccccccccccccccccccc`),
    'table',
    (s) => void (text += s),
    { width: 50 },
  );
  t.match(text, /^\(page 1 of 2/);
  t.match(text, /\(1 row\)\n$/);
});

t.test('several statements: every result, in order', async (t) => {
  const sql = "SELECT 1 AS a; CREATE TEMP VIEW v1 AS SELECT 2 AS c; SELECT 'x;y' AS b";
  const table = await capture(() => main(['query', out, sql]));
  t.equal(table.code, 0, table.stderr);
  t.equal(
    table.stdout,
    "-- 1 of 3: SELECT 1 AS a\na\n-\n1\n(1 row)\n\n-- 3 of 3: SELECT 'x;y' AS b\nb\n---\nx;y\n(1 row)\n",
    'each headed by its statement; a statement with no result prints nothing (SET is refused: the configuration is locked)',
  );
  const csv = await capture(() => main(['query', out, sql, '--format', 'csv']));
  t.equal(csv.stdout, 'a\n1\n\nb\nx;y\n');
  const json = await capture(() => main(['query', out, sql, '--format', 'json']));
  t.equal(json.stdout, '[\n{"a":1}\n]\n[\n{"b":"x;y"}\n]\n', 'one array per result');
  const failing = await capture(() => main(['query', out, 'SELECT 1 AS a; SELECT * FROM nowhere']));
  t.equal(failing.code, 2);
  t.match(failing.stdout, /^-- 1 of 2: SELECT 1 AS a\n/, 'what ran before is printed');
  t.match(failing.stderr, /^vmreplay: query failed \(statement 2 of 2\): Catalog Error: Table with name nowhere does not exist!\n$/);
});

t.test('SQL from a file (-f) or from standard input (-)', async (t) => {
  const dir = t.testdir({
    'two.sql': '-- the models, then the count\nSELECT model FROM models ORDER BY 1;\nSELECT count(*) AS n FROM models;\n',
    'empty.sql': '\n',
  });
  const fromFile = await capture(() => main(['query', out, '-f', join(dir, 'two.sql'), '--format', 'csv']));
  t.equal(fromFile.code, 0, fromFile.stderr);
  t.equal(fromFile.stdout, 'model\nnew\nnew-fixed\nold\n\nn\n3\n');
  const both = await capture(() => main(['query', out, 'summary', '-f', join(dir, 'two.sql')]));
  t.match(both.stderr, /^vmreplay: give the SQL either on the command line or with -f, not both\n$/);
  const missing = await capture(() => main(['query', out, '-f', join(dir, 'none.sql')]));
  t.equal(missing.code, 2);
  t.match(missing.stderr, /none\.sql: cannot read: ENOENT\n$/);
  t.match((await capture(() => main(['query', out, '-f', join(dir, 'empty.sql')]))).stderr, /no SQL in .*empty\.sql\n$/);

  const child = spawnCli(['query', out, '-', '--format', 'csv'], ROOT, true);
  child.stdin!.end("SELECT 41 + 1 AS answer;\nSELECT model FROM models WHERE model = 'old'\n");
  const r = await child.done;
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, 'answer\n42\n\nmodel\nold\n');
  const none = spawnCli(['query', out, '-'], ROOT, true);
  none.stdin!.end('');
  t.match((await none.done).stderr, /^vmreplay: no SQL in standard input\n$/);
});

t.test('query --shell: SQL up to a ;, .tables, .mode; an error and the prompt goes on', async (t) => {
  const child = spawnCli(['query', out, '--shell'], ROOT, true);
  child.stdin!.end(
    [
      '.tables',
      '.mode csv',
      'SELECT 1 AS a;',
      'SELECT',
      '  2 AS b;',
      '.mode xml',
      '.mdoe json',
      'SELECT * FROM nowhere;',
      '.mode json',
      "SELECT 'last' AS c",
    ].join('\n') + '\n',
  );
  const r = await child.done;
  t.equal(r.code, 0, r.stderr);
  const results = r.stdout.indexOf('a\n1\n');
  const tables = r.stdout.slice(0, results);
  t.match(tables, /^acquisitions {2}.*\bsaved_by_site\b.*\bsummary\b/s, '.tables: the tables and views');
  t.ok(
    tables.split('\n').every((l) => l.length <= 80),
    'wrapped to the width',
  );
  t.equal(r.stdout.slice(results), 'a\n1\nb\n2\n[\n{"c":"last"}\n]\n', 'csv, then json; a statement over two lines; the last without its ;');
  t.equal(
    r.stderr,
    "vmreplay: .mode takes one of table, csv, json (got 'xml')\n" +
      'vmreplay: unknown command .mdoe: did you mean .mode? (.help lists them)\n' +
      'vmreplay: query failed: Catalog Error: Table with name nowhere does not exist!\n',
  );
  const both = await capture(() => main(['query', out, 'summary', '--shell']));
  t.match(both.stderr, /--shell reads its SQL at the prompt/);
});
