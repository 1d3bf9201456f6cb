import t from 'tap';
import { NULL_I32 } from '../../src/columns/table.js';
import { IntMap, widen } from '../../src/columns/typed.js';

t.test('widen keeps the values, then fills the new room', async (t) => {
  const a = Float64Array.from([1, 2, 3]);
  const b = widen(a, 6, NaN);
  t.equal(b.length, 6);
  t.same([...b.subarray(0, 3)], [1, 2, 3]);
  t.ok(b.subarray(3).every(Number.isNaN), 'new room holds the fill');
  t.ok(b instanceof Float64Array, 'same array type');
  const c = widen(Int32Array.from([-5]), 3);
  t.same([...c], [-5, 0, 0], 'zero unless a fill is given');
  t.same([...widen(Int32Array.from([7, 8]), 4, -1)], [7, 8, -1, -1]);
});

t.test('IntMap: get what was set, missing otherwise, across rehashes', async (t) => {
  const m = new IntMap(-1);
  t.equal(m.get(42), -1, 'missing before any set');
  const keys: number[] = [];
  for (let i = 0; i < 5000; i++) keys.push(((i * 2654435761) | 0) ^ 0x5bd1e995);
  keys.forEach((k, i) => m.set(k, i));
  t.ok(
    keys.every((k, i) => m.get(k) === i),
    '5000 keys (several rehashes) all found',
  );
  m.set(keys[7]!, 99);
  t.equal(m.get(keys[7]!), 99, 'a set overwrites');
  t.equal(m.get(123456789), -1, 'a key never set is missing');
  t.equal(m.get(NULL_I32), -1, 'the empty-slot marker as a key: missing until set');
  m.set(NULL_I32, 3);
  t.equal(m.get(NULL_I32), 3, 'and kept aside once set');
  t.equal(m.get(0), -1, 'zero is a key like any other');
  m.set(0, 0);
  t.equal(m.get(0), 0);
});
