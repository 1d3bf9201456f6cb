// The library face (`import ... from 'vmreplay'`): the in-process replay with
// models as values, a run opened from any working directory with rows and
// Arrow tables, display bundles, and docs/api.md naming what is exported.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import * as api from '../../src/api/index.js';
import {
  chartBundle,
  InputError,
  newModel,
  oldModel,
  openRun,
  OT,
  replay,
  sampleTrace,
  tableBundle,
  UsageError,
  VEGA_LITE_MIME,
  type LockingModel,
  type LockLog,
} from '../../src/api/index.js';
import { ROOT } from '../helpers.js';

const root = t.testdir({ elsewhere: {}, 'not-a-run': { 'notes.txt': 'hello' } });
const out = join(root, 'run');
const written = await replay(sampleTrace(), { out });

t.test('replay({ out }) writes a run that openRun reads from any working directory', async (t) => {
  t.equal(written.out, out);
  t.same(
    written.models.map((m) => m.model),
    ['old', 'new', 'new-fixed'],
    'every built-in model by default, old first',
  );
  const before = process.cwd();
  process.chdir(join(root, 'elsewhere'));
  t.teardown(() => process.chdir(before));
  const run = await openRun('../run');
  t.teardown(() => run.close());
  t.equal(run.dir, out);
  t.same(run.models, ['old', 'new', 'new-fixed']);
  t.equal(run.baseline, 'old');
  t.match(run.synthetic ?? '', /workload=forkexec/, 'the sample says it is generated');

  const summary = await run.summary();
  t.same(
    summary.map((r) => [r.model, r.x_tokens]),
    written.models.map((m) => [m.model, m.xTokens]),
    'the tables agree with the figures replay() returned',
  );
  t.equal(typeof summary[0]!.x_tokens, 'number', 'counts are numbers');
  const [obj] = await run.rows('SELECT obj, obj_hex FROM saved_by_object LIMIT 1');
  t.equal(typeof obj!.obj, 'bigint', 'addresses beyond 2^53 stay exact');
  t.equal(`0x${(obj!.obj as bigint).toString(16)}`, obj!.obj_hex);
  t.same(await run.rows('SELECT $1::INTEGER + 1 AS n, $2 AS s', [41, 'x']), [{ n: 42, s: 'x' }], 'positional parameters');
  t.equal((await run.table('faults', 3)).length, 3);
  t.ok((await run.names()).includes('saved_by_site'), 'the views are listed');
  await t.rejects(run.rows('SELECT * FROM no_such_table'), InputError, 'a bad query is an InputError');

  const table = await run.arrow('SELECT obj, otype, x_old, saved_x FROM saved_by_object ORDER BY saved_x DESC LIMIT 5');
  t.same(
    table.schema.fields.map((f) => `${f.name}:${String(f.type)}`),
    ['obj:Uint64', 'otype:Utf8', 'x_old:Int64', 'saved_x:Int64'],
  );
  t.equal(table.numRows, 5);
  t.equal(table.get(0)!.toJSON().obj, obj!.obj, 'the same exact address');
});

t.test('rows() and arrow() carry every DuckDB type a query may give', async (t) => {
  const run = await openRun(out);
  t.teardown(() => run.close());
  const sql =
    `SELECT true AS b, 1::TINYINT AS i8, 2::SMALLINT AS i16, 3::INTEGER AS i32, 4::UTINYINT AS u8, 5::USMALLINT AS u16, 6::UINTEGER AS u32, ` +
    `1.5::FLOAT AS f32, 2.25::DECIMAL(4,2) AS dec, 7::HUGEINT AS huge, NULL::VARCHAR AS none, [1, 2] AS list, {'a': 1} AS st, DATE '2020-01-02' AS day`;
  const [row] = await run.rows(sql);
  t.same(row, { b: true, i8: 1, i16: 2, i32: 3, u8: 4, u16: 5, u32: 6, f32: 1.5, dec: 2.25, huge: 7, none: null, list: [1, 2], st: { a: 1 }, day: row!.day });
  const table = await run.arrow(sql);
  t.same(
    table.schema.fields.map((f) => String(f.type)),
    ['Bool', 'Int8', 'Int16', 'Int32', 'Uint8', 'Uint16', 'Uint32', 'Float32', 'Float64', 'Float64', 'Utf8', 'Utf8', 'Utf8', 'Utf8'],
  );
  const got = table.get(0)!.toJSON();
  t.same([got.b, got.i8, got.u32, got.f32, got.dec, got.huge, got.none, got.list, got.st], [true, 1, 6, 1.5, 2.25, 7, null, '[1,2]', '{"a":1}']);
});

t.test('a replay that fails leaves no run behind', async (t) => {
  const target = join(root, 'failed');
  await t.rejects(replay(join(root, 'no-such-trace.ktr'), { out: target }), InputError);
  await t.rejects(openRun(target), InputError, 'nothing to open');
});

t.test('openRun refuses what is not a run', async (t) => {
  await t.rejects(openRun(join(root, 'missing')), InputError);
  await t.rejects(openRun(join(root, 'not-a-run')), InputError);
});

/** A model written the way a notebook cell does: `new`, with chain locks on SWAP objects taken shared. */
function swapSharedChains(name: string): LockingModel {
  const wrap = (log: LockLog): LockLog =>
    new Proxy(log, {
      get: (target, key) =>
        key === 'chain'
          ? (o: { otype: number }, mode: 'S' | 'X', site: string, reason: string) => target.chain(o as never, o.otype === OT.swap ? 'S' : mode, site, reason)
          : (Reflect.get(target, key) as (...a: unknown[]) => unknown).bind(target),
    });
  return { name, description: 'test model', fault: (f, k, log) => newModel.fault(f, k, wrap(log)), site: (op, k, log) => newModel.site(op, k, wrap(log)) };
}

t.test('replay() without out runs models given as values and writes nothing', async (t) => {
  const r = await replay([sampleTrace()], { models: [oldModel, 'new', swapSharedChains('new-swap-s')] });
  t.equal(r.out, null);
  const [old, neu, mine] = r.models;
  t.same([old!.model, neu!.model, mine!.model], ['old', 'new', 'new-swap-s']);
  t.same([old!.xTokens, neu!.xTokens], [written.models[0]!.xTokens, written.models[1]!.xTokens], 'the same figures as the written run');
  t.equal(mine!.xTokens, neu!.xTokens, 'object tokens as in new');
  t.ok(mine!.xChain < neu!.xChain, 'fewer X chain locks');
  t.equal(mine!.xChain + mine!.sChain, neu!.xChain + neu!.sChain, 'as many chain locks in all');
});

t.test('replay() says what is wrong with its arguments', async (t) => {
  await t.rejects(replay([]), UsageError);
  await t.rejects(replay(sampleTrace(), { models: [] }), UsageError);
  await t.rejects(replay(sampleTrace(), { models: ['newest'] }), { name: 'UsageError', message: /unknown model 'newest'/ });
  await t.rejects(replay(sampleTrace(), { models: [oldModel, 'old'] }), { message: /given twice/ });
});

t.test('chartBundle: the Vega-Lite spec, an SVG, a PNG and a line of text', async (t) => {
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Tokens' },
    data: {
      values: [
        { m: 'old', n: 3 },
        { m: 'new', n: 1 },
      ],
    },
    mark: 'bar',
    encoding: { x: { field: 'm', type: 'nominal' }, y: { field: 'n', type: 'quantitative' } },
  };
  const b = await chartBundle(spec);
  t.same(Object.keys(b).sort(), [VEGA_LITE_MIME, 'image/png', 'image/svg+xml', 'text/plain'].sort());
  t.notOk('$schema' in (b[VEGA_LITE_MIME] as object), 'handed over without the v6 $schema');
  t.same((b[VEGA_LITE_MIME] as { data: unknown }).data, spec.data);
  t.match(b['image/svg+xml'], /^<svg[^>]*>[\s\S]*Tokens/);
  t.same([...Buffer.from(b['image/png'] as string, 'base64').subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
  t.equal(b['text/plain'], '[chart] Tokens');
  t.equal((await chartBundle(spec, { text: 'mine' }))['text/plain'], '[chart] mine');
  t.equal((await chartBundle({ ...spec, title: 'plain' }))['text/plain'], '[chart] plain');
  const { title: _t, ...untitled } = spec;
  t.equal((await chartBundle(untitled))['text/plain'], '[chart] chart');
});

t.test('tableBundle: HTML (escaped) and aligned text, long tables cut', async (t) => {
  const rows = [
    { name: '<b>&', n: 10, big: 18446744073709551615n },
    { name: 'x', n: 2, big: null },
  ];
  const b = tableBundle(rows, { caption: 'Caption <1>' });
  t.match(b['text/html'], /<p>Caption &lt;1&gt;<\/p>/);
  t.match(b['text/html'], /<td style="text-align:left">&lt;b&gt;&amp;<\/td>/);
  t.match(b['text/html'], /18446744073709551615/);
  t.match(b['text/plain'], /^Caption <1>\nname +n +big\n[- ]+\n<b>& +10 +18446744073709551615\nx +2\n$/);
  const cut = tableBundle(
    Array.from({ length: 7 }, (_, i) => ({ i })),
    { maxRows: 5, columns: ['i'] },
  );
  t.match(cut['text/plain'], /\(2 more rows of 7\)\n$/);
  t.equal(tableBundle([])['text/plain'], '\n\n');
});

t.test('docs/api.md documents every export, and only exports', async (t) => {
  const doc = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');
  const headings = doc.split('\n').filter((l) => /^#{2,4} /.test(l));
  const documented = headings.flatMap((l) => [...l.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
  const values = Object.keys(api);
  t.same(
    values.filter((n) => !documented.includes(n)),
    [],
    'every exported value has a heading',
  );
  const index = readFileSync(join(ROOT, 'src', 'api', 'index.ts'), 'utf8');
  t.same(
    documented.filter((n) => !values.includes(n) && !new RegExp(`\\b${n}\\b`).test(index)),
    [],
    'every heading names an export (value or type)',
  );
});
