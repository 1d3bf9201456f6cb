// The walks every model shares, checked where a hand-made mutation of the
// models once slipped through: the MAX_CHAIN bound on a registry chain that
// loops, hand-over-hand release of backing objects (which hold exactly when),
// and the recursive flag of the lock log.

import t from 'tap';
import { MAX_CHAIN } from '../../src/models/common.js';
import { newFixedModel, newModel } from '../../src/models/new.js';
import { oldModel } from '../../src/models/old.js';
import { fault, heldAt, obj, replay, type LevelSpec } from './harness.js';

const MODELS = [oldModel, newModel, newFixedModel];

t.test('MAX_CHAIN: a registry chain that loops stops the vnode pager lock walk after exactly 64 steps', async (t) => {
  t.equal(MAX_CHAIN, 64);
  // F -> B1 -> B2 -> B1 -> ...: a freed object's address reused further up its old chain.
  const loop = fault({
    ftype: 'R',
    flags: [],
    nthreads: 2,
    phases: [{ levels: [{ name: 'F', otype: 'default', page: 'valid', backing: 1, shadowed: 1 }] }],
    below: { F: obj('B1', 'default'), B1: obj('B2', 'default'), B2: obj('B1', 'default') },
  });
  for (const m of MODELS) {
    const r = replay(m, loop);
    t.equal(r.acq.filter((a) => a.includes('vnode_pager_lock')).length, 64, `${m.name}: one brief S per step, 64 steps`);
    t.equal(r.unknownLinks, 1, `${m.name}: the walk that gave up is counted as an unknown link`);
    t.equal(r.outcome, 'map', m.name);
  }
});

t.test('MAX_CHAIN: a looping chain of DEFAULT objects stops the vm_prefault walk after exactly 64 steps', async (t) => {
  // Both walks follow the loop: the vnode pager lock walk (brief S) and, after the fault, vm_prefault (X).
  const loop = fault({
    ftype: 'W',
    flags: ['BURST', 'DIRTY'],
    phases: [
      {
        levels: [
          { name: 'F', otype: 'default', page: 'absent', backing: 1 },
          { name: 'B1', otype: 'default', page: 'valid', backing: 1 },
        ],
      },
    ],
    below: { F: obj('B1', 'default'), B1: obj('B2', 'default'), B2: obj('B1', 'default') },
  });
  // new and new-fixed run vm_prefault only with both flags clear: shared_fault=0 gives that at once.
  for (const [m, sharedFault] of [
    [oldModel, true],
    [newModel, false],
    [newFixedModel, false],
  ] as const) {
    const r = replay(m, loop, sharedFault);
    const walk = r.acq.filter((a) => a.includes('X token') && a.includes('vm_prefault'));
    t.equal(walk.length, 1 + 64, `${m.name}: X on F, then one X per step for 64 steps`);
    t.equal(r.prefault, 'full', m.name);
    t.equal(r.unknownLinks, 2, `${m.name}: the vnode pager lock walk and the prefault walk each gave up once`);
  }
});

/** A walk through four levels, the page found at the last one. */
function deepWalk(last: LevelSpec['otype']): ReturnType<typeof fault> {
  return fault({
    ftype: 'R',
    flags: [],
    nthreads: 2,
    phases: [
      {
        levels: [
          { name: 'F', otype: 'default', page: 'absent', backing: 1 },
          { name: 'B1', otype: 'default', page: 'absent', backing: 1 },
          { name: 'B2', otype: 'default', page: 'absent', backing: 1 },
          { name: 'B3', otype: last, page: 'valid' },
        ],
      },
    ],
  });
}

t.test('hand over hand: each backing token is held until the next one is taken, and released right after', async (t) => {
  for (const m of MODELS) {
    const r = replay(m, deepWalk('default'));
    const { log } = r;
    const final = log.attempts;
    const at = (name: string): number => {
      const i = r.acq.findIndex((a) => (log.attempts > 1 ? a.startsWith(`${final}: `) : true) && a.endsWith(`token ${name} vm_fault backing`));
      t.ok(i >= 0, `${m.name}: ${name} taken on the final attempt`);
      return i;
    };
    const [b1, b2, b3] = [at('B1'), at('B2'), at('B3')];
    t.ok(heldAt(log, b1, b2), `${m.name}: B1 still held when B2 is taken`);
    t.notOk(heldAt(log, b1, b2 + 2), `${m.name}: B1 released before anything after B2 and its chain lock`);
    t.equal(log.releasedAt[b1], log.step[b2 + 1], `${m.name}: B1 released at B2's chain lock, the step before the release`);
    t.ok(heldAt(log, b2, b3), `${m.name}: B2 still held when B3 is taken`);
    t.notOk(heldAt(log, b1, b3), `${m.name}: B1 no longer held when B3 is taken`);
    t.equal(log.releasedAt[b2], log.step[b3 + 1], `${m.name}: B2 released right after B3 and its chain lock`);
    // The chain locks stay on every traversed object until the end of the fault.
    const chainB1 = b1 + 1;
    t.match(r.acq[chainB1], /chain B1 vm_fault backing$/);
    t.ok(heldAt(log, chainB1, b3), `${m.name}: B1's chain lock outlives its token`);
  }
});

t.test('hand over hand: at most one backing token besides F at any step of a deep walk', async (t) => {
  for (const m of MODELS) {
    for (const last of ['default', 'vnode', 'swap'] as const) {
      const r = replay(m, deepWalk(last));
      const { log } = r;
      const backing = [...Array(log.n).keys()].filter((a) => r.acq[a]!.includes('token B') && r.acq[a]!.endsWith('vm_fault backing'));
      for (const b of backing) {
        const alsoHeld = backing.filter((a) => a < b && heldAt(log, a, b));
        t.ok(alsoHeld.length <= 1, `${m.name} (${last}): ${r.acq[b]} taken while holding ${alsoHeld.length} other backing tokens`);
      }
    }
  }
});

t.test('the recursive flag: set exactly on a take over a hold the thread already owns', async (t) => {
  // old exec_map_page: the nested vm_page_grab's X under the exec X.
  const V = obj('V', 'vnode');
  const exec = replay(oldModel, { kind: 'exec_page', id: 1, tid: 1, obj: V, page: 2 });
  t.same(exec.recursive, ['X token V vm_page_grab recursive']);
  // new exec_map_page back-down: the nested grab's S under the X, and its upgrade, are both recursive.
  const execNew = replay(newModel, { kind: 'exec_page', id: 1, tid: 1, obj: V, page: 3 });
  t.same(execNew.recursive, ['S token V vm_page_grab recursive', 'X token V vm_page_grab upgrade']);
  // old: the recursive unswap X on F held X by the slow path.
  const unswap = replay(oldModel, fault({ ftype: 'W', phases: [{ levels: [{ name: 'F', otype: 'default', page: 'valid', swapped: true }] }] }));
  t.same(unswap.recursive, ['X token F swap_pager_unswapped unswap', 'X token F vm_prefault prefault']);
  // A plain walk takes nothing recursively, and chain locks never are.
  for (const m of MODELS) t.same(replay(m, deepWalk('vnode')).recursive, [], m.name);
  // A prefault under the fault's own X on F is recursive on F only.
  const burst = replay(oldModel, fault({ ftype: 'W', phases: [{ levels: [{ name: 'F', otype: 'default', page: 'absent' }] }] }));
  t.same(burst.recursive, ['X token F vm_prefault prefault']);
});

t.test('a level the trace says has no backing object ends the walk, whatever the registry says', async (t) => {
  // The registry may hold a stale link for a reused address; the fault's own level wins.
  const f = fault({
    ftype: 'R',
    flags: [],
    nthreads: 2,
    phases: [{ levels: [{ name: 'F', otype: 'default', page: 'valid', backing: 0 }] }],
    below: { F: obj('B1', 'vnode') },
  });
  for (const m of MODELS) {
    const r = replay(m, f, false);
    t.notOk(
      r.acq.some((a) => a.includes('vnode_pager_lock')),
      m.name,
    );
    t.equal(r.unknownLinks, 0, m.name);
  }
});
