// The `new` and `new-fixed` models, rule by rule (docs/models.md,
// "new model (501747bf)"), and the worked scenarios of the source notes (2.9).

import t from 'tap';
import { newFixedModel, newModel } from '../../src/models/new.js';
import { oldModel } from '../../src/models/old.js';
import { fault, replay, type FaultSpec } from './harness.js';

const anonShadow = (page: 'valid' | 'absent', backingPage: 'valid' | 'absent', extra: Partial<FaultSpec> = {}) =>
  fault({
    phases: [
      {
        levels: [
          { name: 'F', otype: 'default', page, backing: 1 },
          { name: 'B1', otype: 'default', page: backingPage },
        ],
      },
    ],
    ...extra,
  });

t.test('scenario: read fault on a cached text page (old: quick path S; new: S, no back-down)', async (t) => {
  const text = fault({ phases: [{ levels: [{ name: 'F', otype: 'vnode', page: 'valid' }] }] });
  t.same(replay(oldModel, text).acq, ['S token F vm_fault quick']);
  for (const m of [newModel, newFixedModel]) {
    const r = replay(m, text);
    t.same(r.acq, ['S token F vm_fault first'], m.name);
    t.same(r.backdowns, []);
    t.equal(r.prefault, 'quick', 'vm_prefault_quick: no extra locks');
  }
});

t.test('scenario: the same page not cached (new: B1, then X and I/O; burst stays quick)', async (t) => {
  const cold = fault({ phases: [{ levels: [{ name: 'F', otype: 'vnode', page: 'absent', pager: 1 }] }] });
  const r = replay(newModel, cold);
  t.same(r.acq, ['1: S token F vm_fault first', '2: X token F vm_fault first']);
  t.same(r.backdowns, ['B1@0']);
  t.equal(r.attempts, 2);
  t.equal(r.prefault, 'quick', '`shared` is still 1 after B1, so no vm_prefault');
  const old = replay(oldModel, cold);
  t.same(old.acq, ['S token F vm_fault quick', 'X token F vm_fault first', 'X token F vm_prefault prefault']);
});

t.test('scenario: first write to a data segment, single- and multi-threaded', async (t) => {
  const spec = (nthreads: number) =>
    fault({
      ftype: 'W',
      nthreads,
      phases: [
        {
          levels: [
            { name: 'F', otype: 'default', page: 'absent', backing: 1, shadowed: 0 },
            { name: 'B1', otype: 'vnode', page: 'valid' },
          ],
        },
      ],
    });
  const single = replay(newModel, spec(1));
  t.same(single.acq, ['X token F vm_fault first', 'S token B1 vnode_pager_lock vnode_pager_lock', 'S chain F vm_fault first', 'S token B1 vm_fault backing']);
  t.same(single.backdowns, [], 'H1 takes F exclusive at once');
  t.equal(single.outcome, 'cow_copy');
  const multi = replay(newModel, spec(4));
  t.same(multi.backdowns, ['B1@0'], 'multi-threaded: F S, then B1');
  t.match(multi.acq[0], /^1: S token F/);
  t.ok(multi.acq.includes('2: X token F vm_fault first'));
  t.ok(multi.acq.includes('2: S token B1 vm_fault backing'), 'the COW copy reads the vnode page under S');
  for (const n of [1, 4]) {
    const fixed = replay(newFixedModel, spec(n));
    t.same(fixed.backdowns, [], `new-fixed nthreads=${n}: DIRTY takes F X from the start`);
    t.equal(fixed.acq[0], 'X token F vm_fault first');
  }
});

t.test('scenario: a read of a page that lives only in a DEFAULT backing object after fork', async (t) => {
  // Multi-threaded (H1 does not apply): F S -> B1 -> F X; the backing DEFAULT object stays S, chain S.
  const r = replay(newModel, anonShadow('absent', 'valid', { nthreads: 2 }));
  t.same(r.backdowns, ['B1@0']);
  t.ok(r.acq.includes('2: S token B1 vm_fault backing'));
  t.ok(r.acq.includes('2: S chain B1 vm_fault backing'));
  t.equal(r.outcome, 'readonly');
  t.equal(r.prefault, 'quick');
  const old = replay(oldModel, anonShadow('absent', 'valid', { nthreads: 2 }));
  t.ok(old.acq.includes('X token B1 vm_fault backing'));
  t.ok(old.acq.includes('X chain B1 vm_fault backing'));
});

t.test('scenario: a write fault on a swapped anonymous page (new: hazard; new-fixed: X from the start)', async (t) => {
  const swapped = fault({ ftype: 'W', phases: [{ levels: [{ name: 'F', otype: 'default', page: 'valid', swapped: true }] }] });
  const r = replay(newModel, swapped);
  t.same(r.hazards, ['token_livelock F swap_pager_unswapped']);
  t.equal(r.outcome, 'hazard');
  t.same(r.acq, ['S token F vm_fault first', 'S chain F vm_fault first'], "the hazard's X is not counted");
  const fixed = replay(newFixedModel, swapped);
  t.same(fixed.hazards, []);
  t.same(fixed.acq, ['X token F vm_fault first', 'S chain F vm_fault first', 'X token F swap_pager_unswapped unswap']);
  t.equal(fixed.prefault, 'quick', 'shared is still 1: no vm_prefault');
});

t.test('1. H1 needs a backing object, an empty shadow list and exactly one thread', async (t) => {
  t.equal(replay(newModel, anonShadow('valid', 'valid')).acq[0], 'X token F vm_fault first');
  t.equal(replay(newModel, anonShadow('valid', 'valid', { nthreads: 3 })).acq[0], 'S token F vm_fault first');
  const shadowed = fault({
    phases: [
      {
        levels: [
          { name: 'F', otype: 'default', page: 'valid', backing: 1, shadowed: 1 },
          { name: 'B1', otype: 'default', page: 'valid' },
        ],
      },
    ],
  });
  t.equal(replay(newModel, shadowed).acq[0], 'S token F vm_fault first');
  const terminal = fault({ phases: [{ levels: [{ name: 'F', otype: 'default', page: 'valid' }] }] });
  t.equal(replay(newModel, terminal).acq[0], 'S token F vm_fault first');
});

t.test('2. new-fixed: DIRTY or UNSWAP clears first_shared; new does not', async (t) => {
  const levels = [{ name: 'F', otype: 'vnode' as const, page: 'valid' as const }];
  for (const flags of [['DIRTY'], ['UNSWAP']] as const) {
    t.equal(replay(newFixedModel, fault({ flags: [...flags], phases: [{ levels }] })).acq[0], 'X token F vm_fault first');
    t.equal(replay(newModel, fault({ flags: [...flags], phases: [{ levels }] })).acq[0], 'S token F vm_fault first');
  }
});

t.test('3. chain lock on F follows `shared`; the kernel map is not excluded', async (t) => {
  const r = replay(newModel, fault({ kernelMap: true, flags: [], nthreads: 2, phases: [{ levels: [{ name: 'F', otype: 'default', page: 'valid' }] }] }));
  t.same(r.acq, ['S token F vm_fault first', 'S chain F vm_fault first']);
});

t.test('4. B1: page absent in F while first_shared, whatever F type; the zero fill then runs with F X', async (t) => {
  const r = replay(newModel, fault({ phases: [{ levels: [{ name: 'F', otype: 'default', page: 'absent' }] }] }));
  t.same(r.backdowns, ['B1@0']);
  t.same(r.acq, ['1: S token F vm_fault first', '1: S chain F vm_fault first', '2: X token F vm_fault first', '2: S chain F vm_fault first']);
  t.equal(r.outcome, 'zero_fill');
});

t.test('4. B2: page absent in a vnode backing object while shared clears both flags', async (t) => {
  const r = replay(
    newModel,
    fault({
      nthreads: 2,
      flags: ['BURST'],
      phases: [
        {
          levels: [
            { name: 'F', otype: 'default', page: 'absent', backing: 1 },
            { name: 'B1', otype: 'vnode', page: 'absent', pager: 1 },
          ],
        },
      ],
    }),
  );
  t.same(r.backdowns, ['B1@0', 'B2@1']);
  t.equal(r.attempts, 3);
  t.same(
    r.acq.filter((a) => a.startsWith('3:')),
    [
      '3: X token F vm_fault first',
      '3: S token B1 vnode_pager_lock vnode_pager_lock',
      '3: X chain F vm_fault first',
      '3: X token B1 vm_fault backing',
      '3: X token F vm_prefault prefault',
      '3: X chain F vm_prefault prefault',
      '3: X token B1 vm_prefault prefault',
    ],
  );
  t.equal(r.prefault, 'full', 'both flags clear: vm_prefault, which stops after the first non-DEFAULT object');
});

t.test('4. B3: invalid page in F while first_shared and TRYPAGER(F); never for a DEFAULT F', async (t) => {
  const r = replay(newModel, fault({ phases: [{ levels: [{ name: 'F', otype: 'vnode', page: 'invalid', pager: 1 }] }] }));
  t.same(r.backdowns, ['B3@0']);
  const wiring = replay(newModel, fault({ flags: ['USER_WIRE'], phases: [{ levels: [{ name: 'F', otype: 'vnode', page: 'invalid', pager: 1 }] }] }));
  t.same(wiring.backdowns, [], 'a wiring fault on an unwired entry is not TRYPAGER');
});

t.test('4. B4: invalid page in a swap backing object while shared', async (t) => {
  const r = replay(
    newModel,
    fault({
      nthreads: 2,
      phases: [
        {
          levels: [
            { name: 'F', otype: 'default', page: 'absent', backing: 1 },
            { name: 'B1', otype: 'swap', page: 'invalid', pager: 1 },
          ],
        },
      ],
    }),
  );
  t.same(r.backdowns, ['B1@0', 'B4@1']);
});

t.test('4. a DEFAULT backing object without the page is passed through: no allocation, no back-down', async (t) => {
  const r = replay(
    newModel,
    fault({
      nthreads: 2,
      phases: [
        {
          levels: [
            { name: 'F', otype: 'default', page: 'absent', backing: 1 },
            { name: 'B1', otype: 'default', page: 'absent', backing: 1 },
            { name: 'B2', otype: 'default', page: 'valid' },
          ],
        },
      ],
    }),
  );
  t.same(r.backdowns, ['B1@0'], 'only the F-level back-down');
  t.ok(r.acq.includes('2: S token B2 vm_fault backing'), 'backing objects stay S through DEFAULT objects that lack the page');
  t.notOk(
    r.acq.some((a) => a.includes('chain_release')),
    '9. chain release takes no tokens',
  );
});

t.test('6. F stays S only if the page is resident and valid in F', async (t) => {
  const r = replay(
    newModel,
    fault({
      nthreads: 2,
      phases: [
        {
          levels: [
            { name: 'F', otype: 'default', page: 'valid', backing: 1 },
            { name: 'B1', otype: 'vnode', page: 'valid' },
          ],
        },
      ],
    }),
  );
  t.same(r.acq, ['S token F vm_fault first', 'S token B1 vnode_pager_lock vnode_pager_lock', 'S chain F vm_fault first']);
});

t.test('the flags are never set back within a call: a busy retry after B1 keeps F X', async (t) => {
  const levels = (b1: 'busy' | 'valid') => [
    { name: 'F', otype: 'default' as const, page: 'absent' as const, backing: 1 as const },
    { name: 'B1', otype: 'vnode' as const, page: b1 },
  ];
  const r = replay(newModel, fault({ nthreads: 2, phases: [{ levels: levels('busy'), retry: 'busy' }, { levels: levels('valid') }] }));
  t.same(r.backdowns, ['B1@0']);
  t.equal(r.restarts, 1);
  t.equal(r.attempts, 3);
  t.equal(r.acq.filter((a) => a.startsWith('3:'))[0], '3: X token F vm_fault first');
  t.ok(r.acq.includes('3: S token B1 vm_fault backing'), '`shared` was never cleared');
});

t.test('shared_fault=0: every fault-path token X, except the vnode pager lock', async (t) => {
  const f = fault({
    nthreads: 2,
    phases: [
      {
        levels: [
          { name: 'F', otype: 'default', page: 'absent', backing: 1 },
          { name: 'B1', otype: 'vnode', page: 'valid' },
        ],
      },
    ],
  });
  for (const m of [oldModel, newModel, newFixedModel]) {
    const r = replay(m, f, false);
    t.same(
      r.acq.filter((a) => a.startsWith('S token')),
      ['S token B1 vnode_pager_lock vnode_pager_lock'],
      m.name,
    );
    t.same(r.backdowns, [], `${m.name}: nothing to back down from`);
  }
});

t.test('a partly valid page in a shared DEFAULT first object is recorded as the first_m hazard', async (t) => {
  const r = replay(
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
  t.same(r.hazards, ['first_m_shared F vm_fault']);
});

t.test('a fault whose walk needs a level the trace did not record is incomplete', async (t) => {
  const r = replay(
    newModel,
    fault({
      ftype: 'W',
      phases: [
        {
          levels: [
            { name: 'F', otype: 'default', page: 'absent', backing: 1 },
            { name: 'B1', otype: 'default', page: 'absent', backing: 1 },
          ],
        },
      ],
    }),
  );
  t.equal(r.outcome, 'incomplete');
});

t.test('7 / 10. a DIRTY write with F swapped whose page is found below F: no unswap X, no hazard, in either new model', async (t) => {
  const levels = [
    { name: 'F', otype: 'default' as const, page: 'absent' as const, backing: 1 as const, swapped: true },
    { name: 'B1', otype: 'swap' as const, page: 'valid' as const },
  ];
  for (const nthreads of [1, 2]) {
    for (const m of [newModel, newFixedModel]) {
      const r = replay(m, fault({ ftype: 'W', nthreads, phases: [{ levels }] }));
      t.equal(r.outcome, 'cow_copy', `${m.name}, nthreads ${nthreads}`);
      t.same(r.hazards, [], `${m.name}, nthreads ${nthreads}`);
      t.notOk(
        r.acq.some((a) => a.includes('swap_pager_unswapped')),
        `${m.name}, nthreads ${nthreads}`,
      );
    }
  }
  // The same write with the page in F takes it (new-fixed) or hits the hazard (new, F held S).
  const inF = [{ name: 'F', otype: 'default' as const, page: 'valid' as const, backing: 1 as const, swapped: true }, levels[1]!];
  t.ok(replay(newFixedModel, fault({ ftype: 'W', nthreads: 2, phases: [{ levels: inF }] })).acq.includes('X token F swap_pager_unswapped unswap'));
  t.same(replay(newModel, fault({ ftype: 'W', nthreads: 2, phases: [{ levels: inF }] })).hazards, ['token_livelock F swap_pager_unswapped']);
});
