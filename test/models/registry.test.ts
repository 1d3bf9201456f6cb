// The model registry: a model added with one registry line replays by name,
// and changes nothing else (the default model sets, the golden report); two
// models that would share a column are refused when the models are resolved.

import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';
import { replay } from '../../src/api/replay.js';
import { main } from '../../src/cli.js';
import { UsageError } from '../../src/common/errors.js';
import { VERSION } from '../../src/common/version.js';
import { DEFAULT_MODELS, defaultModels, FAMILIES, modelColumns, modelsByName, registerModel, resolveModels, unregisterModel } from '../../src/models/index.js';
import type { DragonFlyModel } from '../../src/models/model.js';
import { newFixedModel, newModel } from '../../src/models/new.js';
import { oldModel } from '../../src/models/old.js';
import { capture, fixture } from '../helpers.js';

/** A throwaway model: the old model's rules under another name, identity left to the registry's defaults. */
const scratch: DragonFlyModel = {
  name: 'scratch',
  description: 'the old rules again, registered by a test',
  fault: (f, knobs, log) => oldModel.fault(f, knobs, log),
  site: (op, knobs, log) => oldModel.site(op, knobs, log),
};

const DRAGONFLY_DEFAULTS = ['old', 'new', 'new-fixed'];
const LINUX_DEFAULTS = ['linux-mmap', 'linux-vma'];

/** Register `scratch` for the length of one test. */
function withScratch(t: { teardown(fn: () => void): void }): void {
  registerModel(scratch);
  t.teardown(() => unregisterModel(scratch.name));
}

t.test('a registered model replays by name through `vmreplay replay --models old,<it>`', async (t) => {
  withScratch(t);
  t.same(modelsByName(['scratch']), [scratch]);
  t.same(modelColumns(scratch), { name: 'scratch', family: 'dragonfly', baseline: 'old', countColumn: 'x_scratch', savedColumn: 'saved_x_scratch' });

  const out = join(t.testdir(), 'out');
  const r = await capture(() => main(['replay', fixture('basic.ktr'), '-o', out, '--models', 'old,scratch']));
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^scratch\s+31\s+12\s+14\s+0\s+0\s+1\s+0\s+0\s/m, 'the old rules under a new name: the old figures');
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { models: string[] };
  t.same(manifest.models, ['old', 'scratch']);
  const q = await capture(() => main(['query', out, 'select * from saved_by_site', '--format', 'json']));
  t.equal(q.code, 0, q.stderr);
  const rows = JSON.parse(q.stdout) as Record<string, unknown>[];
  t.ok(rows.length > 0);
  for (const row of rows) {
    t.ok('x_scratch' in row && 'saved_x_scratch' in row, 'its columns come from its slug');
    t.equal(row.saved_x_scratch, 0, 'it saves nothing against old, the baseline of its family');
  }
});

t.test('a registered model replays by name through the library replay()', async (t) => {
  withScratch(t);
  const byName = await replay(fixture('basic.ktr'), { models: ['old', 'scratch'] });
  const byValue = await replay(fixture('basic.ktr'), { models: [oldModel, scratch] });
  t.same(
    byName.models.map((m) => m.model),
    ['old', 'scratch'],
  );
  t.same(byName.models[1], { ...byName.models[0], model: 'scratch' }, 'the old rules: the old figures, under its own name');
  t.same(byName.models, byValue.models, 'by name and by value alike');
});

t.test('registering a model leaves the default model sets as they were', async (t) => {
  withScratch(t);
  t.same(FAMILIES.dragonfly.defaults, DRAGONFLY_DEFAULTS);
  t.same(FAMILIES.linux.defaults, LINUX_DEFAULTS);
  t.same(DEFAULT_MODELS, DRAGONFLY_DEFAULTS);
  t.same(
    defaultModels('dragonfly').map((m) => m.name),
    DRAGONFLY_DEFAULTS,
  );
  t.same(
    defaultModels('linux').map((m) => m.name),
    LINUX_DEFAULTS,
  );
  const r = await replay(fixture('basic.ktr'));
  t.same(
    r.models.map((m) => m.model),
    DRAGONFLY_DEFAULTS,
    'a trace replays under its family defaults only',
  );
});

t.test('registering a model changes no report: the golden report of basic.ktr holds', async (t) => {
  withScratch(t);
  const dir = t.testdir();
  const input = relative(process.cwd(), fixture('basic.ktr'));
  const r = await capture(() => main(['report', input, '-o', dir]));
  t.equal(r.code, 0, r.stderr);
  const md = readFileSync(join(dir, 'report.md'), 'utf8')
    .replaceAll(`vmreplay ${VERSION}`, 'vmreplay <version>')
    .replace(/ \(git [0-9a-f]{12}\)/g, ' (git <commit>)')
    .replaceAll(dir, '<dir>');
  t.equal(md, readFileSync(join(import.meta.dirname, '..', 'report', 'golden', 'basic.report.md'), 'utf8'));
});

t.test('models that would share a column are refused with UsageError', async (t) => {
  const New: DragonFlyModel = { ...scratch, name: 'New' };
  t.throws(() => resolveModels([oldModel, newModel, New]), UsageError, '`New` and `new` would both be x_new');
  t.throws(() => registerModel(New), UsageError, 'and registering it is refused');
  t.throws(() => modelsByName(['New']), UsageError, 'so it is not registered');

  const fixed: DragonFlyModel = { ...scratch, name: 'fixed' };
  t.throws(() => resolveModels([oldModel, newFixedModel, fixed]), UsageError, '`fixed` and `new-fixed` would both save into saved_x_fixed');
  t.throws(() => registerModel(fixed), UsageError);
  t.throws(
    () => resolveModels([oldModel, newFixedModel, { ...scratch, name: 'new_fixed' }]),
    UsageError,
    '`new_fixed` and `new-fixed` would both be x_new_fixed',
  );
  t.throws(() => resolveModels([oldModel, oldModel]), UsageError, 'a name given twice');
  t.throws(() => modelsByName(['nope']), UsageError, 'an unknown name');
  const r = await capture(() => main(['replay', fixture('basic.ktr'), '-o', join(t.testdir(), 'out'), '--models', 'old,new,new']));
  t.equal(r.code, 2, 'on the command line: exit 2');
  t.match(r.stderr, /given twice/);
});
