// The analysis views on a small hand-made run whose figures are worked out
// below: X token acquisitions per model and the savings by site, object type,
// object, process and time; back-downs by rule; contention by object; the
// per-model summary. Chain locks and the per-map token never enter token counts.

import t from 'tap';
import { type RunDatabase, VIEW_NAMES } from '../../src/store/index.js';
import { chooseBuckets, savedColumn } from '../../src/store/views.js';
import { A, B, writeScenario } from './scenario.js';

/** Rows as plain objects, integers as numbers. */
async function query(db: RunDatabase, sql: string): Promise<Record<string, unknown>[]> {
  const rows = (await db.connection.runAndReadAll(sql)).getRowObjectsJS();
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' && k !== 'obj' ? Number(v) : v])));
}

t.test('saved_* views: X token acquisitions per model and the savings, on a hand-computed run', async (t) => {
  const db = await writeScenario(t, ['old', 'new', 'new-fixed']);
  const pivot = (x_old: number, x_new: number, x_new_fixed: number) => ({
    x_old,
    x_new,
    x_new_fixed,
    saved_x: x_old - x_new,
    saved_x_fixed: x_old - x_new_fixed,
  });

  t.same(await query(db, 'SELECT * FROM saved_by_site'), [
    { site: 'vm_fault', ...pivot(3, 1, 2) },
    { site: 'vm_object_shadow', ...pivot(1, 1, 1) },
  ]);
  t.same(await query(db, 'SELECT * FROM saved_by_otype ORDER BY otype'), [
    { otype: 'default', ...pivot(2, 1, 2) },
    { otype: 'vnode', ...pivot(2, 1, 1) },
  ]);
  t.same(await query(db, 'SELECT * FROM saved_by_object ORDER BY obj'), [
    { obj: A, obj_hex: '0xfffff80010a3c000', otype: 'vnode', name: '/bin/sh', ...pivot(2, 1, 1) },
    { obj: B, obj_hex: '0xfffff8001f200000', otype: 'default', name: null, ...pivot(2, 1, 2) },
  ]);
  t.same(await query(db, 'SELECT * FROM saved_by_process ORDER BY pid'), [
    { pid: 100, comm: 'sh', path: '/bin/sh', ...pivot(2, 1, 1) },
    { pid: 101, comm: 'cc', path: null, ...pivot(2, 1, 2) },
  ]);

  // t0 = 500 (first fault), t1 = 9500: 9000 ns in buckets of 100 ns.
  const time = await query(db, 'SELECT * FROM saved_over_time');
  t.equal(time.length, 91, 'every bucket has a row');
  t.same(time[0], { bucket: 0, start_ns: 500, bucket_ns: 100, ...pivot(0, 0, 0) });
  t.same(
    time.filter((r) => r.x_old || r.x_new || r.x_new_fixed),
    [
      { bucket: 5, start_ns: 1000, bucket_ns: 100, ...pivot(1, 0, 1) },
      { bucket: 15, start_ns: 2000, bucket_ns: 100, ...pivot(1, 0, 0) },
      { bucket: 16, start_ns: 2100, bucket_ns: 100, ...pivot(0, 1, 0) },
      { bucket: 25, start_ns: 3000, bucket_ns: 100, ...pivot(1, 0, 1) },
      { bucket: 85, start_ns: 9000, bucket_ns: 100, ...pivot(1, 1, 1) },
    ],
  );
  t.equal(
    time.reduce((n, r) => n + (r.saved_x as number), 0),
    2,
    'the buckets add up to the total saving',
  );
});

t.test('back-downs by rule and over time, contention by object, summary', async (t) => {
  const db = await writeScenario(t, ['old', 'new', 'new-fixed']);
  t.same(await query(db, 'SELECT * FROM backdowns_by_reason'), [
    { rule: 'B1', model: 'new', backdowns: 1, operations: 1, pct_of_model: 50 },
    { rule: 'B2', model: 'new', backdowns: 1, operations: 1, pct_of_model: 50 },
    { rule: 'B1', model: 'new-fixed', backdowns: 1, operations: 1, pct_of_model: 100 },
  ]);
  t.same(await query(db, 'SELECT bucket, rule, model, backdowns FROM backdowns_over_time'), [
    { bucket: 15, rule: 'B1', model: 'new', backdowns: 1 },
    { bucket: 15, rule: 'B2', model: 'new', backdowns: 1 },
    { bucket: 89, rule: 'B1', model: 'new-fixed', backdowns: 1 },
  ]);
  const contention = await query(db, 'SELECT * FROM contention_by_object');
  t.equal(contention.length, 6, 'one row per object and model with token acquisitions');
  t.same(contention.slice(0, 2), [
    {
      obj: A,
      obj_hex: '0xfffff80010a3c000',
      otype: 'vnode',
      name: '/bin/sh',
      model: 'old',
      token_acquisitions: 3,
      x_tokens: 2,
      waits: 2,
      x_waits: 2,
      wait_ns: 400,
      max_wait_ns: 300,
    },
    {
      obj: B,
      obj_hex: '0xfffff8001f200000',
      otype: 'default',
      name: null,
      model: 'new',
      token_acquisitions: 1,
      x_tokens: 1,
      waits: 1,
      x_waits: 0,
      wait_ns: 50,
      max_wait_ns: 50,
    },
  ]);
  const common = { faults: 2, restarts: 1, map_tokens: 1 };
  t.same(await query(db, 'SELECT * FROM summary'), [
    {
      model: 'old',
      baseline: true,
      ...common,
      attempts: 3,
      x_tokens: 4,
      s_tokens: 1,
      x_chain: 1,
      s_chain: 0,
      acquisitions: 7,
      backdowns: 0,
      hazards: 0,
      upgrades: 0,
      saved_x: 0,
      saved_x_pct: 0,
      waits: 2,
      wait_ns: 400,
    },
    {
      model: 'new',
      baseline: false,
      ...common,
      attempts: 5,
      x_tokens: 2,
      s_tokens: 2,
      x_chain: 1,
      s_chain: 1,
      acquisitions: 7,
      backdowns: 2,
      hazards: 1,
      upgrades: 1,
      saved_x: 2,
      saved_x_pct: 50,
      waits: 1,
      wait_ns: 50,
    },
    {
      model: 'new-fixed',
      baseline: false,
      ...common,
      attempts: 3,
      x_tokens: 3,
      s_tokens: 0,
      x_chain: 0,
      s_chain: 0,
      acquisitions: 4,
      backdowns: 1,
      hazards: 0,
      upgrades: 0,
      saved_x: 1,
      saved_x_pct: 25,
      waits: 0,
      wait_ns: 0,
    },
  ]);
  const linuxOnly = ['fallback_agreement', 'mm_lock_reasons', 'writer_waits'];
  for (const name of VIEW_NAMES.filter((v) => !linuxOnly.includes(v)))
    t.ok(((await query(db, `SELECT count(*) AS n FROM ${name}`))[0]!.n as number) > 0, `${name} answers`);
  for (const name of linuxOnly) t.equal((await query(db, `SELECT count(*) AS n FROM ${name}`))[0]!.n, 0, `${name}: no Linux model, no row`);
});

t.test("the pivots follow the models of the run, each compared against its family's declared baseline", async (t) => {
  const two = await writeScenario(t, ['old', 'new'], (m) => m !== 'new-fixed');
  t.same(Object.keys((await query(two, 'SELECT * FROM saved_by_site'))[0]!), ['site', 'x_old', 'x_new', 'saved_x']);
  t.same(
    (await query(two, 'SELECT model FROM summary')).map((r) => r.model),
    ['old', 'new'],
  );

  const reversed = await writeScenario(t, ['new', 'old', 'new-fixed']);
  const site = (await query(reversed, `SELECT * FROM saved_by_site WHERE site = 'vm_fault'`))[0]!;
  t.same(
    site,
    { site: 'vm_fault', x_new: 1, x_old: 3, x_new_fixed: 2, saved_x: 2, saved_x_fixed: 1 },
    'saved against the declared baseline `old`, whatever the order',
  );
  t.same(
    (await query(reversed, 'SELECT model, baseline, saved_x FROM summary')).map((r) => [r.model, r.baseline, r.saved_x]),
    [
      ['new', false, 2],
      ['old', true, 0],
      ['new-fixed', false, 1],
    ],
  );

  t.equal(savedColumn('new'), 'saved_x');
  t.equal(savedColumn('new-fixed'), 'saved_x_fixed');
  t.equal(savedColumn('ticket lock'), 'saved_x_ticket_lock');
});

t.test('time buckets: about 100 of a round width', async (t) => {
  t.same(chooseBuckets(500, 9500), { bucketNs: 100, buckets: 91 });
  t.same(chooseBuckets(0, 1.234e9), { bucketNs: 2e7, buckets: 62 });
  t.same(chooseBuckets(0, 5e8), { bucketNs: 5e6, buckets: 101 });
  t.same(chooseBuckets(7, 7), { bucketNs: 1e6, buckets: 1 }, 'an empty span gets one 1 ms bucket');
});
