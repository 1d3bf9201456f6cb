// The CSV writer against the CSV reader: what is written reads back as the
// same events, quoting and absent keys included, and what cannot be written
// is an error rather than a silent loss.

import t from 'tap';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { csvWriter } from '../../src/ingest/csv/write.js';
import { WRITERS } from '../../src/ingest/registry.js';
import type { TextEvent } from '../../src/ingest/writer.js';
import { readTrace } from '../helpers.js';

const EVENTS: TextEvent[] = [
  {
    ts: 1000,
    cpu: 0,
    name: 'vmtrace_synthetic',
    fields: [
      ['workload', 'forkexec'],
      ['seed', 1],
      ['version', '0.1.0'],
    ],
  },
  {
    ts: 2000,
    cpu: 1,
    name: 'proc_exec',
    fields: [
      ['pid', 7],
      ['comm', 'a,b "quoted" name'],
      ['path', ''],
    ],
  },
  {
    ts: 3000,
    cpu: 1,
    name: 'fault_begin',
    fields: [
      ['tid', 70],
      ['pid', 7],
      ['va', 0xffff_f800_1000_cc00n],
      ['ftype', 'R'],
      ['fflags', 4],
    ],
  },
];

function write(events: readonly TextEvent[], extraKeys = ['workload', 'seed', 'version']): string {
  const w = csvWriter({ extraKeys });
  return w.header() + events.map((e) => w.event(e)).join('') + w.footer();
}

t.test('a header row, then one row per event with empty cells for absent keys', async (t) => {
  const text = write(EVENTS);
  const [header, ...rows] = text.trimEnd().split('\n');
  t.match(header, /^ts,cpu,event,tid,pid,va,/);
  t.match(header, /,workload,seed,version$/);
  t.equal(rows.length, 3);
  t.match(rows[1], /^2000,1,proc_exec,,7,/);
  t.match(rows[1], /"a,b ""quoted"" name"/, 'RFC 4180 quoting');
  t.match(rows[2], /,0xfffff8001000cc00,/, 'addresses in hex');
});

t.test('what is written reads back as the same events', async (t) => {
  const path = join(t.testdir(), 'events.csv');
  await writeFile(path, write(EVENTS));
  const { rows, ingest } = await readTrace(path);
  const f = ingest.files[0]!;
  t.equal(f.format, 'csv');
  t.equal(f.rejected, 0, JSON.stringify(f.rejects));
  t.same(
    rows.map((r) => [r.ts, r.cpu, r.name]),
    EVENTS.map((e) => [e.ts, e.cpu, e.name]),
  );
  t.equal(rows[0]!.extra, 'workload=forkexec seed=1 version=0.1.0', 'the unknown marker keeps its payload in order');
  t.equal(rows[1]!.comm, 'a,b "quoted" name');
  t.equal(rows[2]!.va, '0xfffff8001000cc00');
});

t.test('a key that is not a column, or a line break, is an error, not a loss', async (t) => {
  t.throws(() => write([{ ts: 1, cpu: 0, name: 'x', fields: [['nonsense', 1]] }], []), /key 'nonsense', which is not a column/);
  t.throws(() => write([{ ts: 1, cpu: 0, name: 'proc_exec', fields: [['comm', 'two\nlines']] }]), /line break/);
});

t.test('registered as a writer: synth -o x.csv can use it', async (t) => {
  t.ok(WRITERS.csv, 'csv is in WRITERS');
  t.equal(WRITERS.csv!().format, 'csv');
});
