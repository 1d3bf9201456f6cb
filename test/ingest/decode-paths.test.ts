// The decoder reads a text payload in one pass when it can (EventDecoder's
// quick path) and falls back to tokenizing it first (the general path). Both
// must give the same rows, the same dictionary ids in the same order, and the
// same counts and rejections. The general path is reached here through the
// structured entry points, the way payload() reaches it.

import t, { type Test } from 'tap';
import { Dictionaries } from '../../src/columns/dictionaries.js';
import { BatchBuilder, type ColumnBatch } from '../../src/columns/table.js';
import { EVENTS } from '../../src/events/schema.js';
import { latin1 } from '../../src/ingest/common/bytes.js';
import { EventDecoder } from '../../src/ingest/common/decoder.js';
import { FieldList } from '../../src/ingest/common/fields.js';
import { tokenizePayload } from '../../src/ingest/common/payload.js';
import { FileStats } from '../../src/ingest/common/stats.js';
import { prng } from './text-trace.js';

interface Run {
  decoder: EventDecoder;
  dicts: Dictionaries;
  stats: FileStats;
  builder: BatchBuilder<typeof EVENTS.columns>;
  batches: ColumnBatch[];
}

function run(batchRows: number): Run {
  const dicts = new Dictionaries();
  const stats = new FileStats(0, 'test.trace');
  const batches: ColumnBatch[] = [];
  const builder = new BatchBuilder(EVENTS, batchRows, (b) => batches.push(b));
  const decoder = new EventDecoder({ strings: dicts.strings, addresses: dicts.addresses, strict: false }, stats, builder);
  return { decoder, dicts, stats, builder, batches };
}

/** payload()'s general path, step by step: tokenize, then decode the fields. */
function general(d: EventDecoder, buf: Uint8Array, ts: number, cpu: number, line: number, name?: string): void {
  const fields = new FieldList();
  const span = { nameStart: 0, nameEnd: 0 };
  const err = tokenizePayload(buf, 0, buf.length, fields, span);
  if (err) return d.reject(line, cpu, err);
  if (name !== undefined) {
    if (span.nameEnd > span.nameStart) return d.reject(line, cpu, `unexpected word '${latin1(buf, span.nameStart, span.nameEnd)}' before the keys`);
    return d.structured(name, fields, ts, cpu, line);
  }
  if (span.nameEnd > span.nameStart) return d.structuredSpan(buf, span.nameStart, span.nameEnd, fields, ts, cpu, line);
  d.reject(line, cpu, 'no event name');
}

/** Everything a decoder produced: every column of every batch (the unfilled rows too), dictionaries, counts. */
function outcome(r: Run): unknown {
  r.builder.finishBatch();
  const batches = [...r.batches, r.builder.current].map((b) => ({
    length: b.length,
    cols: EVENTS.columns.map((c) => Array.from(b.column(c.name))),
  }));
  const s = r.stats;
  return {
    batches,
    strings: [...r.dicts.strings.values],
    addresses: Array.from({ length: r.dicts.addresses.size }, (_, id) => r.dicts.addresses.hex(id)),
    counts: [s.events, s.unknown, s.rejected, s.unknownKeys, s.context],
    rejects: s.rejects,
    perCpu: s.perCpu.map((c) => [c.cpu, c.lines, c.events, c.unknown, c.rejected, c.firstTs, c.lastTs]),
  };
}

/** Decode `lines` (payload text, optional event name from elsewhere) both ways and compare. */
function same(t: Test, lines: readonly (string | [string, string])[], what: string, batchRows = 1024): void {
  const quick = run(batchRows);
  const slow = run(batchRows);
  lines.forEach((l, k) => {
    const [text, name] = typeof l === 'string' ? [l, undefined] : l;
    const buf = Buffer.from(text, 'utf8');
    const ts = 1000 + k;
    const cpu = k % 3;
    quick.decoder.payload(buf, 0, buf.length, ts, cpu, k + 1, name);
    general(slow.decoder, buf, ts, cpu, k + 1, name);
  });
  t.same(outcome(quick), outcome(slow), what);
}

const A = '0xfffff80010002580';
const B = '0xfffff80010002a00';
const GOOD = [
  `fault_begin tid=100 pid=1 va=0x7fffffffea68 ftype=W fflags=0xc nthreads=1 comm=sh`,
  `fault_obj tid=100 depth=0 obj=${A} otype=default page=absent backing=1 shadowed=0 swapped=0 ref=1`,
  `obj_name obj=${B} otype=vnode name=/lib/libedit.so.6`,
  `obj_ref tid=100 obj=${B} otype=vnode ref=20 delta=-1 site=vm_map_delete`,
  `obj_shadow tid=100 obj=${A} source=${B} stype=default site=vm_map_lookup`,
  `fault_retry tid=100 why=busy`,
  `fault_end tid=100 rc=0 depth=-1 action=zero_fill io=0 io_ns=12.5`,
  `obj_lock tid=100 obj=${A} op=acq mode=X site=vm_fault class=token`,
  `proc_exec pid=7 path="/bin/sh" comm="sh"`,
  `proc_fork pid=7 child=8`,
  `obj_collapse tid=1 obj=${A} backing=${B} btype=swap bbobj=0x10 bbtype=default case=collapse`,
  `   obj_ref   tid=100\tobj=${A} otype=swap ref=2 delta=1  `,
  `proc_exit pid=7 inferred=tid`,
];

t.test('well-formed lines: the same rows, ids and counts either way', async (t) => {
  same(t, GOOD, 'good lines');
  same(t, [...GOOD, ...GOOD.slice().reverse()], 'the same lines again, ids reused');
  // keys in another order than the last line of the same event had them
  same(
    t,
    [`obj_ref tid=1 obj=${A} otype=swap ref=2 delta=1`, `obj_ref delta=1 ref=2 otype=swap obj=${B} tid=1`, `obj_ref obj=${A} tid=3 otype=swap ref=2 delta=1`],
    'keys reordered',
  );
});

t.test('lines the general path must read give the same result', async (t) => {
  same(
    t,
    [
      `obj_ref tid=100 obj=${A} otype=swap ref=2 delta=1 colour=blue`, // unknown key: extra
      `obj_ref tid=100 obj=${A} obj=${B} otype=swap ref=2 delta=1`, // duplicate key
      `obj_name obj=${A} otype=vnode name="a \\"quoted\\" name"`, // escape
      `obj_name obj=${A} otype=vnode name="a b c"`, // quoted with spaces
      `obj_ref tid="100" obj=${A} otype=swap ref=2 delta=1`, // a quoted integer
      `obj_ref tid=100 obj=${A} otype=swap ref=2`, // missing delta
      `obj_ref tid=100 obj=0xzz otype=swap ref=2 delta=1`, // bad address
      `obj_ref tid=100 obj=${A} otype=nothing ref=2 delta=1`, // bad enum
      `fault_begin tid=100 pid=1 va=0xffffffffffffffff ftype=W fflags=0xc`, // the u64 null
      `fault_begin tid=100 pid=1 va=0x1 ftype=WW fflags=0xc`, // bad ftype
      `not_an_event a=1`, // unknown event
      `tid=1 obj=${A}`, // no name
      `obj_ref`, // name only
      ``,
      `obj_ref tid=100 obj=${A} otype=swap ref=2 delta=1 =x`, // empty key
      `obj_ref tid=100 obj=${A} otype=swap ref=2 delta=1 stray`, // not key=value
      `obj_name obj=${A} otype=vnode name="unterminated`,
      `obj_name obj=${A} otype=vnode name="x"y`, // text after a quoted value
      `obj_name obj=${A} otype=vnode name="ends in backslash\\`,
      `proc_exit pid=7 inferred=nonsense`,
    ],
    'odd lines',
  );
});

t.test('nothing is interned for a line rejected after its first values', async (t) => {
  // The quick path parses obj before it finds the stray word: the address
  // must not get an id, or every later id would shift.
  same(
    t,
    [
      `obj_ref tid=1 obj=${A} otype=swap site=here ref=2 delta=1 stray`,
      `obj_ref tid=1 obj=${B} otype=swap ref=2 delta=1 site=there`,
      `obj_ref tid=1 obj=${A} otype=swap ref=2 delta=1`,
    ],
    'rejected line leaves the dictionaries alone',
  );
});

t.test('event names given by the framing (ktr IDs)', async (t) => {
  same(
    t,
    [
      [`tid=1 obj=${A} otype=swap ref=2 delta=1`, 'obj_ref'],
      [`tid=1 obj=${A} otype=swap ref=2 delta=1`, 'obj_ref'],
      [`obj_ref tid=1 obj=${A} otype=swap ref=2 delta=1`, 'obj_ref'], // a word before the keys
      [`a=1 b="two words"`, 'other_master_event'],
      [`tid=1 why=busy`, 'fault_retry'],
      [``, 'proc_exit'],
    ],
    'named lines',
  );
});

t.test('batch boundaries fall on the same rows', async (t) => {
  same(t, [...GOOD, GOOD[0]!, `obj_ref stray`, ...GOOD], 'three rows a batch', 3);
});

t.test('random damage to good lines: same result either way', async (t) => {
  const rnd = prng(11);
  const noise = ['=', '"', '\\', ' ', 'x', '0', '\t', 'é'];
  const lines: string[] = [];
  for (let k = 0; k < 3000; k++) {
    let l = GOOD[Math.floor(rnd() * GOOD.length)]!;
    const edits = Math.floor(rnd() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rnd() * (l.length + 1));
      l = rnd() < 0.5 ? l.slice(0, at) + noise[Math.floor(rnd() * noise.length)]! + l.slice(at) : l.slice(0, at) + l.slice(at + 1);
    }
    lines.push(l);
  }
  same(t, lines, '3000 damaged lines', 64);
});
