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
  const take = (bs: Iterable<EventBatch>) => {
    for (const b of bs) for (let i = 0; i < b.length; i++) out.push(b.cols.ts[i]!);
  };
  for (const ts of batches) {
    sorter.push(batchOf(ts));
    take(sorter.drain());
    pushed += ts.length;
    heldMax = Math.max(heldMax, pushed - out.length);
  }
  sorter.finish();
  take(sorter.drain());
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
  t.same(
    rest,
    [...rest].sort((x, y) => x - y),
    'everything else in order',
  );
});

/** A batch of `rows` rows, row i stamped i in several columns (ts from `tsOf`). */
function stamped(from: number, rows: number, capacity: number, tsOf: (i: number) => number): EventBatch {
  const b = newEventBatch(capacity);
  for (let i = from; i < from + rows; i++) {
    const r = b.length++;
    b.cols.ts[r] = tsOf(i);
    b.cols.cpu[r] = i % 8;
    b.cols.src_line[r] = i;
    b.cols.obj[r] = i;
    b.cols.kind[r] = i % 7;
    b.cols.va[2 * r] = i;
    b.cols.va[2 * r + 1] = i + 1;
  }
  return b;
}

t.test('held rows keep every column through the ring, across its wrap and its growth, and a pushed batch is free again at once', async (t) => {
  const stats = new FileStats(0, 'x');
  // rows 5 ns apart, each block of 64 reversed; a 1000 ns window holds about 200 rows, so the ring wraps many times
  const tsOf = (i: number) => 5 * (i - (i % 64) + 63 - (i % 64));
  const N = 19968; // whole blocks of 64, in batches of 192
  const sorter = new Sorter(1000, stats, 256);
  const reused = newEventBatch(256);
  const out: EventBatch[] = [];
  for (let from = 0; from < N; from += 192) {
    const b = stamped(from, 192, 256, tsOf);
    reused.clear();
    for (let r = 0; r < b.length; r++) reused.copyRowFrom(b, r);
    sorter.push(reused);
    reused.cols.ts.fill(-1); // the caller refills its batch: what the sorter holds must not change
    out.push(...sorter.drain());
    if (from === N / 2) sorter.window = 5000; // a framing may widen the window: the ring grows with what it holds
  }
  sorter.finish();
  out.push(...sorter.drain());
  const rows = out.flatMap((b) => Array.from({ length: b.length }, (_, r) => ({ b, r })));
  t.equal(rows.length, N, 'every row');
  t.equal(stats.late, 0);
  const bad = rows.filter(({ b, r }) => {
    const i = b.cols.src_line[r]!;
    const c = b.cols;
    return c.ts[r] !== tsOf(i) || c.obj[r] !== i || c.cpu[r] !== i % 8 || c.kind[r] !== i % 7 || c.va[2 * r] !== i || c.va[2 * r + 1] !== i + 1;
  });
  t.same(bad.length, 0, 'each row whole');
  t.same(
    rows.map(({ b, r }) => b.cols.ts[r]!),
    Array.from({ length: N }, (_, i) => 5 * i),
    'in time order',
  );
  t.ok(
    out.every((b) => b.length <= 256),
    'batches of at most batchRows rows',
  );
});

t.test('the ring stays within the row cap, and gives its memory back when the last row is taken', async (t) => {
  const one = newEventBatch(1);
  const rowBytes = one.spec.columns.reduce((n, c) => n + one.column(c.name).byteLength, 0);
  const stats = new FileStats(0, 'x');
  const sorter = new Sorter(1e9, stats, 256, 4096);
  let peak = 0;
  let taken = 0;
  for (let from = 0; from < 50000; from += 256) {
    sorter.push(stamped(from, 256, 256, (i) => i));
    peak = Math.max(peak, sorter.bytesHeld);
    for (const b of sorter.drain()) taken += b.length;
  }
  t.ok(peak > 0 && peak <= (4096 + 4 * 256) * rowBytes, `held at most the cap and a few batches (${peak} bytes, ${rowBytes} a row)`);
  sorter.finish();
  t.ok(sorter.bytesHeld > 0, 'rows not yet taken are still held');
  for (const b of sorter.drain()) taken += b.length;
  t.equal(taken, 50176, 'every row');
  t.equal(sorter.bytesHeld, 0, 'nothing held once the last row is taken');
});
