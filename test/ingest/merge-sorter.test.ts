// The ingest's one time-ordering core: rows held by time in arrival order, as
// runs of non-decreasing time (per-CPU queues), merged in time order with ties
// in arrival order, all of them (order) or up to a time (drainUpTo), the rest
// kept in arrival order and their holder told where each went.

import t from 'tap';
import { MergeSorter } from '../../src/ingest/common/merge-sorter.js';

/** What a stable sort by time gives: the indices of `times` in time order, ties in arrival order. */
const stableOrder = (times: readonly number[]): number[] => times.map((_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);

/** A trace's shape: `cpus` buffers of rows in time order, written one after the other in rounds, times drawn from few values (many ties). */
function perCpuTimes(seed: number, cpus: number, rounds: number, perRound: number): number[] {
  let x = seed;
  const rand = (n: number): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (let c = 0; c < cpus; c++) {
      const own = Array.from({ length: rand(perRound) }, () => r * 100 + rand(60)).sort((a, b) => a - b);
      times.push(...own);
    }
  }
  return times;
}

t.test('order: every row in time order, ties in arrival order, as a stable sort would have them', async (t) => {
  const m = new MergeSorter(4);
  const times = [5, 7, 3, 5, 9, 1, 1, -Infinity, 5];
  for (const ts of times) m.push(ts);
  const order = m.order();
  t.same([...order], stableOrder(times));
  t.same([...order], [7, 5, 6, 2, 0, 3, 8, 1, 4]);
  t.equal(m.size, times.length, 'order() keeps the rows');
  m.clear();
  t.equal(m.size, 0);
});

t.test(
  'order: per-CPU runs, one run, all ties, descending, no order, long and short runs mixed: the same as a stable sort, growing past the capacity',
  async (t) => {
    const cases: [string, number[]][] = [
      ['per-CPU rounds', perCpuTimes(7, 8, 40, 30)],
      ['many short runs', perCpuTimes(3, 64, 10, 4)],
      ['in order (one run)', Array.from({ length: 3000 }, (_, i) => i >> 2)],
      ['all the same time', Array.from({ length: 2000 }, () => 42)],
      ['descending (a run per row)', Array.from({ length: 1500 }, (_, i) => 1500 - i)],
      ['no order at all (runs of about two)', perCpuTimes(11, 1, 1, 1).concat(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 613))],
      ['long runs among short ones', perCpuTimes(5, 4, 6, 200).flatMap((ts, i) => (i % 97 === 0 ? [ts, 10 + (i % 13), ts] : [ts]))],
    ];
    for (const [name, times] of cases) {
      const m = new MergeSorter(16);
      for (const ts of times) m.push(ts);
      t.same([...m.order()], stableOrder(times), name);
    }
  },
);

t.test('drainUpTo: what is no later than the limit goes in order; the rest stays in arrival order, its holder told where', async (t) => {
  const m = new MergeSorter();
  const times = [30, 10, 20, 40, 25, 5, 35];
  const payload = times.map((ts, i) => `r${i}@${ts}`);
  for (const ts of times) m.push(ts);
  const went: string[] = [];
  const moves: [number, number][] = [];
  let held = [...payload];
  m.drainUpTo(
    25,
    (row) => went.push(held[row]!),
    (from, to) => moves.push([from, to]),
  );
  t.same(went, ['r5@5', 'r1@10', 'r2@20', 'r4@25']);
  t.same(
    moves,
    [
      [0, 0],
      [3, 1],
      [6, 2],
    ],
    'the kept rows, in arrival order, each to its new place',
  );
  held = moves.map(([from]) => held[from]!);
  t.equal(m.size, 3);
  t.same([...m.heldTimes()], [30, 40, 35]);
  t.equal(m.timeOf(1), 40);
  // what comes after joins what was kept: a later row still goes after an equal earlier one
  for (const ts of [35, 31]) {
    held.push(`n@${ts}`);
    m.push(ts);
  }
  went.length = 0;
  m.drainUpTo(Infinity, (row) => went.push(held[row]!));
  t.same(went, ['r0@30', 'n@31', 'r6@35', 'n@35', 'r3@40']);
  t.equal(m.size, 0);
  m.drainUpTo(10, () => t.fail('nothing is held'));
});

t.test('drainUpTo in rounds: each round what a stable sort of the held rows up to the limit gives, the rest kept in arrival order', async (t) => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const times = perCpuTimes(seed, 6, 30, 20);
    const m = new MergeSorter(8);
    let held: number[] = []; // arrival index of each held row
    let next = 0;
    let same = true;
    for (let round = 0; next < times.length || held.length > 0; round++) {
      const upTo = Math.min(times.length, next + 50 + (round % 7) * 13);
      for (; next < upTo; next++) {
        m.push(times[next]!);
        held.push(next);
      }
      const limit = next === times.length ? Infinity : times[Math.max(0, upTo - 80)]!;
      const want = held.filter((i) => times[i]! <= limit).sort((a, b) => times[a]! - times[b]! || a - b);
      const wantKept = held.filter((i) => !(times[i]! <= limit));
      const got: number[] = [];
      const kept: number[] = [];
      m.drainUpTo(
        limit,
        (row) => got.push(held[row]!),
        (from, to) => {
          kept[to] = held[from]!;
        },
      );
      if (JSON.stringify(got) !== JSON.stringify(want) || JSON.stringify(kept) !== JSON.stringify(wantKept)) same = false;
      held = kept;
      if (m.size !== held.length) same = false;
    }
    t.ok(same, `seed ${seed}: every round as a stable sort, the kept rows in arrival order`);
  }
});
