// The `old` model, rule by rule (docs/models.md, "old model").

import t from 'tap';
import { oldModel } from '../../src/models/old.js';
import { fault, obj, replay } from './harness.js';

const textCached = fault({ phases: [{ levels: [{ name: 'F', otype: 'vnode', page: 'valid' }] }] });

t.test('1. quick path: a cached page in a terminal first object is done with S(F) only', async (t) => {
  const r = replay(oldModel, textCached);
  t.same(r.acq, ['S token F vm_fault quick']);
  t.equal(r.prefault, 'quick', 'burst handled by the quick prefault, no extra locks');
  t.equal(r.outcome, 'map');
});

t.test('1. quick path applies to a terminal first object of any type', async (t) => {
  const r = replay(oldModel, fault({ phases: [{ levels: [{ name: 'F', otype: 'default', page: 'valid' }] }] }));
  t.same(r.acq, ['S token F vm_fault quick']);
});

t.test('1. quick path is not tried with shared_fault=0, a backing object, a vpagetable entry or the kernel map', async (t) => {
  const l = [{ name: 'F', otype: 'default' as const, page: 'valid' as const }];
  t.notOk(replay(oldModel, fault({ phases: [{ levels: l }] }), false).acq.some((a) => a.includes('quick')));
  t.notOk(replay(oldModel, fault({ vpagetable: true, phases: [{ levels: l }] })).acq.some((a) => a.includes('quick')));
  t.notOk(replay(oldModel, fault({ kernelMap: true, flags: [], phases: [{ levels: l }] })).acq.some((a) => a.includes('quick')));
  const shadowed = fault({
    phases: [{ levels: [{ name: 'F', otype: 'default', page: 'valid', backing: 1 }] }],
    below: { F: obj('B1', 'vnode') },
  });
  t.notOk(replay(oldModel, shadowed).acq.some((a) => a.includes('quick')));
});

t.test('1. a swapped page written with DIRTY fails the quick path; 8. the slow path takes the recursive unswap X', async (t) => {
  const r = replay(oldModel, fault({ ftype: 'W', phases: [{ levels: [{ name: 'F', otype: 'default', page: 'valid', swapped: true }] }] }));
  t.same(r.acq.slice(0, 5), [
    'S token F vm_fault quick',
    'X token F vm_fault first',
    'X chain F vm_fault first',
    'X token F swap_pager_unswapped unswap',
    'X token F vm_prefault prefault',
  ]);
  t.equal(r.attempts, 1, 'a quick-path miss is not a retry');
  t.same(r.hazards, []);
});

t.test('2. slow path: X(F), the vnode pager lock walk (S on each backing object down to the vnode), chain X(F)', async (t) => {
  const r = replay(
    oldModel,
    fault({
      ftype: 'R',
      flags: [],
      phases: [
        {
          levels: [
            { name: 'F', otype: 'default', page: 'absent', backing: 1 },
            { name: 'B1', otype: 'default', page: 'absent', backing: 1 },
            { name: 'B2', otype: 'vnode', page: 'valid' },
          ],
        },
      ],
    }),
  );
  t.same(r.acq, [
    'X token F vm_fault first',
    'S token B1 vnode_pager_lock vnode_pager_lock',
    'S token B2 vnode_pager_lock vnode_pager_lock',
    'X chain F vm_fault first',
    'X token B1 vm_fault backing',
    'X chain B1 vm_fault backing',
    'S token B2 vm_fault backing',
    'X token B1 chain_release chain_release',
  ]);
  t.equal(r.outcome, 'readonly');
});

t.test('3. a backing vnode object that is not terminal, or shared_fault=0, is taken X', async (t) => {
  const levels = [
    { name: 'F', otype: 'default' as const, page: 'absent' as const, backing: 1 as const },
    { name: 'B1', otype: 'vnode' as const, page: 'valid' as const },
  ];
  const r = replay(oldModel, fault({ flags: [], phases: [{ levels }] }), false);
  t.ok(r.acq.includes('X token B1 vm_fault backing'));
  t.equal(r.tokens.S, 1, 'only the vnode pager lock is S with shared_fault=0');
});

t.test('4. a terminal vnode held S whose page is absent is upgraded in place, no restart', async (t) => {
  const r = replay(
    oldModel,
    fault({
      flags: [],
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
  t.same(r.acq.slice(-2), ['S token B1 vm_fault backing', 'X token B1 vm_fault upgrade']);
  t.equal(r.upgrades, 1);
  t.equal(r.attempts, 1);
  t.same(r.backdowns, []);
});

t.test('5. a busy page restarts the fault from the map lookup, choices made afresh', async (t) => {
  const r = replay(
    oldModel,
    fault({
      phases: [{ levels: [{ name: 'F', otype: 'vnode', page: 'busy' }], retry: 'busy' }, { levels: [{ name: 'F', otype: 'vnode', page: 'valid' }] }],
    }),
  );
  t.same(r.acq, ['1: S token F vm_fault quick', '1: X token F vm_fault first', '2: S token F vm_fault quick']);
  t.equal(r.restarts, 1);
  t.equal(r.attempts, 2);
});

t.test('6. chain release: a transient X on every intermediate object (not F, not where the walk stopped)', async (t) => {
  const r = replay(
    oldModel,
    fault({
      flags: [],
      phases: [
        {
          levels: [
            { name: 'F', otype: 'default', page: 'absent', backing: 1 },
            { name: 'B1', otype: 'default', page: 'absent', backing: 1 },
            { name: 'B2', otype: 'swap', page: 'absent', backing: 1, pager: 0 },
            { name: 'B3', otype: 'default', page: 'absent' },
          ],
        },
      ],
    }),
  );
  t.same(
    r.acq.filter((a) => a.includes('chain_release')),
    ['X token B1 chain_release chain_release', 'X token B2 chain_release chain_release'],
  );
  t.equal(r.outcome, 'zero_fill');
});

t.test('7. burst: vm_prefault walks DEFAULT objects X, then takes the first non-DEFAULT one X and stops', async (t) => {
  const r = replay(
    oldModel,
    fault({
      ftype: 'W',
      phases: [
        {
          levels: [
            { name: 'F', otype: 'default', page: 'absent', backing: 1 },
            { name: 'B1', otype: 'default', page: 'valid', backing: 1 },
          ],
        },
      ],
      below: { B1: obj('B2', 'vnode') },
    }),
  );
  const pre = r.acq.filter((a) => a.includes('prefault') || a.includes('chain_release'));
  t.same(pre, [
    'X token F vm_prefault prefault',
    'X chain F vm_prefault prefault',
    'X token B1 vm_prefault prefault',
    'X chain B1 vm_prefault prefault',
    'X token B2 vm_prefault prefault',
    'X token B1 chain_release chain_release',
  ]);
  t.equal(r.prefault, 'full');
});

t.test('7. no prefault when the walk ended on a terminal vnode object held S', async (t) => {
  const r = replay(
    oldModel,
    fault({
      ftype: 'W',
      phases: [
        {
          levels: [
            { name: 'F', otype: 'default', page: 'absent', backing: 1 },
            { name: 'B1', otype: 'vnode', page: 'valid' },
          ],
        },
      ],
    }),
  );
  t.equal(r.prefault, null, 'BURST cleared: not even the quick prefault');
  t.notOk(r.acq.some((a) => a.includes('vm_prefault')));
  t.equal(r.outcome, 'cow_copy');
  // After an in-place upgrade the object is no longer held S: the burst runs.
  const upgraded = replay(
    oldModel,
    fault({
      ftype: 'W',
      phases: [
        {
          levels: [
            { name: 'F', otype: 'default', page: 'absent', backing: 1 },
            { name: 'B1', otype: 'vnode', page: 'invalid', pager: 1 },
          ],
        },
      ],
    }),
  );
  t.equal(upgraded.upgrades, 1);
  t.equal(upgraded.prefault, 'full');
});

t.test('a chain link nobody knows is counted, not guessed', async (t) => {
  const r = replay(oldModel, fault({ ftype: 'R', flags: [], phases: [{ levels: [{ name: 'F', otype: 'default', page: 'valid', backing: 1 }] }] }));
  t.equal(r.unknownLinks, 1);
});

t.test('a recorded non-busy retry is replayed as a restart', async (t) => {
  const r = replay(
    oldModel,
    fault({
      phases: [{ levels: [{ name: 'F', otype: 'default', page: 'absent' }], retry: 'memory' }, { levels: [{ name: 'F', otype: 'default', page: 'absent' }] }],
    }),
  );
  t.equal(r.restarts, 1);
  t.equal(r.attempts, 2);
  t.equal(r.outcome, 'zero_fill');
});

t.test('5-6. a restarted attempt releases its chain first: the transient X on intermediates is taken before the sleep', async (t) => {
  const chain = (last: 'busy' | 'valid') => [
    { name: 'F', otype: 'default' as const, page: 'absent' as const, backing: 1 as const },
    { name: 'B1', otype: 'default' as const, page: 'absent' as const, backing: 1 as const },
    { name: 'B2', otype: 'default' as const, page: 'absent' as const, backing: 1 as const },
    { name: 'B3', otype: 'vnode' as const, page: last },
  ];
  const r = replay(oldModel, fault({ ftype: 'R', flags: [], phases: [{ levels: chain('busy'), retry: 'busy' }, { levels: chain('valid') }] }));
  t.same(
    r.acq.filter((a) => a.includes('chain_release')),
    [
      '1: X token B1 chain_release chain_release',
      '1: X token B2 chain_release chain_release',
      '2: X token B1 chain_release chain_release',
      '2: X token B2 chain_release chain_release',
    ],
    'busy page at B3: B1 and B2 are intermediate on both attempts',
  );
  // The transient X comes while the walk still holds F and the busy object, before everything is released.
  const { log } = r;
  const firstRelease = [...Array(log.n).keys()].find((a) => log.attemptOf[a] === 1 && r.acq[a]!.includes('chain_release'))!;
  const busyHold = r.acq.indexOf('1: S token B3 vm_fault backing');
  t.ok(busyHold >= 0 && busyHold < firstRelease, 'taken after the busy object was reached');
  t.equal(log.releasedAt[busyHold], log.step[firstRelease + 1], 'the busy object is released after the chain release');
  t.equal(r.restarts, 1);
  t.equal(r.outcome, 'readonly');
});

t.test('5-6. every recorded KERN_TRY_AGAIN exit (memory, map change) takes the chain release too', async (t) => {
  for (const why of ['memory', 'map_changed']) {
    const levels = [
      { name: 'F', otype: 'default' as const, page: 'absent' as const, backing: 1 as const },
      { name: 'B1', otype: 'swap' as const, page: 'absent' as const, backing: 1 as const, pager: 0 as const },
      { name: 'B2', otype: 'default' as const, page: 'absent' as const, backing: 1 as const },
      { name: 'B3', otype: 'vnode' as const, page: 'valid' as const },
    ];
    const r = replay(oldModel, fault({ ftype: 'W', flags: ['DIRTY'], phases: [{ levels, retry: why }, { levels }] }));
    t.same(
      r.acq.filter((a) => a.includes('chain_release')),
      [
        '1: X token B1 chain_release chain_release',
        '1: X token B2 chain_release chain_release',
        '2: X token B1 chain_release chain_release',
        '2: X token B2 chain_release chain_release',
      ],
      why,
    );
    t.equal(r.restarts, 1, why);
  }
});

t.test('5-6. a busy page at depth 1 has no intermediate object: no chain-release token', async (t) => {
  const levels = (p: 'busy' | 'valid') => [
    { name: 'F', otype: 'default' as const, page: 'absent' as const, backing: 1 as const },
    { name: 'B1', otype: 'default' as const, page: p },
  ];
  const r = replay(oldModel, fault({ flags: [], phases: [{ levels: levels('busy'), retry: 'busy' }, { levels: levels('valid') }] }));
  t.notOk(r.acq.some((a) => a.includes('chain_release')));
  t.equal(r.restarts, 1);
});

t.test('3. a non-terminal vnode backing object is taken X (and chain X is a no-op on it) with shared_fault=1 and 0', async (t) => {
  const levels = (backing: 0 | 1) => [
    { name: 'F' as const, otype: 'default' as const, page: 'absent' as const, backing: 1 as const },
    { name: 'B1' as const, otype: 'vnode' as const, page: 'valid' as const, backing },
  ];
  for (const sharedFault of [true, false]) {
    const r = replay(oldModel, fault({ flags: [], phases: [{ levels: levels(1) }], below: { B1: obj('B2', 'vnode') } }), sharedFault);
    t.ok(r.acq.includes('X token B1 vm_fault backing'), `shared_fault=${sharedFault ? 1 : 0}: X on a vnode object that has a backing object`);
    t.notOk(r.acq.includes('S token B1 vm_fault backing'), `shared_fault=${sharedFault ? 1 : 0}`);
    t.notOk(
      r.acq.some((a) => a.includes('chain B1')),
      'no chain lock on a vnode object',
    );
  }
  // The terminal one is S with shared_fault=1 only.
  t.ok(replay(oldModel, fault({ flags: [], phases: [{ levels: levels(0) }] }), true).acq.includes('S token B1 vm_fault backing'));
  t.ok(replay(oldModel, fault({ flags: [], phases: [{ levels: levels(0) }] }), false).acq.includes('X token B1 vm_fault backing'));
  // A terminal object of another type is X whatever the knob.
  const swap = [levels(0)[0]!, { ...levels(0)[1]!, otype: 'swap' as const }];
  t.ok(replay(oldModel, fault({ flags: [], phases: [{ levels: swap }] }), true).acq.includes('X token B1 vm_fault backing'));
});

t.test('8. the unswap X is for a page mapped from F only: a DIRTY write with F swapped and the page found below takes none', async (t) => {
  const levels = [
    { name: 'F', otype: 'default' as const, page: 'absent' as const, backing: 1 as const, swapped: true },
    { name: 'B1', otype: 'swap' as const, page: 'valid' as const },
  ];
  const r = replay(oldModel, fault({ ftype: 'W', phases: [{ levels }] }));
  t.equal(r.outcome, 'cow_copy');
  t.notOk(r.acq.some((a) => a.includes('swap_pager_unswapped')));
});
