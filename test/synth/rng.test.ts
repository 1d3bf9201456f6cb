import t from 'tap';
import { Rng } from '../../src/synth/rng.js';

t.test('a seed gives one stream, another seed another', async (t) => {
  const draw = (seed: number | string): number[] => {
    const r = new Rng(seed);
    return Array.from({ length: 8 }, () => r.u32());
  };
  t.same(draw(1), draw(1));
  t.notSame(draw(1), draw(2));
  t.notSame(draw(2 ** 40), draw(2 ** 41), 'the high bits of a large seed count');
  t.same(draw('/bin/sh'), draw('/bin/sh'));
});

t.test('draws stay in their ranges and cover them', async (t) => {
  const r = new Rng(9);
  const seen = new Set<number>();
  let zipfLow = 0;
  for (let i = 0; i < 20_000; i++) {
    const f = r.float();
    if (f < 0 || f >= 1) t.fail(`float ${f}`);
    const k = r.int(3, 7);
    seen.add(k);
    if (k < 3 || k > 7) t.fail(`int ${k}`);
    const z = r.zipf(100, 1.2);
    if (z < 0 || z >= 100 || !Number.isInteger(z)) t.fail(`zipf ${z}`);
    if (z < 10) zipfLow++;
    const l = r.logBetween(20, 200);
    if (l < 20 || l >= 200) t.fail(`logBetween ${l}`);
  }
  t.same([...seen].sort(), [3, 4, 5, 6, 7]);
  t.ok(zipfLow > 10_000, `zipf favours low ranks (${zipfLow} of 20000 below 10)`);
  const counts = [0, 0, 0];
  for (let i = 0; i < 30_000; i++) counts[r.weighted([1, 2, 0])]!++;
  t.equal(counts[2], 0, 'a zero weight is never drawn');
  t.ok(counts[1]! > 1.8 * counts[0]! && counts[1]! < 2.2 * counts[0]!, `weights respected (${counts})`);
  t.ok(Math.abs(Array.from({ length: 20_000 }, () => r.exp(50)).reduce((a, b) => a + b, 0) / 20_000 - 50) < 3, 'exp has its mean');
});
