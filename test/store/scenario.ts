// A small hand-made run whose view figures are worked out in views.test.ts:
// three models, two objects (A named, B anonymous), two processes, X and S
// token acquisitions, chain locks and per-map tokens, faults, back-downs, a
// hazard and waits.

import type { Test } from 'tap';
import { join } from 'node:path';
import { ColumnBatch } from '../../src/columns/table.js';
import { ACQUISITIONS, BACKDOWNS, FAULTS, HAZARDS, OBJECTS, PROCESSES, WAITS } from '../../src/replay/tables.js';
import { openStore, RunDatabase } from '../../src/store/index.js';
import { type AnySpec, addRow, type Dicts, newDicts, tempDir } from './fixtures.js';

export const A = 0xfffff80010a3c000n; // vnode /bin/sh
export const B = 0xfffff8001f200000n; // anonymous default object

type Values = Record<string, string | number | bigint | boolean | null>;

// model, class, mode, site, obj, otype, pid, ts, reason
const ACQ: [string, string, string, string, bigint | null, string | null, number, number, string][] = [
  ['old', 'token', 'X', 'vm_fault', A, 'vnode', 100, 1000, 'first'],
  ['old', 'token', 'X', 'vm_fault', A, 'vnode', 100, 2000, 'first'],
  ['old', 'token', 'X', 'vm_fault', B, 'default', 101, 3000, 'backing'],
  ['old', 'token', 'X', 'vm_object_shadow', B, 'default', 101, 9000, 'first'],
  ['old', 'chain', 'X', 'vm_fault', B, 'default', 101, 3000, 'first'],
  ['old', 'map', 'X', 'vm_fault', null, null, 100, 1000, 'first'],
  ['old', 'token', 'S', 'vm_fault', A, 'vnode', 100, 1500, 'first'],
  ['new', 'token', 'S', 'vm_fault', A, 'vnode', 100, 1000, 'first'],
  ['new', 'token', 'S', 'vm_fault', A, 'vnode', 100, 2000, 'first'],
  ['new', 'token', 'X', 'vm_fault', A, 'vnode', 100, 2100, 'upgrade'],
  ['new', 'token', 'X', 'vm_object_shadow', B, 'default', 101, 9000, 'first'],
  ['new', 'chain', 'X', 'vm_fault', B, 'default', 101, 3000, 'first'],
  ['new', 'chain', 'S', 'vm_fault', B, 'default', 101, 3000, 'backing'],
  ['new', 'map', 'X', 'vm_fault', null, null, 100, 1000, 'first'],
  ['new-fixed', 'token', 'X', 'vm_fault', A, 'vnode', 100, 1000, 'first'],
  ['new-fixed', 'token', 'X', 'vm_fault', B, 'default', 101, 3000, 'backing'],
  ['new-fixed', 'token', 'X', 'vm_object_shadow', B, 'default', 101, 9000, 'first'],
  ['new-fixed', 'map', 'X', 'vm_fault', null, null, 100, 1000, 'first'],
];

function batchOf(spec: AnySpec, dicts: Dicts, rows: Values[]): ColumnBatch {
  const b = new ColumnBatch(spec, Math.max(rows.length, 1));
  for (const r of rows) addRow(b, dicts, r);
  return b;
}

/** Write the run (keeping the rows of the models `keep` accepts) and open its database. */
export async function writeScenario(t: Test, models: string[], keep: (model: string) => boolean = () => true): Promise<RunDatabase> {
  const out = join(await tempDir(t), 'out');
  const dicts = newDicts();
  const store = await openStore(out, dicts, { arrow: false });
  const write = (spec: AnySpec, rows: Values[]) =>
    store.write(
      spec,
      batchOf(
        spec,
        dicts,
        rows.filter((r) => typeof r.model !== 'string' || keep(r.model)),
      ),
    );
  write(
    ACQUISITIONS,
    ACQ.map(([model, cls, mode, site, obj, otype, pid, ts, reason], i) => ({
      model,
      op_id: i,
      op_kind: 'fault',
      attempt: 1,
      seq: i,
      ts,
      class: cls,
      mode,
      site,
      obj,
      otype,
      pid,
      reason,
    })),
  );
  write(
    FAULTS,
    ['old', 'new', 'new-fixed'].flatMap((model) => [
      // fault 1 costs `new` more acquisitions than `old` (2 back-downs, an upgrade): 4 against 6
      {
        model,
        op_id: 1,
        ts: 500,
        comm: 'sh',
        pid: 100,
        restarts: 0,
        attempts: model === 'new' ? 2 : 1,
        ...(model === 'new'
          ? { x_tokens: 1, s_tokens: 3, x_chain: 1, s_chain: 1, backdowns: 2, upgrades: 1 }
          : { x_tokens: 2, s_tokens: 1, x_chain: 1, s_chain: 0, backdowns: 0, upgrades: 0 }),
      },
      {
        model,
        op_id: 2,
        ts: 9500,
        comm: 'cc',
        pid: 101,
        restarts: 1,
        attempts: model === 'new' ? 3 : 2,
        x_tokens: 1,
        s_tokens: 0,
        x_chain: 0,
        s_chain: 0,
        backdowns: 0,
        upgrades: 0,
      },
    ]),
  );
  write(BACKDOWNS, [
    { model: 'new', op_id: 1, ts: 2050, rule: 'B1', obj: A, otype: 'vnode' },
    { model: 'new', op_id: 1, ts: 2060, rule: 'B2', obj: B, otype: 'default' },
    { model: 'new-fixed', op_id: 2, ts: 9400, rule: 'B1', obj: A, otype: 'vnode' },
  ]);
  write(HAZARDS, [{ model: 'new', op_id: 1, ts: 2070, obj: A, kind: 'token_livelock' }]);
  write(WAITS, [
    { model: 'old', obj: A, mode: 'X', ts: 1000, wait_ns: 100 },
    { model: 'old', obj: A, mode: 'X', ts: 2000, wait_ns: 300 },
    { model: 'new', obj: B, mode: 'S', ts: 9000, wait_ns: 50 },
  ]);
  write(OBJECTS, [
    { obj: A, otype: 'vnode', name: '/bin/sh', last_ts: 9000 },
    { obj: B, otype: 'default', name: null, last_ts: 9000 },
  ]);
  write(PROCESSES, [
    { pid: 100, comm: 'sh', path: '/bin/sh', last_ts: 9000 },
    { pid: 101, comm: 'cc', path: null, last_ts: 9000 },
  ]);
  await store.close({ inputs: [], models, knobs: {} });
  const db = await RunDatabase.open(out);
  t.teardown(() => db.close());
  return db;
}
