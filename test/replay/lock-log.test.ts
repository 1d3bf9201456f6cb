// The lock log's own bookkeeping, which every model relies on: counts by
// class and mode, recursion and the livelock check, what releaseAll keeps,
// I/O steps, growth past its first 64 holds, and reset between operations.

import t from 'tap';
import { StringTable } from '../../src/columns/strings.js';
import { NULL_ENUM } from '../../src/columns/table.js';
import { LockClass, LockMode } from '../../src/events/vocabulary.js';
import type { ObjRef } from '../../src/models/facts.js';
import { RecordingLockLog } from '../../src/replay/lock-log.js';
import { obj } from '../models/harness.js';

const F = obj('F', 'default');
const B = obj('B1', 'vnode');
const newLog = () => new RecordingLockLog(new StringTable());

t.test('a fresh log: nothing held, no outcome yet', async (t) => {
  const log = newLog();
  t.equal(log.n, 0);
  t.equal(log.result, 'incomplete');
  t.equal(log.foundDepth, -1);
  t.equal(log.prefaulted, null);
});

t.test('counts by class and mode; a hold never released stays at -1', async (t) => {
  const log = newLog();
  log.attempt();
  log.take(F, 'X', 'vm_fault', 'first');
  log.chain(F, 'X', 'vm_fault', 'first');
  log.take(B, 'S', 'vm_fault', 'backing');
  log.chain(B, 'S', 'vm_fault', 'backing'); // a vnode object: no chain lock
  log.chain(obj('B2', 'swap'), 'S', 'vm_fault', 'backing');
  log.chain(obj('B3', 'default'), 'X', 'vm_fault', 'backing');
  log.take(obj('B3', 'default'), 'X', 'vm_fault', 'backing');
  t.same([log.xTokens, log.sTokens, log.xChain, log.sChain], [2, 1, 2, 1]);
  t.equal(log.n, 6);
  t.same([...log.releasedAt.slice(0, 6)], [-1, -1, -1, -1, -1, -1], 'all still held');
  t.same([...log.attemptOf.slice(0, 6)], [1, 1, 1, 1, 1, 1]);
  t.same([...log.step.slice(0, 6)], [0, 1, 2, 3, 4, 5]);
});

t.test('recursion: X under X, S under X, X under X and S; livelock: X under S only', async (t) => {
  const log = newLog();
  t.ok(log.take(F, 'X', 's', 'first'));
  t.ok(log.take(F, 'S', 's', 'nested'));
  t.ok(log.take(F, 'X', 's', 'nested'), 'X while holding X and S: recursive, no livelock');
  t.same([...log.recursive.slice(0, 3)], [false, true, true]);
  t.same(log.hazards, []);
  t.ok(log.take(B, 'S', 's', 'first'));
  t.ok(log.take(B, 'S', 's', 'again'), 'S while holding S: shared holds nest');
  t.same(log.hazards, []);
  t.notOk(log.take(B, 'X', 'swap_pager_unswapped', 'unswap'), 'X while holding only S');
  t.equal(log.n, 5, 'the livelocked X is not counted');
  t.equal(log.hazards.length, 1);
  t.match(log.hazards[0], { kind: 'token_livelock', obj: B.obj, site: 'swap_pager_unswapped', detail: /swap_pager_unswapped asks X/ });
  t.ok(log.take(F, 'S', 's', 'other object'), 'holds on other objects do not matter');
});

t.test('releaseAll(keep) keeps the outermost token hold of keep, and nothing else', async (t) => {
  const log = newLog();
  log.chain(F, 'X', 's', 'first'); // 0: chain, same object, other class
  log.take(F, 'X', 's', 'first'); // 1: the outermost token hold
  log.take(B, 'X', 's', 'backing'); // 2
  log.take(F, 'X', 's', 'unswap'); // 3: recursive
  log.releaseAll(F);
  t.equal(log.releasedAt[1], -1, "F's first token hold is kept");
  for (const a of [0, 2, 3]) t.not(log.releasedAt[a], -1, `acquisition ${a} released`);
  log.take(F, 'X', 's', 'prefault'); // 4: recursive over the kept hold
  t.equal(log.recursive[4], true);
  log.releaseAll();
  t.not(log.releasedAt[1], -1);
});

t.test('releaseAll(keep): holds on other objects taken first do not hide the outermost one', async (t) => {
  const log = newLog();
  log.take(B, 'X', 's', 'other'); // 0
  log.take(F, 'X', 's', 'first'); // 1: outermost hold of F
  log.take(F, 'X', 's', 'nested'); // 2
  log.releaseAll(F);
  t.same([log.releasedAt[0] !== -1, log.releasedAt[1] === -1, log.releasedAt[2] !== -1], [true, true, true]);
});

t.test('drop releases the most recent token hold of the object', async (t) => {
  const log = newLog();
  log.take(F, 'X', 's', 'first');
  log.take(F, 'S', 's', 'nested');
  log.drop(F);
  t.equal(log.releasedAt[0], -1);
  t.equal(log.releasedAt[1], 1);
  log.drop(obj('B2', 'default')); // not held: nothing happens
  t.equal(log.releasedAt[0], -1);
});

t.test('I/O sleeps are steps of their own', async (t) => {
  const log = newLog();
  log.take(F, 'X', 's', 'first');
  log.io(F);
  log.take(B, 'X', 's', 'backing');
  log.io(B);
  t.equal(log.ioSleeps, 2);
  t.equal(log.steps, 4);
  t.same([...log.ioStep.slice(0, 4)], [0, 1, 0, 1]);
  t.same([...log.step.slice(0, 2)], [0, 2]);
});

t.test('an object of unknown type is recorded with the null type', async (t) => {
  const log = newLog();
  log.take({ obj: 9 } as unknown as ObjRef, 'X', 's', 'first');
  log.take(B, 'X', 's', 'first');
  t.same([...log.otype.slice(0, 2)], [NULL_ENUM, B.otype]);
});

t.test('more than 64 holds at once', async (t) => {
  const log = newLog();
  for (let i = 0; i < 200; i++) log.take({ obj: 100 + i, otype: B.otype }, 'S', 's', 'many');
  t.equal(log.releasedAt[199], -1);
  log.releaseAll();
  t.equal(log.releasedAt.slice(0, 200).filter((r) => r === -1).length, 0, 'every hold released');
  log.take({ obj: 100, otype: B.otype }, 'X', 's', 'again');
  t.equal(log.hazards.length, 0, 'nothing left held S');
});

t.test('reset clears everything an operation left', async (t) => {
  const log = newLog();
  log.attempt();
  log.take(B, 'S', 's', 'first');
  log.take(B, 'X', 's', 'livelock');
  log.chain(F, 'S', 's', 'first');
  log.chain(F, 'X', 's', 'first');
  log.upgrade(F, 's');
  log.io(F);
  log.backdown('B1', F, 0);
  log.restart('busy');
  log.prefault(true);
  log.unknownLink(F);
  log.outcome('map', 2);
  log.reset();
  t.same(
    [log.n, log.steps, log.ioSleeps, log.xTokens, log.sTokens, log.xChain, log.sChain, log.attempts, log.restarts, log.upgrades, log.unknownLinks],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  );
  t.same([log.prefaulted, log.result, log.foundDepth, log.backdowns.length, log.hazards.length], [null, 'incomplete', -1, 0, 0]);
  t.ok(log.take(B, 'X', 's', 'first'), 'nothing is held after a reset');
  t.equal(log.recursive[0], false);
  t.equal(log.attemptOf[0], 0);
});

t.test('a chain hold is not a token hold: no recursion, no livelock from it', async (t) => {
  const log = newLog();
  log.chain(F, 'S', 's', 'first'); // 0
  t.ok(log.take(F, 'X', 's', 'first'), 'X on the token while holding only the chain lock S');
  t.same(log.hazards, []);
  t.equal(log.recursive[1], false);
  log.chain(B, 'X', 's', 'x'); // a vnode: no chain lock, nothing recorded
  t.equal(log.n, 2);
});

t.test('drop releases a token hold at the bottom of the stack, never a chain hold, and leaves no trace of it', async (t) => {
  const log = newLog();
  log.take(F, 'X', 's', 'first'); // 0
  log.chain(F, 'X', 's', 'first'); // 1
  log.drop(F);
  t.equal(log.releasedAt[0], 1, 'the token hold, released at the last step');
  t.equal(log.releasedAt[1], -1, 'the chain hold stays');
  t.ok(log.take(F, 'X', 's', 'again'));
  t.equal(log.recursive[2], false, 'the dropped hold no longer counts');
  log.releaseAll();
  log.take(F, 'X', 's', 'after'); // 3
  t.equal(log.recursive[3], false, 'nothing left held after releaseAll');
});

t.test('upgrade: the S hold released, then X taken with reason upgrade', async (t) => {
  const strings = new StringTable();
  const log = new RecordingLockLog(strings);
  log.take(F, 'S', 'vm_fault', 'first'); // 0
  t.ok(log.upgrade(F, 'vm_fault'));
  t.equal(log.upgrades, 1);
  t.equal(log.releasedAt[0], 0, 'the S hold released before X is asked for');
  t.same([log.mode[1] === LockMode.codes.X, log.recursive[1], strings.get(log.reason[1]!)], [true, false, 'upgrade']);
  t.same(log.hazards, []);
  t.same([log.sTokens, log.xTokens], [1, 1]);
});

t.test('restarts, the prefault, the outcome, unknown links, back-down and hazard records', async (t) => {
  const log = newLog();
  log.attempt();
  log.take(F, 'S', 's', 'first');
  log.restart('busy');
  log.restart('busy');
  t.equal(log.restarts, 2);
  log.prefault(false);
  t.equal(log.prefaulted, 'quick');
  log.prefault(true);
  t.equal(log.prefaulted, 'full');
  log.outcome('cow_copy', 2);
  t.same([log.result, log.foundDepth], ['cow_copy', 2]);
  log.unknownLink(F);
  log.unknownLink(B);
  t.equal(log.unknownLinks, 2);
  log.attempt();
  log.backdown('B2', B, 1);
  t.same(log.backdowns, [{ rule: 'B2', obj: B.obj, otype: B.otype, depth: 1, attempt: 2, step: 1 }]);
  log.hazard('dirty_livelock', F, 'vm_fault', 'why');
  t.same(log.hazards, [{ kind: 'dirty_livelock', obj: F.obj, otype: F.otype, site: 'vm_fault', detail: 'why', attempt: 2, step: 1 }]);
});

t.test('Linux locks: mm and VMA counted apart from tokens and chains, the first reason kept', async (t) => {
  const log = newLog();
  log.lock(F, 'vma', 'S', 'lock_vma_under_rcu', 'vma');
  log.fallback('vma_miss');
  log.fallback('later');
  log.lock(F, 'mm', 'S', 'lock_mm_and_find_vma', 'vma_miss');
  log.lock(F, 'mm', 'X', 'lock_mm_and_find_vma', 'anon_vma');
  t.same([log.mmLocks, log.vmaLocks, log.mmReason, log.fallbackReason], [2, 1, 'vma_miss', 'vma_miss']);
  t.same([...log.cls.slice(0, 3)], [LockClass.codes.vma, LockClass.codes.mm, LockClass.codes.mm]);
  t.same([...log.mode.slice(0, 3)], [LockMode.codes.S, LockMode.codes.S, LockMode.codes.X]);
  t.same([log.xTokens, log.sTokens, log.xChain, log.sChain], [0, 0, 0, 0], 'neither tokens nor chains');
  t.same([...log.recursive.slice(0, 3)], [false, false, false]);
  log.reset();
  t.same([log.mmLocks, log.vmaLocks, log.mmReason, log.fallbackReason], [0, 0, null, null], 'reset clears them');
  log.lock(F, 'mm', 'X', 'lock_mm_and_find_vma', 'again');
  t.equal(log.mmReason, 'again', 'a new operation keeps its own first reason');
});

t.test('site and reason names: one id each, even for names that share a cache slot, and the empty name', async (t) => {
  const strings = new StringTable();
  const log = new RecordingLockLog(strings);
  // 'ab' and 'ba' have the same length and the same first plus last character: one cache slot.
  log.take(F, 'S', 'ab', 'ba');
  log.take(B, 'S', 'ba', 'ab');
  log.take(obj('B2', 'default'), 'S', 'ab', '');
  const names = (ids: number[]) => ids.map((id) => strings.get(id));
  t.same(names([...log.site.slice(0, 3)]), ['ab', 'ba', 'ab']);
  t.same(names([...log.reason.slice(0, 3)]), ['ba', 'ab', '']);
  t.equal(log.site[0], log.site[2], 'one id per name');
  const other = new RecordingLockLog(strings);
  other.take(F, 'S', 'ba', 'ab');
  t.same([other.site[0], other.reason[0]], [log.site[1], log.reason[1]], 'logs sharing a string table share ids');
});
