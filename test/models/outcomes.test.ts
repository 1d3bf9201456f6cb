// What each operation ends as, beyond its acquisitions: outcomes, pager I/O,
// upgrades and back-downs of every site under both models, and the fault
// paths whose only trace is an outcome or an I/O sleep (gaps mutation testing
// found: `npm run mutate`).

import t, { type Test } from 'tap';
import { CollapseCase, PG } from '../../src/events/vocabulary.js';
import { DEFAULT_MODELS, DRAGONFLY_MODELS as MODELS, MODELS as REGISTERED, modelsByName } from '../../src/models/index.js';
import { linuxMmapModel, linuxVmaModel } from '../../src/models/linux.js';
import { newFixedModel, newModel } from '../../src/models/new.js';
import { oldModel } from '../../src/models/old.js';
import type { DragonFlyModel as LockingModel } from '../../src/models/model.js';
import { fault, heldAt, obj, replay, site } from './harness.js';

const V = obj('V', 'vnode');
const D = obj('D', 'default');
const S = obj('S', 'swap');

interface Expect {
  acq: string[];
  outcome: string;
  io?: number;
  upgrades?: number;
  backdowns?: string[];
}

function check(t: Test, m: LockingModel, kind: Parameters<typeof site>[0], fields: Record<string, unknown>, want: Expect, sharedFault = true): void {
  const r = replay(m, site(kind, fields), sharedFault);
  const label = `${m.name} ${kind} ${JSON.stringify(fields, (_k, v) => (typeof v === 'object' && v && 'obj' in v ? `o${v.obj}` : v))}`;
  t.same(r.acq, want.acq, `${label}: acquisitions`);
  t.equal(r.outcome, want.outcome, `${label}: outcome`);
  t.equal(r.log.ioSleeps, want.io ?? 0, `${label}: I/O sleeps`);
  t.equal(r.upgrades, want.upgrades ?? 0, `${label}: upgrades`);
  t.same(r.backdowns, want.backdowns ?? [], `${label}: back-downs`);
  t.equal(r.attempts, 1, `${label}: one attempt`);
}

t.test('exec_map_page: outcome and I/O for every page state', async (t) => {
  const oldX = ['X token V exec_map_page first', 'X token V vm_page_grab recursive'];
  check(t, oldModel, 'exec_page', { obj: V, page: PG.valid }, { acq: oldX, outcome: 'map' });
  check(t, oldModel, 'exec_page', { obj: V, page: PG.busy }, { acq: oldX, outcome: 'map' });
  check(t, oldModel, 'exec_page', { obj: V, page: PG.invalid }, { acq: oldX, outcome: 'io', io: 1 });
  check(t, oldModel, 'exec_page', { obj: V, page: PG.absent }, { acq: oldX, outcome: 'io', io: 1 });
  check(t, newModel, 'exec_page', { obj: V, page: PG.valid }, { acq: ['S token V exec_map_page first'], outcome: 'map' });
  check(t, newModel, 'exec_page', { obj: V, page: PG.busy }, { acq: ['S token V exec_map_page first'], outcome: 'map' });
  const retry = ['S token V exec_map_page first', 'X token V exec_map_page backdown-retry', 'S token V vm_page_grab recursive'];
  check(t, newModel, 'exec_page', { obj: V, page: PG.invalid }, { acq: retry, outcome: 'io', io: 1, backdowns: ['exec_map_page@0'] });
  check(
    t,
    newFixedModel,
    'exec_page',
    { obj: V, page: PG.absent },
    { acq: [...retry, 'X token V vm_page_grab upgrade'], outcome: 'io', io: 1, upgrades: 1, backdowns: ['exec_map_page@0'] },
  );
});

t.test('vm_page_grab: alloc when absent, found otherwise', async (t) => {
  for (const page of [PG.present, PG.busy]) {
    check(t, oldModel, 'page_grab', { obj: V, page }, { acq: ['X token V vm_page_grab first'], outcome: 'found' });
    check(t, newModel, 'page_grab', { obj: V, page }, { acq: ['S token V vm_page_grab first'], outcome: 'found' });
  }
  check(t, oldModel, 'page_grab', { obj: V, page: PG.absent }, { acq: ['X token V vm_page_grab first'], outcome: 'alloc' });
  check(
    t,
    newModel,
    'page_grab',
    { obj: V, page: PG.absent },
    { acq: ['S token V vm_page_grab first', 'X token V vm_page_grab upgrade'], outcome: 'alloc', upgrades: 1 },
  );
});

t.test('load_section: a bss page that is not valid upgrades and reads; a valid one or none does not', async (t) => {
  for (const page of [null, PG.valid]) {
    check(t, oldModel, 'load_section', { obj: V, page }, { acq: ['S token V load_section first'], outcome: 'map' });
    check(t, oldModel, 'load_section', { obj: V, page }, { acq: ['X token V load_section first'], outcome: 'map' }, false);
    check(t, newModel, 'load_section', { obj: V, page }, { acq: ['S token V load_section first'], outcome: 'map' });
  }
  for (const page of [PG.invalid, PG.absent]) {
    check(
      t,
      oldModel,
      'load_section',
      { obj: V, page },
      { acq: ['S token V load_section first', 'X token V load_section upgrade'], outcome: 'map', io: 1, upgrades: 1 },
    );
    check(t, oldModel, 'load_section', { obj: V, page }, { acq: ['X token V load_section first'], outcome: 'map', io: 1 }, false);
    check(
      t,
      newModel,
      'load_section',
      { obj: V, page },
      { acq: ['S token V load_section first', 'X token V load_section upgrade'], outcome: 'map', io: 1, upgrades: 1 },
      false,
    );
  }
});

t.test('references: any other caller is vm_object_reference; vnode objects lockless in new', async (t) => {
  for (const m of [oldModel, newModel]) {
    check(t, m, 'reference', { obj: D, ref: 2, site: 'vmspace_fork' }, { acq: ['X token D vm_object_reference first'], outcome: 'ref' });
    check(t, m, 'reference', { obj: V, ref: 2, site: 'vnode_pager_alloc' }, { acq: ['X token V vnode_pager_alloc first'], outcome: 'ref' });
  }
  check(t, oldModel, 'reference', { obj: V, ref: 2, site: 'vmspace_fork' }, { acq: ['X token V vm_object_reference first'], outcome: 'ref' });
  check(t, newModel, 'reference', { obj: V, ref: 2, site: 'vmspace_fork' }, { acq: [], outcome: 'lockless' });
});

t.test('deallocate: only a drop from 1 takes the backing object, only an unknown one is counted', async (t) => {
  for (const m of [oldModel, newModel]) {
    for (const backing of [V, undefined, null]) {
      const r = replay(m, site('deallocate', { obj: D, ref: 2, backing }));
      t.same(r.acq, ['X token D vm_object_deallocate first'], `${m.name} ref 2`);
      t.equal(r.unknownLinks, 0);
      t.equal(r.outcome, 'deallocate');
    }
    t.equal(replay(m, site('deallocate', { obj: D, ref: 1, backing: null })).unknownLinks, 0, 'no backing object: nothing unknown');
    t.equal(replay(m, site('deallocate', { obj: D, ref: 1, backing: undefined })).unknownLinks, 1);
  }
  check(t, newModel, 'deallocate', { obj: D, ref: 4, backing: V }, { acq: [], outcome: 'lockless' });
});

t.test('shadow and map_split outcomes', async (t) => {
  check(t, oldModel, 'shadow', { shadow: D, source: V }, { acq: ['X token V vm_object_shadow source'], outcome: 'shadow' });
  check(t, newModel, 'shadow', { shadow: D, source: V }, { acq: [], outcome: 'lockless' });
  check(t, newModel, 'shadow', { shadow: D, source: S }, { acq: ['X token S vm_object_shadow source'], outcome: 'shadow' });
  check(t, oldModel, 'map_split', { obj: V }, { acq: ['X token V vm_map_split first'], outcome: 'split' });
  check(t, newModel, 'map_split', { obj: V }, { acq: [], outcome: 'lockless' });
  check(t, newModel, 'map_split', { obj: S }, { acq: ['X token S vm_map_split first', 'X chain S vm_map_split first'], outcome: 'split' });
});

t.test('collapse: the object behind the backing one only for a collapse or bypass over a DEFAULT/SWAP backing object', async (t) => {
  const F = obj('F', 'default');
  const { collapse, bypass, none } = CollapseCase.codes;
  // old: a vnode backing object is locked, but nothing behind it.
  check(
    t,
    oldModel,
    'collapse',
    { obj: F, backing: V, backing2: D, collapseCase: collapse },
    { acq: ['X token V vm_object_collapse backing'], outcome: 'collapse' },
  );
  for (const m of [oldModel, newModel]) {
    const base = ['X token D vm_object_collapse backing', 'X chain D vm_object_collapse backing'];
    check(
      t,
      m,
      'collapse',
      { obj: F, backing: D, backing2: S, collapseCase: collapse },
      { acq: [...base, 'X token S vm_object_collapse bbobj'], outcome: 'collapse' },
    );
    check(
      t,
      m,
      'collapse',
      { obj: F, backing: D, backing2: S, collapseCase: bypass },
      { acq: [...base, 'X token S vm_object_collapse bbobj'], outcome: 'collapse' },
    );
    check(t, m, 'collapse', { obj: F, backing: D, backing2: S, collapseCase: none }, { acq: base, outcome: 'collapse' });
    check(t, m, 'collapse', { obj: F, backing: D, backing2: S, collapseCase: null }, { acq: base, outcome: 'collapse' });
    check(t, m, 'collapse', { obj: F, backing: D, backing2: null, collapseCase: collapse }, { acq: base, outcome: 'collapse' });
  }
  check(t, newModel, 'collapse', { obj: F, backing: V, backing2: D, collapseCase: collapse }, { acq: [], outcome: 'collapse' });
});

t.test('the pager: I/O only where TRYPAGER holds, found only where the pager had the page', async (t) => {
  const chain = (pager: 0 | 1, flags?: ('USER_WIRE' | 'BURST')[]) =>
    fault({
      ftype: 'R',
      flags: flags ?? [],
      phases: [
        {
          levels: [
            { name: 'F', otype: 'default', page: 'absent', backing: 1 },
            { name: 'B1', otype: 'vnode', page: 'absent', pager },
          ],
        },
      ],
    });
  for (const [m, sf] of [
    [oldModel, true],
    [oldModel, false],
    [newModel, false],
    [newFixedModel, false],
  ] as const) {
    const has = replay(m, chain(1), sf);
    t.equal(has.outcome, 'readonly', `${m.name}: the vnode pager had it`);
    t.equal(has.log.foundDepth, 1);
    t.equal(has.log.ioSleeps, 1);
    const none = replay(m, chain(0), sf);
    t.equal(none.outcome, 'zero_fill', `${m.name}: the pager did not have it`);
    t.equal(none.log.ioSleeps, 1);
    const wiring = replay(m, chain(1, ['USER_WIRE']), sf);
    t.equal(wiring.log.ioSleeps, 0, `${m.name}: a wiring fault on an unwired entry does not try the pager`);
    t.equal(wiring.outcome, 'zero_fill');
  }
  // A read with DIRTY set is not a write: no unswap, the quick path succeeds.
  t.same(replay(oldModel, fault({ ftype: 'R', flags: ['DIRTY'], phases: [{ levels: [{ name: 'F', otype: 'default', page: 'valid', swapped: true }] }] })).acq, [
    'S token F vm_fault quick',
  ]);
});

t.test('old: the quick path with a recorded restart, without BURST, and an incomplete walk', async (t) => {
  const valid = [{ name: 'F', otype: 'vnode' as const, page: 'valid' as const }];
  const r = replay(oldModel, fault({ phases: [{ levels: valid, retry: 'map_changed' }, { levels: valid }] }));
  t.same(r.acq, ['1: S token F vm_fault quick', '2: S token F vm_fault quick']);
  t.equal(r.restarts, 1);
  t.equal(r.prefault, 'quick', 'the burst belongs to the attempt that completed');
  t.equal(replay(oldModel, fault({ flags: [], phases: [{ levels: valid }] })).prefault, null, 'no BURST: no prefault');
  for (const m of [newModel, newFixedModel]) {
    t.equal(replay(m, fault({ flags: [], phases: [{ levels: valid }] }), false).prefault, null, `${m.name}: no BURST, both flags clear: no prefault`);
    t.equal(replay(m, fault({ flags: ['BURST'], phases: [{ levels: valid }] }), false).prefault, 'full', `${m.name}: BURST, both flags clear: vm_prefault`);
  }
  for (const m of MODELS) {
    const inc = replay(m, fault({ ftype: 'W', phases: [{ levels: [{ name: 'F', otype: 'default', page: 'absent', backing: 1 }] }] }));
    t.equal(inc.outcome, 'incomplete', m.name);
    t.equal(inc.restarts, 0, `${m.name}: incomplete is not a restart`);
    t.equal(inc.log.foundDepth, 1, `${m.name}: the depth the walk was missing`);
  }
  const hazard = replay(
    newModel,
    fault({
      nthreads: 2,
      phases: [
        {
          levels: [
            { name: 'F', otype: 'default', page: 'invalid', backing: 1 },
            { name: 'B1', otype: 'default', page: 'valid' },
          ],
        },
      ],
    }),
  );
  t.equal(hazard.outcome, 'hazard');
  t.equal(hazard.restarts, 0);
  t.equal(hazard.attempts, 1);
});

t.test('recorded attempts run out: a last attempt that restarts, and the 64-attempt bound', async (t) => {
  const busy = { levels: [{ name: 'F', otype: 'default' as const, page: 'busy' as const }], retry: 'busy' };
  for (const m of MODELS) {
    const r = replay(m, fault({ phases: [busy, busy] }));
    t.equal(r.outcome, 'incomplete', `${m.name}: the trace ended inside the fault`);
    t.equal(r.log.foundDepth, -1);
    t.equal(r.attempts, 2);
    t.equal(r.restarts, 2);
    const many = replay(m, fault({ phases: Array.from({ length: 70 }, () => busy) }));
    t.equal(many.attempts, 64, `${m.name}: at most 64 attempts`);
    t.equal(many.outcome, 'incomplete');
    t.equal(many.log.foundDepth, -1);
  }
});

t.test('F is held from the first take to the end of the fault; prefault walks hand over hand', async (t) => {
  const deep = fault({
    ftype: 'W',
    phases: [
      {
        levels: [
          { name: 'F', otype: 'default', page: 'absent', backing: 1 },
          { name: 'B1', otype: 'default', page: 'absent', backing: 1 },
          { name: 'B2', otype: 'default', page: 'absent', backing: 1 },
          { name: 'B3', otype: 'vnode', page: 'valid' },
        ],
      },
    ],
  });
  // shared_fault=0: old holds the terminal vnode X (so the burst runs), new clears both flags.
  for (const m of MODELS) {
    const r = replay(m, deep, false);
    const { log } = r;
    const idx = (s: string) => r.acq.indexOf(s);
    const first = idx('X token F vm_fault first');
    const last = log.n - 1;
    t.ok(first >= 0 && heldAt(log, first, last), `${m.name}: F's first token outlives every other acquisition`);
    const [p1, p2, p3] = [idx('X token B1 vm_prefault prefault'), idx('X token B2 vm_prefault prefault'), idx('X token B3 vm_prefault prefault')];
    t.ok(p1 > 0 && p2 > p1 && p3 > p2, `${m.name}: the prefault walks B1, B2, B3`);
    t.ok(heldAt(log, p1, p2) && !heldAt(log, p1, p3), `${m.name}: B1 held until B2 is taken, not until B3`);
    const pf = idx('X token F vm_prefault prefault');
    t.ok(heldAt(log, pf, p3), `${m.name}: the prefault's X on F is held through its walk`);
    t.equal(
      r.acq.filter((a) => a.includes('chain_release')).length,
      m === oldModel ? 2 + 2 : 0,
      `${m.name}: chain release tokens (fault walk and prefault walk in old)`,
    );
  }
});

t.test('models by name', async (t) => {
  t.same(DEFAULT_MODELS, ['old', 'new', 'new-fixed']);
  t.same(MODELS, [oldModel, newModel, newFixedModel]);
  t.same(REGISTERED, [oldModel, newModel, newFixedModel, linuxMmapModel, linuxVmaModel]);
  t.same(modelsByName(['new-fixed', 'old']), [newFixedModel, oldModel]);
  t.throws(() => modelsByName(['old', 'newer']), {
    name: 'UsageError',
    message: /unknown model 'newer' \(known: old, new, new-fixed, linux-mmap, linux-vma\)/,
  });
  for (const m of MODELS) t.ok(m.description.length > 20, `${m.name} has a description`);
  t.not(newModel.description, newFixedModel.description);
});
