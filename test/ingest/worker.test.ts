// The reader in a worker thread gives what the reader in this thread gives:
// the same batches (every column, byte for byte), the same dictionaries, the
// same per-file stats, the same errors; and the ids stay the run's when the
// run's dictionaries already hold entries or gain some between batches.

import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Dictionaries } from '../../src/columns/dictionaries.js';
import { type EventBatch, newEventBatch } from '../../src/events/schema.js';
import { InputError } from '../../src/common/errors.js';
import { Ingest, type IngestOptions, type IngestProgress } from '../../src/ingest/open.js';
import { DictionaryExport, DictionaryImport } from '../../src/ingest/worker/dictionary-sync.js';
import { fixture, ROOT } from '../helpers.js';
import { writerFor, WRITERS } from '../../src/ingest/registry.js';
import type { FormatName } from '../../src/ingest/framing.js';
import { randomEvents, tempFile, writeAll } from './text-trace.js';

/** Every trace the repository holds, each framing, compressed and not. */
const TRACES = [
  ...readdirSync(join(ROOT, 'traces', 'fixtures')).map((n) => fixture(n)),
  ...readdirSync(join(ROOT, 'traces', 'real'))
    .filter((n) => !n.endsWith('.md'))
    .map((n) => join(ROOT, 'traces', 'real', n)),
  join(ROOT, 'traces', 'sample', 'forkexec.ktr.gz'),
];

/** A run as far as a reader shapes it: per batch its length and a digest of every column's bytes, the dictionaries, the files' stats, the error. */
interface Picture {
  batches: string[];
  strings: string[];
  addresses: string[];
  files: unknown[];
  error: string | null;
}

const digest = (b: EventBatch): string => {
  const h = createHash('sha256');
  for (const c of b.spec.columns) {
    const a = b.column(c.name);
    const per = c.kind === 'u64' ? 2 : 1;
    h.update(new Uint8Array(a.buffer, a.byteOffset, b.length * per * a.BYTES_PER_ELEMENT));
  }
  return `${b.length}:${h.digest('hex')}`;
};

/** Read `paths`; `between` runs after each batch (a consumer that interns, as the replay does). */
async function picture(paths: string[], options: IngestOptions, dicts = new Dictionaries(), between?: (k: number) => void): Promise<Picture> {
  const ingest = new Ingest(options, dicts);
  const batches: string[] = [];
  let error: string | null = null;
  try {
    for await (const b of ingest.events(paths)) {
      batches.push(digest(b));
      between?.(batches.length);
    }
  } catch (e) {
    error = `${(e as Error).name}: ${(e as Error).message}${e instanceof InputError ? ` [${e.file} ${e.line} ${e.reason}]` : ''}`;
  }
  const addresses = Array.from({ length: dicts.addresses.size }, (_, id) => dicts.addresses.hex(id));
  const files = ingest.files.map((f) => ({
    ...f.changesSince({ rejects: 0, warnings: 0, notes: 0, rejectedLines: 0 }),
    perCpu: f.perCpu.map((c) => ({ ...c })),
  }));
  return { batches, strings: [...dicts.strings.values], addresses, files, error };
}

t.test('the worker and this thread read every trace alike', async (t) => {
  for (const path of TRACES) {
    const here = await picture([path], { worker: false });
    const there = await picture([path], { worker: true });
    t.same(there, here, path.slice(ROOT.length + 1));
    t.ok(here.batches.length > 0 || here.error !== null, `${path}: something was read`);
  }
});

t.test('random events of the whole vocabulary, written in each text framing that takes them: alike', async (t) => {
  const events = randomEvents(3000, { seed: 18, cpus: 6 });
  // CSV's columns are fixed, and random events carry unknown keys: basic.csv stands for it above.
  for (const format of (Object.keys(WRITERS) as FormatName[]).filter((f) => f !== 'csv')) {
    const path = tempFile(`random.${format}`, writeAll(writerFor(format), events));
    const here = await picture([path], { worker: false, batchRows: 256 });
    t.same(await picture([path], { worker: true, batchRows: 256 }), here, format);
    t.ok(here.batches.length > 5, `${format}: many batches`);
  }
});

t.test('several files merged, small batches, strict: alike', async (t) => {
  const texts = ['basic.dtrace', 'basic.ktr', 'basic.jsonl', 'basic.csv', 'basic.dtrace.zst'].map(fixture);
  const perf = join(ROOT, 'traces', 'real', 'linux-coldfile.perf.txt.gz');
  for (const [paths, options] of [
    [texts, { batchRows: 64 }],
    [texts, { batchRows: 1000, strict: true }],
    [[perf, join(ROOT, 'traces', 'real', 'linux-coldfile.perf.data.gz')], { batchRows: 256 }],
    [[fixture('basic.ktr')], { sortWindowNs: 0, batchRows: 7 }],
  ] as [string[], IngestOptions][]) {
    t.same(await picture(paths, { ...options, worker: true }), await picture(paths, { ...options, worker: false }), JSON.stringify(options));
  }
});

t.test('rejected lines, warnings and notes arrive, in order', async (t) => {
  const lines = ['\ufeff1 0 proc_exit pid=1'];
  for (let i = 2; i < 3000; i++) lines.push(i % 97 === 0 ? `${i} 0 fault_begin tid=oops` : `${i} ${i % 3} proc_exit pid=${i}`);
  const path = tempFile('rejects.dtrace', `${lines.join('\r')}\r${lines.length + 1} 0 proc_ex`);
  const here = await picture([path], { worker: false, batchRows: 50, sortWindowNs: 10 });
  const there = await picture([path], { worker: true, batchRows: 50, sortWindowNs: 10 });
  t.same(there, here);
  const file = here.files[0] as { fields: { rejected: number }; notes: string[]; warnings: string[] };
  t.ok(file.fields.rejected > 20, 'more rejects than samples');
  t.ok(file.notes.length > 0 && file.warnings.length > 0, 'notes and warnings');
});

t.test('an InputError in the worker is the same InputError here', async (t) => {
  const cases: [string, IngestOptions][] = [
    [tempFile('bad.dtrace', '1 0 proc_exit pid=1\n2 0 fault_begin tid=oops\n'), { strict: true }],
    [tempFile('what.txt', 'neither\nthis\nnor that\n'), {}],
  ];
  for (const [path, options] of cases) {
    const errors = await Promise.all(
      [false, true].map((worker) =>
        new Ingest({ ...options, worker })
          .events([path])
          .next()
          .then(
            () => null,
            (e: unknown) => e,
          ),
      ),
    );
    const [here, there] = errors as [InputError, InputError];
    t.ok(there instanceof InputError, 'an InputError');
    t.same([there.file, there.line, there.reason, there.message], [here.file, here.line, here.reason, here.message]);
  }
  const missing = await new Ingest({ worker: true })
    .events([join(ROOT, 'no-such.ktr')])
    .next()
    .catch((e: unknown) => e);
  t.match(missing, { name: 'InputError', line: 0, reason: /cannot read: ENOENT/ });
});

t.test('ids are the run’s: dictionaries that already hold entries, and entries added between batches', async (t) => {
  const paths = [fixture('basic.dtrace'), join(ROOT, 'traces', 'real', 'linux-coldfile.perf.txt.gz')];
  const prefilled = (): Dictionaries => {
    const d = new Dictionaries();
    for (const s of ['run-only', 'fault', 'vm_fault', 'another']) d.strings.intern(s);
    d.addresses.intern(0xffffffff, 0x1000);
    d.addresses.intern(0, 0x40);
    return d;
  };
  // What the replay does: it interns model names, outcomes, addresses of its own between batches.
  const consumer = (d: Dictionaries) => (k: number) => {
    d.strings.intern(`consumer-${k}`);
    d.strings.intern(k % 2 ? 'proc_exit' : `other-${k}`);
    d.addresses.intern(0xfffff800, k * 64);
  };
  const a = prefilled();
  const b = prefilled();
  const here = await picture(paths, { worker: false, batchRows: 100 }, a, consumer(a));
  const there = await picture(paths, { worker: true, batchRows: 100 }, b, consumer(b));
  t.ok(here.batches.length > 5, 'many batches');
  t.same(there, here, 'the same ids, batch for batch, and the same dictionaries');
});

t.test('DictionaryImport: interns in order, rewrites only ids that moved', async (t) => {
  const worker = new Dictionaries();
  const run = new Dictionaries();
  const entries = new DictionaryExport(worker);
  const ids = new DictionaryImport(run.strings, run.addresses);
  const w = ['a', 'b'].map((s) => worker.strings.intern(s));
  ids.add(entries.take());
  t.same(run.strings.values, ['a', 'b'], 'the identity while nothing else interns');
  run.strings.intern('mine');
  worker.strings.intern('c');
  worker.strings.intern('mine');
  worker.addresses.intern(1, 2);
  ids.add(entries.take());
  t.same(run.strings.values, ['a', 'b', 'mine', 'c']);
  t.equal(run.addresses.hex(0), '0x100000002');
  const batch = newEventBatch(4);
  batch.length = 4;
  batch.cols.comm.set([w[0]!, w[1]!, 2, 3]);
  batch.cols.extra.set([-1, 3, 2, 0]);
  ids.rewrite(batch);
  t.same([...batch.cols.comm], [0, 1, 3, 2], 'worker ids 2 (c) and 3 (mine) moved');
  t.same([...batch.cols.extra], [-1, 2, 3, 0], 'nulls stay null');
  t.same(entries.take(), { strings: [], addresses: new Uint32Array(0) }, 'nothing new');
});

t.test('runs at once each have their worker; a run that stops early ends its worker, and the next run reads whole', async (t) => {
  const path = join(ROOT, 'traces', 'sample', 'forkexec.ktr.gz');
  const here = await picture([path], { worker: false, batchRows: 500 });
  const [a, b] = await Promise.all([picture([path], { worker: true, batchRows: 500 }), picture([path], { worker: true, batchRows: 500 })]);
  t.same(a, here);
  t.same(b, here);
  const early = new Ingest({ worker: true, batchRows: 500 });
  for await (const batch of early.events([path])) {
    t.equal(batch.length, 500, 'a first batch');
    break;
  }
  t.same(await picture([path], { worker: true, batchRows: 500 }), here, 'after a run stopped early');
});

t.test('progress: told as the worker reads, and at the end what this thread would tell', async (t) => {
  const path = join(ROOT, 'traces', 'real', 'linux-forkexec-build.perf.txt.gz');
  const ends: IngestProgress[] = [];
  for (const worker of [false, true]) {
    const read: number[] = [];
    const ingest: Ingest = new Ingest({ worker, onRead: () => read.push(ingest.progress().bytesRead) });
    for await (const _ of ingest.events([path]));
    t.ok(read.length > 1 && read.at(-1)! > read[0]!, `onRead called as the input is read, the bytes read growing (worker: ${worker})`);
    ends.push(ingest.progress());
  }
  t.same(ends[1], ends[0]);
  t.ok(ends[0]!.bytesRead > 0 && ends[0]!.eventsRead > 0);
});
