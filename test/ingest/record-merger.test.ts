// The shared time-ordering buffer of the ktr and perf.data readers: records
// held as raw bytes in runs of non-decreasing time, merged in time order with
// ties in arrival order, all at once (drain) or up to a time (drainUpTo), the
// rest kept in arrival order.

import t from 'tap';
import { RecordMerger } from '../../src/ingest/common/record-merger.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array, s: number, e: number): string => new TextDecoder().decode(b.subarray(s, e));

/** Records as [name, time], added in order; what comes out, as `name@line`. */
function run(records: [string, number][], drains: number[], width = 0) {
  const m = new RecordMerger(width);
  const out: string[][] = [];
  let i = 0;
  const add = (upTo: number) => {
    for (; i < upTo; i++) {
      const [name, ts] = records[i]!;
      const at = m.add(bytes(`x${name}y`), 1, 1 + name.length, i + 1, ts);
      if (width) m.heldTags[at] = 100 + i;
    }
  };
  for (const [k, limit] of drains.entries()) {
    add(Math.min(records.length, (k + 1) * Math.ceil(records.length / drains.length)));
    const got: string[] = [];
    m.drainUpTo(limit, (b, s, e, line, ts, tags, at) => got.push(`${text(b, s, e)}@${line}:${ts}${width ? `#${tags[at]}` : ''}`));
    out.push(got);
  }
  return { out, left: m.size };
}

t.test('drain: every record in time order, ties in arrival order', async (t) => {
  const m = new RecordMerger(1);
  const got: string[] = [];
  [
    ['a', 5],
    ['b', 7],
    ['c', 3],
    ['d', 5],
    ['e', 9],
    ['f', 1],
  ].forEach(([n, ts], i) => {
    m.heldTags[m.add(bytes(n as string), 0, 1, i + 1, ts as number)] = i;
  });
  m.drain((b, s, e, line, ts, tags, at) => got.push(`${text(b, s, e)}${line}:${ts}#${tags[at]}`));
  t.same(got, ['f6:1#5', 'c3:3#2', 'a1:5#0', 'd4:5#3', 'b2:7#1', 'e5:9#4']);
  t.equal(m.size, 0);
});

t.test('drainUpTo: what is no later than the limit goes, the rest stays in arrival order for the next', async (t) => {
  const r = run(
    [
      ['a', 30],
      ['b', 10],
      ['c', 20],
      ['d', 40],
      ['e', 25],
      ['f', 5],
    ],
    [15, 30, Infinity],
    1,
  );
  // added two at a time: a, b; then c, d; then e, f
  t.same(r.out, [['b@2:10#101'], ['c@3:20#102', 'a@1:30#100'], ['f@6:5#105', 'e@5:25#104', 'd@4:40#103']]);
  t.equal(r.left, 0);
});

t.test('drainUpTo keeps what it holds back exactly, bytes and tags, across many rounds', async (t) => {
  const m = new RecordMerger(2);
  const want: string[] = [];
  const got: string[] = [];
  let line = 0;
  for (let round = 0; round < 20; round++) {
    for (let cpu = 0; cpu < 4; cpu++) {
      for (let k = 0; k < 50; k++) {
        const ts = round * 100 + k * 2 + (cpu % 2);
        line++;
        const name = `r${round}c${cpu}k${k}`;
        const at = m.add(bytes(name), 0, name.length, line, ts);
        m.heldTags[at] = line;
        m.heldTags[at + 1] = cpu;
        want.push(`${ts}|${line}|${name}|${cpu}`);
      }
    }
    m.drainUpTo(round * 100 - 1, (b, s, e, l, ts, tags, at) => {
      t.equal(tags[at], l);
      got.push(`${ts}|${l}|${text(b, s, e)}|${tags[at + 1]}`);
    });
  }
  m.drain((b, s, e, l, ts, tags, at) => got.push(`${ts}|${l}|${text(b, s, e)}|${tags[at + 1]}`));
  const key = (x: string) => x.split('|').map(Number);
  want.sort((a, b) => key(a)[0]! - key(b)[0]! || key(a)[1]! - key(b)[1]!);
  t.same(got, want, 'time order, ties in arrival order, nothing lost or changed');
  t.equal(m.bytesHeld, 0);
});
