// The sorter puts rows in time order within its window, and holds no more
// than its row cap however dense the trace: past the cap the earliest rows go
// on, and a row that arrives behind them is counted late, never lost.

import t from 'tap';
import { type EventBatch, newEventBatch } from '../../src/events/schema.js';
import { Sorter } from '../../src/ingest/common/sorter.js';
import { FileStats } from '../../src/ingest/common/stats.js';

const BATCH = 4;

function batchOf(ts: number[]): EventBatch {
  const b = newEventBatch(BATCH);
  for (const x of ts) {
    const r = b.length++;
    b.cols.ts[r] = x;
    b.cols.cpu[r] = 0;
    b.cols.src_line[r] = x;
  }
  return b;
}

function run(sorter: Sorter, batches: number[][]): { out: number[]; heldMax: number } {
  const out: number[] = [];
  let pushed = 0;
  let heldMax = 0;
  const take = (bs: EventBatch[]) => {
    for (const b of bs) for (let i = 0; i < b.length; i++) out.push(b.cols.ts[i]!);
  };
  for (const ts of batches) {
    take(sorter.push(batchOf(ts)));
    pushed += ts.length;
    heldMax = Math.max(heldMax, pushed - out.length);
  }
  take(sorter.finish());
  return { out, heldMax };
}

t.test('within the time window and the row cap, rows come out sorted and all of them', async (t) => {
  const stats = new FileStats(0, 'x');
  const { out } = run(new Sorter(1e9, stats, BATCH, 1000), [
    [5, 1, 3, 2],
    [4, 8, 6, 7],
  ]);
  t.same(out, [1, 2, 3, 4, 5, 6, 7, 8]);
  t.equal(stats.late, 0);
});

t.test('an in-order trace denser than the row cap is held to the cap, not to the window', async (t) => {
  const stats = new FileStats(0, 'x');
  const batches = Array.from({ length: 50 }, (_, b) => [0, 1, 2, 3].map((i) => b * BATCH + i));
  const { out, heldMax } = run(new Sorter(1e9, stats, BATCH, 16), batches);
  t.same(out, batches.flat(), 'every row, in order');
  t.ok(heldMax <= 16 + BATCH, `held at most the cap plus a batch (${heldMax})`);
  t.equal(stats.late, 0);
  const uncapped = run(new Sorter(1e9, new FileStats(0, 'x'), BATCH, 1 << 21), batches);
  t.equal(uncapped.heldMax, 200, 'without the cap the 1 s window holds the whole trace');
});

t.test('out of order past the cap: the earliest go on, a row behind them is late but kept', async (t) => {
  const stats = new FileStats(0, 'x');
  const batches = Array.from({ length: 20 }, (_, b) => [3, 1, 2, 0].map((i) => b * BATCH + i));
  batches.push([2, 100, 101, 102]); // 2 arrives after rows well past it have gone on
  const { out, heldMax } = run(new Sorter(1e9, stats, BATCH, 16), batches);
  t.equal(out.length, 84, 'no row lost');
  t.ok(heldMax <= 16 + 2 * BATCH, `held about the cap (${heldMax})`);
  t.equal(stats.late, 1, 'the straggler counted as late');
  const straggler = out.lastIndexOf(2);
  t.ok(straggler > 8, 'the straggler came out where it arrived');
  const rest = out.filter((_, i) => i !== straggler);
  t.same(rest, [...rest].sort((x, y) => x - y), 'everything else in order');
});
