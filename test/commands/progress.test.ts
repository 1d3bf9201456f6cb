// The progress line: a percentage and an ETA from the input's size, counting
// the bytes the parser has consumed and those whose events were replayed
// (compressed bytes for compressed input), so that it moves on while a sort
// window holds every event back; then the table-building phase; shown on a
// terminal only, never with --quiet.

import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { replay, type RunProgress } from '../../src/api/index.js';
import { main } from '../../src/cli.js';
import { buildingLine, clock, progressReporter, READ_SHARE, readingLine, workDone } from '../../src/commands/progress.js';
import { setQuiet } from '../../src/commands/console.js';
import { openBytes } from '../../src/ingest/source/bytes-in.js';
import type { BuildProgress } from '../../src/store/database.js';
import { openStore } from '../../src/store/index.js';
import { newDicts } from '../store/fixtures.js';
import { capture } from '../helpers.js';

t.test('reading: the share of the work from bytes read and bytes replayed, and an ETA from the rate so far', async (t) => {
  const streaming = { bytesRead: 25e6, bytesHandedOn: 25e6, eventsRead: 101_000, events: 100_000, faults: 3000 };
  t.match(
    readingLine(streaming, 100e6, 10),
    /^25\.0% of 100\.0 MB, ETA 0:30; 101000 events read, 100000 replayed, 3000 faults$/,
    'read and replayed together: the share read',
  );
  const held = { bytesRead: 50e6, bytesHandedOn: 0, eventsRead: 400_000, events: 0, faults: 0 };
  t.equal(workDone(held, 100e6), READ_SHARE * 0.5, 'all held back by the sort window: reading counts alone');
  t.match(readingLine(held, 100e6, 10), /^20\.0% of 100\.0 MB, ETA 0:40; 400000 events read, 0 replayed, 0 faults$/);
  const replaying = { bytesRead: 100e6, bytesHandedOn: 50e6, eventsRead: 800_000, events: 400_000, faults: 9 };
  t.equal(workDone(replaying, 100e6), READ_SHARE + (1 - READ_SHARE) * 0.5, 'all read, half replayed');
  t.match(readingLine(replaying, 100e6, 20), /^70\.0% of 100\.0 MB, ETA 0:09; /, 'an ETA after the input is all read');
  t.match(readingLine({ ...streaming, events: 10 }, 100e6, 0.5), /^25\.0% of 100\.0 MB; /, 'no ETA in the first second');
  t.match(readingLine({ ...streaming, bytesRead: 2.5e6 }, null, 2), /^2\.5 MB read; 101000 events read/, 'standard input: no size, no percentage');
  t.equal(workDone({ ...streaming, bytesRead: 120e6, bytesHandedOn: 120e6 }, 100e6), 1, 'never past the whole');
  t.equal(clock(3725), '1:02:05');
  t.equal(clock(59.6), '1:00');
});

t.test('a trace the sort window holds whole: progress while it is read, then while it is replayed', async (t) => {
  // 30000 events span far less than the default one-second window: every event is held to the end of the input.
  const path = join(t.testdir(), 'storm.ktr');
  t.equal((await capture(() => main(['synth', 'forkexec', '-o', path, '--events', '30000', '--cpus', '4']))).code, 0);
  const size = statSync(path).size;
  const seen: RunProgress[] = [];
  await replay(path, { onProgress: (p) => seen.push(p) });
  const reading = seen.filter((p) => p.events === 0);
  t.ok(reading.length >= 3, `updates while reading, before any event is replayed (${reading.length})`);
  t.ok(
    reading.every((p) => p.bytesHandedOn === 0),
    'nothing handed on while the window holds it all',
  );
  t.ok(reading.at(-1)!.bytesRead > reading[0]!.bytesRead && reading.at(-1)!.eventsRead > reading[0]!.eventsRead, 'bytes and events read move on');
  const shares = seen.map((p) => workDone(p, size));
  t.ok(
    shares.every((s, i) => i === 0 || s >= shares[i - 1]!),
    'the share never goes back',
  );
  t.ok(shares[0]! < 0.2 && shares.at(-1)! > 0.95, `from near 0 to near 1 (${shares[0]!.toFixed(2)} .. ${shares.at(-1)!.toFixed(2)})`);
  t.equal(seen.at(-1)!.bytesHandedOn, size, 'every byte handed on at the end');
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
  t.ok(
    steps.every((s, i) => i === 0 || s.step >= steps[i - 1]!.step),
    'steps never go back',
  );
});
