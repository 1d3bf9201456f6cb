// The lock sites other than vm_fault ("Other sites" of the spec), old against new.

import t from 'tap';
import { CollapseCase, PG } from '../../src/events/vocabulary.js';
import { newFixedModel, newModel } from '../../src/models/new.js';
import { oldModel } from '../../src/models/old.js';
import { obj, replay, site } from './harness.js';

const V = obj('V', 'vnode');
const D = obj('D', 'default');

t.test('exec_map_page: old X with the nested grab recursive; new S when the page is valid (or busy once)', async (t) => {
  t.same(replay(oldModel, site('exec_page', { obj: V, page: PG.valid })).acq, ['X token V exec_map_page first', 'X token V vm_page_grab recursive']);
  t.same(replay(newModel, site('exec_page', { obj: V, page: PG.valid })).acq, ['S token V exec_map_page first']);
  t.same(replay(newModel, site('exec_page', { obj: V, page: PG.busy })).acq, ['S token V exec_map_page first']);
});

t.test('exec_map_page: new backs down to the old X path; the nested grab upgrades only when the page is absent', async (t) => {
  const absent = replay(newModel, site('exec_page', { obj: V, page: PG.absent }));
  t.same(absent.acq, [
    'S token V exec_map_page first',
    'X token V exec_map_page backdown-retry',
    'S token V vm_page_grab recursive',
    'X token V vm_page_grab upgrade',
  ]);
  t.same(absent.hazards, [], 'the upgrade runs under the X hold: recursive, no livelock');
  t.same(absent.backdowns, ['exec_map_page@0']);
  const invalid = replay(newModel, site('exec_page', { obj: V, page: PG.invalid }));
  t.same(invalid.acq.slice(-1), ['S token V vm_page_grab recursive']);
});

t.test('vm_page_grab: old X; new S, upgraded once when the page is absent', async (t) => {
  t.same(replay(oldModel, site('page_grab', { obj: V, page: PG.absent })).acq, ['X token V vm_page_grab first']);
  t.same(replay(newModel, site('page_grab', { obj: V, page: PG.present })).acq, ['S token V vm_page_grab first']);
  const r = replay(newModel, site('page_grab', { obj: V, page: PG.absent }));
  t.same(r.acq, ['S token V vm_page_grab first', 'X token V vm_page_grab upgrade']);
  t.equal(r.upgrades, 1);
});

t.test('ELF load_section: old S iff shared_fault; new S always', async (t) => {
  t.same(replay(oldModel, site('load_section', { obj: V, page: null }), true).acq, ['S token V load_section first']);
  t.same(replay(oldModel, site('load_section', { obj: V, page: null }), false).acq, ['X token V load_section first']);
  t.same(replay(newModel, site('load_section', { obj: V, page: null }), false).acq, ['S token V load_section first']);
  t.same(replay(newModel, site('load_section', { obj: V, page: PG.absent })).acq, ['S token V load_section first', 'X token V load_section upgrade']);
});

t.test('vm_object_reference: VNODE lockless in new; other types X in both', async (t) => {
  t.same(replay(oldModel, site('reference', { obj: V, ref: 5, site: null })).acq, ['X token V vm_object_reference first']);
  t.same(replay(newModel, site('reference', { obj: V, ref: 5, site: null })).acq, []);
  t.same(replay(newModel, site('reference', { obj: D, ref: 1, site: null })).acq, ['X token D vm_object_reference first']);
});

t.test('the vnode pager takes its references X in every model (untouched by the commit)', async (t) => {
  for (const m of [oldModel, newModel, newFixedModel]) {
    t.same(replay(m, site('reference', { obj: V, ref: 5, site: 'vnode_pager_reference' })).acq, ['X token V vnode_pager_reference first'], m.name);
  }
});

t.test('vm_object_deallocate: ref_count >= 4 lockless in new, 3 and below X; 1 -> 0 adds X on the backing object', async (t) => {
  for (const ref of [4, 9]) {
    t.same(replay(newModel, site('deallocate', { obj: V, ref, backing: null })).acq, [], `new, ref ${ref}`);
    t.same(replay(oldModel, site('deallocate', { obj: V, ref, backing: null })).acq, ['X token V vm_object_deallocate first'], `old, ref ${ref}`);
  }
  t.same(replay(newModel, site('deallocate', { obj: V, ref: 3, backing: null })).acq, ['X token V vm_object_deallocate first']);
  const last = replay(newFixedModel, site('deallocate', { obj: D, ref: 1, backing: V }));
  t.same(last.acq, ['X token D vm_object_deallocate first', 'X token V vm_object_deallocate terminate'], 'VNODE backing included');
  const unknown = replay(oldModel, site('deallocate', { obj: D, ref: 1, backing: undefined }));
  t.equal(unknown.unknownLinks, 1, 'a backing object the registry does not know is counted, not guessed');
});

t.test('vm_object_shadow: X on the source in old (VNODE included); no lock on a VNODE source in new', async (t) => {
  const S = obj('S', 'default');
  t.same(replay(oldModel, site('shadow', { shadow: S, source: V })).acq, ['X token V vm_object_shadow source']);
  t.same(replay(newModel, site('shadow', { shadow: S, source: V })).acq, []);
  t.same(replay(newModel, site('shadow', { shadow: S, source: D })).acq, ['X token D vm_object_shadow source']);
});

t.test('vm_map_split: VNODE no lock in new; anonymous memory X + chain X in both', async (t) => {
  t.same(replay(oldModel, site('map_split', { obj: V })).acq, ['X token V vm_map_split first']);
  t.same(replay(newModel, site('map_split', { obj: V })).acq, []);
  for (const m of [oldModel, newModel]) t.same(replay(m, site('map_split', { obj: D })).acq, ['X token D vm_map_split first', 'X chain D vm_map_split first']);
});

t.test('vm_object_collapse: old locks the backing object before checking its type; new never locks a non-DEFAULT/SWAP one', async (t) => {
  const F = obj('F', 'default');
  t.same(replay(oldModel, site('collapse', { obj: F, backing: V, backing2: null, collapseCase: null })).acq, ['X token V vm_object_collapse backing']);
  t.same(replay(newModel, site('collapse', { obj: F, backing: V, backing2: null, collapseCase: null })).acq, []);
  const bypass = { obj: F, backing: D, backing2: V, collapseCase: CollapseCase.codes.bypass };
  t.same(replay(oldModel, site('collapse', bypass)).acq, [
    'X token D vm_object_collapse backing',
    'X chain D vm_object_collapse backing',
    'X token V vm_object_collapse bbobj',
  ]);
  t.same(replay(newModel, site('collapse', bypass)).acq, [
    'X token D vm_object_collapse backing',
    'X chain D vm_object_collapse backing',
    'S token V vm_object_collapse bbobj',
  ]);
  const none = { ...bypass, collapseCase: CollapseCase.codes.none };
  t.notOk(replay(newModel, site('collapse', none)).acq.some((a) => a.includes('bbobj')));
});
