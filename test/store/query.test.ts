// `vmreplay query`: canned views by name or any SQL, as an aligned table, CSV
// or JSON (64-bit values exact); bad SQL or a missing run is one line on
// stderr and exit 2.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { main } from '../../src/cli.js';
import { ColumnBatch } from '../../src/columns/table.js';
import { run } from '../../src/commands/query.js';
import { ACQUISITIONS, OBJECTS } from '../../src/replay/tables.js';
import { openStore } from '../../src/store/index.js';
import { addRow, newDicts, tempDir } from './fixtures.js';

const A = 0xfffff80010a3c000n;

async function smallRun(t: Test): Promise<string> {
  const out = join(await tempDir(t), 'out');
  const dicts = newDicts();
  const store = await openStore(out, dicts);
  const acq = new ColumnBatch(ACQUISITIONS, 8);
  for (const [model, mode] of [
    ['old', 'X'],
    ['old', 'X'],
    ['new', 'S'],
    ['new', 'X'],
  ] as const) {
    addRow(acq, dicts, { model, class: 'token', mode, site: 'vm_fault', obj: A, otype: 'vnode', pid: 7, ts: 1000 });
  }
  store.write(ACQUISITIONS, acq);
  const objects = new ColumnBatch(OBJECTS, 1);
  addRow(objects, dicts, { obj: A, otype: 'vnode', name: '/bin/sh, the shell' });
  store.write(OBJECTS, objects);
  await store.close({ inputs: [], models: ['old', 'new'], knobs: {} });
  return out;
}

/** Run `fn` with stdout and stderr captured. */
async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  process.stdout.write = ((s: string | Uint8Array) => out.push(String(s)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => err.push(String(s)) > 0) as typeof process.stderr.write;
  try {
    const code = await fn();
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

t.test('a canned view by name, as an aligned table', async (t) => {
  const out = await smallRun(t);
  const r = await capture(() => run([out, 'summary']));
  t.equal(r.code, 0);
  const lines = r.out.trimEnd().split('\n');
  t.match(lines[0], /^model\s+baseline\s+faults/);
  t.match(lines[1], /^-+\s+-+/);
  t.match(lines[2], /^old\s+true\s+0\s+0\s+2\s+0/);
  t.match(lines[3], /^new\s+false\s+0\s+0\s+1\s+1/);
  t.equal(lines[4], '(2 rows)');
  const column = (line: string, word: string) => line.indexOf(word) + word.length;
  t.equal(column(lines[0]!, 'x_tokens'), column(lines[2]!, '   2'), 'numbers right-aligned under their header');
});

t.test('any SQL, as CSV (quoted where needed, NULL empty)', async (t) => {
  const out = await smallRun(t);
  const r = await capture(() => run([out, 'SELECT model, x_tokens, saved_x FROM summary', '--format', 'csv']));
  t.equal(r.out, 'model,x_tokens,saved_x\nold,2,0\nnew,1,1\n');
  const q = await capture(() => run([out, `SELECT name, NULL AS nothing, 'say "hi"' AS quote FROM objects`, '--format=csv']));
  t.equal(q.out, 'name,nothing,quote\n"/bin/sh, the shell",,"say ""hi"""\n');
});

t.test('JSON keeps 64-bit values exact: addresses as decimal strings, other integers as numbers while exact', async (t) => {
  const out = await smallRun(t);
  const r = await capture(() => run([out, 'SELECT obj, obj_hex, name, x_old, saved_x FROM saved_by_object', '--format', 'json']));
  t.equal(r.code, 0);
  t.same(JSON.parse(r.out), [{ obj: A.toString(), obj_hex: '0xfffff80010a3c000', name: '/bin/sh, the shell', x_old: 2, saved_x: 1 }]);
  const big = await capture(() =>
    run([out, 'SELECT 9007199254740993::BIGINT AS big, 5::BIGINT AS small, sum(obj) AS total, 1.5::DECIMAL(4,1) AS d FROM acquisitions', '--format', 'json']),
  );
  t.same(JSON.parse(big.out), [{ big: '9007199254740993', small: 5, total: (4n * A).toString(), d: 1.5 }]);
  const none = await capture(() => run([out, 'SELECT * FROM summary WHERE false', '--format', 'json']));
  t.same(JSON.parse(none.out), []);
});

t.test('the table format shows the first rows and says how many there are', async (t) => {
  const out = await smallRun(t);
  const r = await capture(() => run([out, 'SELECT * FROM range(10)', '--max-rows', '3']));
  t.equal(r.out.trimEnd().split('\n').length, 2 + 3 + 1);
  t.match(r.out, /\(10 rows, first 3 shown/);
});

t.test('bad SQL, unknown names, writes and missing runs: one line on stderr, exit 2', async (t) => {
  const out = await smallRun(t);
  const empty = join(await tempDir(t), 'empty');
  await mkdir(empty);
  const cases: [string[], RegExp][] = [
    [['query', out, 'SELEC * FROM summary'], /^vmreplay: query failed: Parser Error: syntax error at or near "SELEC"\n$/],
    [['query', out, 'SELECT * FROM nowhere'], /^vmreplay: query failed: Catalog Error: Table with name nowhere does not exist!\n$/],
    [['query', out, 'sumary'], /^vmreplay: no table or view named 'sumary': did you mean summary\? \(vmreplay query OUT lists them\)\n$/],
    [['query', out, 'frobnicate'], /^vmreplay: no table or view named 'frobnicate'; canned views: saved_by_site, .*summary\n$/],
    [['query', out, 'CREATE TABLE x (a INTEGER)'], /^vmreplay: query failed: .*read-only.*\n$/],
    [['query', join(out, 'missing'), 'summary'], /^vmreplay: .*missing: no such directory\n$/],
    [['query', empty, 'summary'], /^vmreplay: .*empty: not a finished vmreplay output \(no vmreplay.duckdb\).*\n$/],
    [['query'], /^vmreplay: give a run directory, and a view name or SQL\n/],
    [['query', out, 'summary', '--format', 'xml'], /^vmreplay: --format must be one of table, csv, json \(got 'xml'\)\n$/],
  ];
  for (const [argv, message] of cases) {
    const r = await capture(() => main(argv));
    t.equal(r.code, 2, argv.join(' '));
    t.match(r.err, message, argv.join(' '));
    t.notMatch(r.err, /\n\s+at /, 'no stack trace');
    t.equal(r.out, '');
  }
});
