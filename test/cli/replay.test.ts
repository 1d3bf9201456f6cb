// `vmreplay replay`, `query` on its output, and `vmreplay` with no arguments.

import { mkdtemp, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli.js';
import { capture, fixture } from '../helpers.js';

t.test('replay prints per model the counts, the savings and the assumptions, and writes the tables', async (t) => {
  const out = join(await mkdtemp(join(tmpdir(), 'vmreplay-replay-')), 'out');
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
    t.ok(existsSync(join(out, `${table}.arrow`)), `${table}.arrow`);
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

t.test('replay knobs: models, shared_fault=0, strict', async (t) => {
  const out = join(await mkdtemp(join(tmpdir(), 'vmreplay-replay-')), 'out');
  const r = await capture(() => main(['replay', fixture('basic.dtrace'), '-o', out, '--models', 'old,new-fixed', '--shared-fault', '0', '--hold-scale', '2']));
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /shared_fault=0/);
  t.notMatch(r.stdout, /^new /m);
  const bad = await capture(() => main(['replay', fixture('basic.jsonl'), '-o', out, '--models', 'old,bogus']));
  t.equal(bad.code, 2);
  t.match(bad.stderr, /unknown model 'bogus'/);
});

t.test('vmreplay with no arguments replays the bundled sample into ./vmreplay-out', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vmreplay-default-'));
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const r = await capture(() => main([]));
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /SYNTHETIC TRACE/);
    t.match(r.stdout, /X saved vs old/);
    t.ok(existsSync(join(dir, 'vmreplay-out', 'vmreplay.duckdb')));
  } finally {
    process.chdir(cwd);
  }
});
