// `vmreplay replay`, `query` on its output, and `vmreplay` with no arguments.

import { readFile } from 'node:fs/promises';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli.js';
import { capture, fixture } from '../helpers.js';

t.test('replay prints per model the counts, the savings and the assumptions, and writes the tables', async (t) => {
  const out = join(t.testdir(), 'out');
  const r = await capture(() => main(['replay', fixture('basic.ktr'), '-o', out]));
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /old\s+31\s+12\s+14\s+0\s+0\s+1\s+0\s+0\s*\n/);
  t.match(r.stdout, /new\s+13\s+18\s+2\s+8\s+2\s+1\s+1\s+1\s+18 \(58\.1%\)/);
  t.match(r.stdout, /new-fixed\s+15\s+15\s+2\s+7\s+1\s+1\s+1\s+0\s+16 \(51\.6%\)/);
  t.match(r.stdout, /first-order replay/);
  t.match(r.stdout, /hold-time model/);
  t.match(r.stdout, /note: 2 faults cut off by the trace window were not replayed/);
  t.ok(existsSync(join(out, 'vmreplay.duckdb')));
  for (const table of ['events', 'faults', 'acquisitions', 'hazards', 'objects', 'processes', 'ingest_stats']) {
    t.ok(existsSync(join(out, `${table}.parquet`)), `${table}.parquet`);
    t.notOk(existsSync(join(out, `${table}.arrow`)), `no ${table}.arrow unless asked for`);
  }
  const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
  t.same(manifest.models, ['old', 'new', 'new-fixed']);
  const q = await capture(() => main(['query', out, 'summary', '--format', 'json']));
  t.equal(q.code, 0, q.stderr);
  const rows = JSON.parse(q.stdout) as { model: string; saved_x: number }[];
  t.same(
    rows.map((x) => [x.model, x.saved_x]),
    [
      ['old', 0],
      ['new', 18],
      ['new-fixed', 16],
    ],
  );
});

t.test('replay --arrow also writes every table as an Arrow IPC stream', async (t) => {
  const out = join(t.testdir(), 'out');
  const r = await capture(() => main(['replay', fixture('basic.ktr'), '-o', out, '--arrow']));
  t.equal(r.code, 0, r.stderr);
  for (const table of ['events', 'faults', 'acquisitions']) t.ok(existsSync(join(out, `${table}.arrow`)), `${table}.arrow`);
});

t.test('replay knobs: models, shared_fault=0, strict', async (t) => {
  const out = join(t.testdir(), 'out');
  const r = await capture(() => main(['replay', fixture('basic.dtrace'), '-o', out, '--models', 'old,new-fixed', '--shared-fault', '0', '--hold-scale', '2']));
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /shared_fault=0/);
  t.notMatch(r.stdout, /^new /m);
  const bad = await capture(() => main(['replay', fixture('basic.jsonl'), '-o', out, '--models', 'old,bogus']));
  t.equal(bad.code, 2);
  t.match(bad.stderr, /unknown model 'bogus'/);
});

t.test('vmreplay with no arguments replays the bundled sample into ./vmreplay-out', async (t) => {
  const dir = t.testdir();
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const r = await capture(() => main([]));
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /SYNTHETIC TRACE/);
    t.match(r.stdout, /X tokens saved vs old/);
    t.match(r.stderr, /no trace given, replaying the bundled sample/, 'what it does goes to stderr when stdout is not a terminal');
    t.notMatch(r.stdout, /no trace given|tables and database written/, 'stdout has the results only');
    t.ok(existsSync(join(dir, 'vmreplay-out', 'vmreplay.duckdb')));
    t.ok(existsSync(join(dir, 'vmreplay-out', 'report.html')), 'and its report');
  } finally {
    process.chdir(cwd);
  }
});

t.test('the summary labels what it counts: X tokens saved, and X chain saved, against the baseline', async (t) => {
  const out = join(t.testdir(), 'out');
  const r = await capture(() => main(['replay', fixture('basic.ktr'), '-o', out]));
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /hazards\s+X tokens saved vs old\s+X chain saved vs old\n/);
  // old takes 14 X chain locks on basic.ktr, new and new-fixed 2 each: 12 saved.
  t.match(r.stdout, /new\s+13\s+18\s+2\s+8\s+2\s+1\s+1\s+1\s+18 \(58\.1%\)\s+12 \(85\.7%\)\n/);
  t.match(r.stdout, /new-fixed\s+15\s+15\s+2\s+7\s+1\s+1\s+1\s+0\s+16 \(51\.6%\)\s+12 \(85\.7%\)\n/);
});

t.test('the summary times the whole run and both phases', async (t) => {
  const out = join(t.testdir(), 'out');
  const began = performance.now();
  const r = await capture(() => main(['replay', fixture('basic.ktr'), '-o', out]));
  const wall = (performance.now() - began) / 1000;
  t.equal(r.code, 0, r.stderr);
  const m = /in (\d+\.\d\d) s \(read \+ replay (\d+\.\d\d) s, build tables (\d+\.\d\d) s; \d+ events\/s replayed\)/.exec(r.stdout.replace(/\n {2}/g, ' '));
  t.ok(m, `the timing line: ${r.stdout.split('\n')[0]}`);
  const [total, replay, build] = m!.slice(1).map(Number) as [number, number, number];
  t.ok(total + 0.01 >= replay + build, `the whole (${total}) covers both phases (${replay} + ${build})`);
  t.ok(build > 0, 'building the tables takes time and is counted');
  t.ok(total <= wall + 0.01, `no more than the wall time the test saw (${wall.toFixed(2)} s)`);
});

t.test('notes are wrapped to the width (80 when stdout is not a terminal); table rows never are', async (t) => {
  const out = join(t.testdir(), 'out');
  const r = await capture(() => main(['replay', fixture('basic.ktr'), '-o', out]));
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const assumes = lines.findIndex((l) => l.startsWith('assumes: '));
  t.ok(assumes >= 0);
  t.ok(lines[assumes + 1]!.startsWith('  '), 'the assumes paragraph goes on indented');
  const tableRow = /^(model|---|old|new)/;
  t.same(
    lines.filter((l) => !tableRow.test(l) && l.length > 79),
    [],
    'no prose line wider than 79',
  );
  t.ok(
    lines.some((l) => l.length > 80 && /^new-fixed /.test(l)),
    'the wide table row stays on one line',
  );
});

t.test('stdout has the results only when it is not a terminal; chatter goes to stderr', async (t) => {
  const out = join(t.testdir(), 'out');
  const r = await capture(() => main(['replay', fixture('basic.ktr'), '-o', out]));
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^\d+ events from 1 file/);
  t.notMatch(r.stdout, /written to/);
  t.match(r.stderr, /tables and database written to /);
});

t.test('--quiet: nothing but errors, wherever the flag is', async (t) => {
  const out = join(t.testdir(), 'out');
  for (const argv of [
    ['--quiet', 'replay', fixture('basic.ktr'), '-o', out],
    ['replay', fixture('basic.ktr'), '-q', '-o', out],
  ]) {
    const r = await capture(() => main(argv));
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout, '', argv.join(' '));
    t.equal(r.stderr, '');
    t.ok(existsSync(join(out, 'manifest.json')));
  }
  const bad = await capture(() => main(['-q', 'replay', fixture('basic.ktr'), '-o', out, '--models', 'bogus']));
  t.equal(bad.code, 2);
  t.match(bad.stderr, /unknown model 'bogus'/, 'errors still print');
  const q = await capture(() => main(['-q', 'query', out, 'summary', '--format', 'csv']));
  t.match(q.stdout, /^model,/, 'the data a command is asked for still prints');
});

t.test('faults a damaged line cut or emptied are called damaged, not cut by the window or without levels', async (t) => {
  const dir = t.testdir();
  const lines = readFileSync(fixture('basic.jsonl'), 'utf8').split('\n');
  const damage = (n: number) => (lines[n - 1] = lines[n - 1]!.replace('{"ts"', '{"ts" oops'));
  damage(23); // the fault_begin of a thread's second fault
  damage(38); // the only level of a fault
  const path = join(dir, 'damaged.jsonl');
  writeFileSync(path, lines.join('\n'));
  const r = await capture(() => main(['replay', path, '-o', join(dir, 'out')]));
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /note: 2 faults cut off by the trace window were not replayed/, 'the two the window cuts, as without damage');
  t.match(r.stdout, /note: 2 faults damaged \(a line of theirs rejected or missing\) were not replayed/);
  t.notMatch(r.stdout, /without object levels/);
});
