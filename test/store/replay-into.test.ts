// One place replays traces into an output directory (src/store/replay-into.ts):
// the `replay` command and the library's replay() both go through it and
// write the same run; options it does not know reach the replay and the
// store; a failed replay leaves OUT as it was.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { replay } from '../../src/api/index.js';
import { main } from '../../src/cli.js';
import { DEFAULT_MODELS } from '../../src/models/index.js';
import { replayIntoDirectory } from '../../src/store/replay-into.js';
import { capture, fixture } from '../helpers.js';
import { resolveReplayOptions } from '../../src/replay/options.js';

const TRACE = fixture('basic.ktr');
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
/** What a run records that does not depend on when or by whom it was made. */
const recorded = (dir: string) => {
  const { models, baseline, knobs, synthetic, tables, inputs } = manifestOf(dir);
  return { models, baseline, knobs, synthetic, tables, inputs: inputs.map((i: { sha256: string }) => i.sha256) };
};

t.test('the command and the library write the same run', async (t) => {
  const dir = t.testdir();
  const r = await capture(() => main(['replay', TRACE, '-o', join(dir, 'cli'), '--hold-scale', '2']));
  t.equal(r.code, 0, r.stderr);
  await replay(TRACE, { out: join(dir, 'api'), holdScale: 2 });
  t.same(recorded(join(dir, 'api')), recorded(join(dir, 'cli')));
  t.same(manifestOf(join(dir, 'cli')).knobs, { shared_fault: 1, hold_scale: 2, site_hold_ns: 1000 });
});

t.test('replayIntoDirectory: the options object goes whole to the replay and the store', async (t) => {
  const out = join(t.testdir(), 'out');
  const built: string[] = [];
  let batches = 0;
  const r = await replayIntoDirectory([TRACE], out, {
    ...resolveReplayOptions({ models: DEFAULT_MODELS, sharedFault: false }),
    arrow: true, // a store option
    batchRows: 16, // an ingest option
    onProgress: () => batches++,
    onBuilding: (p) => built.push(p.name),
  });
  t.equal(r.store.outDir, out);
  t.ok(batches > 1, 'small batches: the ingest option reached the replay');
  t.ok(existsSync(join(out, 'faults.arrow')), 'the store option reached the store');
  t.ok(built.includes('faults'), 'the build reports its tables');
  t.ok(r.buildSeconds >= 0);
  t.same(manifestOf(out).knobs, { shared_fault: 0, hold_scale: 1, site_hold_ns: 1000 });
  t.same(manifestOf(out).models, DEFAULT_MODELS);
  t.equal(r.run.faultsReplayed, 8);
});

t.test('replayIntoDirectory: a failed replay leaves OUT as it was and nothing beside it', async (t) => {
  const dir = t.testdir({ 'empty.ktr': '' });
  const out = join(dir, 'out');
  await replayIntoDirectory([TRACE], out, resolveReplayOptions({ models: ['old'] }));
  writeFileSync(join(out, 'mine.txt'), 'kept');
  const before = readdirSync(out).sort();
  const manifest = readFileSync(join(out, 'manifest.json'), 'utf8');
  await t.rejects(replayIntoDirectory([join(dir, 'empty.ktr')], out, { ...resolveReplayOptions({ models: ['new'] }), strict: true }), {
    name: 'InputError',
  });
  t.same(readdirSync(out).sort(), before);
  t.equal(readFileSync(join(out, 'manifest.json'), 'utf8'), manifest, 'the earlier run, untouched');
  t.same(readdirSync(dir).sort(), ['empty.ktr', 'out'], 'no temporary directory or lock left');
});
