// The progress line: a percentage and an ETA from the input's size, counting
// the compressed bytes consumed for compressed input, then the table-building
// phase; shown on a terminal only, never with --quiet.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { buildingLine, clock, progressReporter, readingLine } from '../../src/commands/progress.js';
import { setQuiet } from '../../src/commands/console.js';
import { openBytes } from '../../src/ingest/source/bytes-in.js';
import type { BuildProgress } from '../../src/store/database.js';
import { openStore } from '../../src/store/index.js';
import { newDicts } from '../store/fixtures.js';

t.test('reading: percentage of the input and an ETA from the rate so far', async (t) => {
  const line = readingLine({ bytesRead: 25e6, events: 100_000, faults: 3000 }, 100e6, 10);
  t.match(line, /^25\.0% of 100\.0 MB, ETA 0:30; 100000 events, 10000 events\/s, 3000 faults$/);
  t.match(readingLine({ bytesRead: 25e6, events: 10, faults: 0 }, 100e6, 0.5), /^25\.0% of 100\.0 MB; /, 'no ETA in the first second');
  t.match(readingLine({ bytesRead: 2.5e6, events: 10, faults: 0 }, null, 2), /^2\.5 MB read; /, 'standard input: no size, no percentage');
  t.match(readingLine({ bytesRead: 100e6, events: 10, faults: 0 }, 100e6, 20), /^all 100\.0 MB read, replaying the rest; 10 events/, 'input all read: no ETA');
  t.equal(clock(3725), '1:02:05');
  t.equal(clock(59.6), '1:00');
});

t.test('building the tables: which table, of how many', async (t) => {
  t.equal(buildingLine({ name: 'events', step: 2, steps: 11 }), 'building tables: events (3/11)');
  t.equal(buildingLine({ name: 'database', step: 11, steps: 11 }), 'building tables: done (11/11)');
});

/** A terminal that records what is written to it. */
function fakeTerminal(isTTY: boolean) {
  const written: string[] = [];
  return { stream: { isTTY, write: (s: string) => (written.push(s), true) } as unknown as NodeJS.WriteStream, written };
}

t.test('the reporter writes to a terminal only, and not with --quiet', async (t) => {
  const tty = fakeTerminal(true);
  const p = progressReporter(1000, tty.stream);
  p.building({ name: 'faults', step: 0, steps: 3 });
  p.done();
  t.match(tty.written.join(''), /building tables: faults \(1\/3\)/);
  t.match(tty.written.at(-1), /\r\x1b\[K$/, 'the line is cleared at the end');

  const pipe = fakeTerminal(false);
  const q = progressReporter(1000, pipe.stream);
  q.building({ name: 'faults', step: 0, steps: 3 });
  q.done();
  t.same(pipe.written, [], 'nothing when standard error is not a terminal');

  setQuiet(true);
  t.teardown(() => setQuiet(false));
  const quiet = fakeTerminal(true);
  const r = progressReporter(1000, quiet.stream);
  r.building({ name: 'faults', step: 0, steps: 3 });
  t.same(quiet.written, [], 'nothing with --quiet');
});

t.test('compressed input: the bytes consumed move steadily with what is decoded', async (t) => {
  // About 2 MB of gzip: incompressible hex, so the compressed size is large.
  const lines: string[] = [];
  for (let i = 0; i < 60_000; i++) lines.push(`${i} ${Math.random().toString(16).slice(2)}${Math.random().toString(16).slice(2)}`);
  const path = join(t.testdir(), 'trace.gz');
  const gz = gzipSync(lines.join('\n'));
  writeFileSync(path, gz);
  const input = await openBytes(path);
  t.equal(input.compression, 'gzip');
  const seen: number[] = [];
  for await (const _chunk of input.chunks) seen.push(input.consumed());
  const distinct = new Set(seen);
  t.ok(distinct.size >= 10, `the count moves while reading (${distinct.size} distinct values over ${seen.length} chunks of output)`);
  t.ok(seen[0]! < gz.length / 2, `the first output comes after less than half the file is consumed (${seen[0]} of ${gz.length})`);
  t.equal(input.consumed(), gz.length, 'all of it at the end');
});

t.test("the store's close reports each table it builds, then the database", async (t) => {
  const out = join(t.testdir(), 'out');
  const store = await openStore(out, newDicts());
  const steps: BuildProgress[] = [];
  await store.close({ inputs: [], models: ['old'], knobs: {} }, (p) => steps.push(p));
  t.ok(steps.length >= 3);
  t.equal(steps[0]!.step, 0);
  t.equal(steps[0]!.name, 'events', 'the events table first');
  t.same(steps.at(-1), { name: 'database', step: steps[0]!.steps, steps: steps[0]!.steps }, 'done at the end');
  t.ok(steps.every((s, i) => i === 0 || s.step >= steps[i - 1]!.step), 'steps never go back');
});
