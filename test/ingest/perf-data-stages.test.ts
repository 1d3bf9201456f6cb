// The stages of the perf.data reader on their own: plan() reads an event's
// attr without changing it, the CMDLINE feature's words, and the queue that
// puts records in time order round by round.

import t from 'tap';
import { parseCmdline, PERF_TYPE, type Attr } from '../../src/ingest/perf-data/header.js';
import { Kind, plan } from '../../src/ingest/perf-data/plan.js';
import { RecordQueue } from '../../src/ingest/perf-data/queue.js';

t.test('plan() names the event and leaves its attr as it was', async (t) => {
  const attr: Attr = Object.freeze({
    type: PERF_TYPE.SOFTWARE,
    config: 5,
    sampleType: 0,
    readFormat: 0,
    sampleIdAll: true,
    ids: Object.freeze([7]) as number[],
  });
  const p = plan(attr, new Map(), null);
  t.same([p.kind, p.name], [Kind.Minor, 'minor-faults']);
  t.same(attr, { type: PERF_TYPE.SOFTWARE, config: 5, sampleType: 0, readFormat: 0, sampleIdAll: true, ids: [7] }, 'a frozen attr: nothing written to it');
  t.equal(plan(attr, new Map([[7, 'my-faults']]), null).name, 'my-faults', 'the name perf gave it first');
  t.same(plan({ ...attr, type: PERF_TYPE.TRACEPOINT, config: 99 }, new Map(), null), {
    kind: Kind.Other,
    name: 'event-2-99',
    f: plan({ ...attr, config: 1 }, new Map(), null).f,
  });
});

t.test('CMDLINE: the perf command line, its words joined', async (t) => {
  const word = (s: string): number[] => {
    const b = [...Buffer.from(s + '\0\0\0')];
    return [b.length, 0, 0, 0, ...b];
  };
  const bytes = new Uint8Array([2, 0, 0, 0, ...word('perf'), ...word('record')]);
  t.equal(parseCmdline(bytes), 'perf record');
  t.equal(parseCmdline(new Uint8Array([1, 0])), '?', 'too short to say');
  t.equal(parseCmdline(bytes.subarray(0, 4 + 4 + 7)), 'perf', 'a word cut short ends the line');
});

t.test('the queue passes records on in time order, a round behind, and everything at the end', async (t) => {
  const seen: [number, number][] = [];
  const q = new RecordQueue((arena, _v, start, no) => seen.push([no, arena[start + 8]!]));
  const rec = (tag: number) => new Uint8Array([9, 0, 0, 0, 0, 0, 16, 0, tag, 0, 0, 0, 0, 0, 0, 0]);
  q.push(rec(1), 0, 16, 1, 30);
  q.push(rec(2), 0, 16, 2, 10);
  q.round(); // nothing before the first round's end may go yet
  t.same(seen, []);
  q.push(rec(3), 0, 16, 3, 20);
  q.push(rec(4), 0, 16, 4, NaN); // untimed: keeps its place after record 3
  q.push(rec(5), 0, 16, 5, 40);
  q.round(); // what is no later than the first round's latest (30)
  t.same(seen, [
    [2, 2],
    [3, 3],
    [4, 4],
    [1, 1],
  ]);
  q.finish();
  t.same(seen.at(-1), [5, 5]);
});
