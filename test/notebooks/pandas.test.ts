// The pandas block of notebooks/README.md, run against a fresh run when
// Python has pandas and pyarrow: the hex text columns give the exact number of
// distinct objects, which the float64 `obj` column pandas makes does not.

import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { openRun, replay, sampleTrace } from '../../src/api/index.js';
import { projectRoot } from '../../src/common/paths.js';

const probe = spawnSync('python3', ['-c', 'import pandas, pyarrow'], { encoding: 'utf8' });
const missing = probe.error || probe.status !== 0;

t.test(
  'the pandas block of notebooks/README.md reads every object exactly',
  { skip: missing ? 'needs python3 with pandas and pyarrow (Debian: python3-pandas, python3-pyarrow; bookworm packages no pyarrow)' : false },
  async (t) => {
    const readme = readFileSync(join(projectRoot(), 'notebooks', 'README.md'), 'utf8');
    const block = /<!-- checked: test\/notebooks\/pandas\.test\.ts[^\n]*\n```python\n([\s\S]*?)```/.exec(readme)?.[1];
    t.ok(block, 'the README has the checked block');
    const out = join(t.testdir(), 'run');
    await replay(sampleTrace(), { out });
    const run = await openRun(out);
    const objects = Number((await run.rows('SELECT count(DISTINCT obj) AS n FROM acquisitions'))[0]!.n);
    run.close();
    const printed = execFileSync('python3', ['-c', block!.replaceAll('"OUT/', `${JSON.stringify(out).slice(0, -1)}/`)], { encoding: 'utf8' });
    t.match(printed, /^float64\n/, 'pandas reads obj as float64, as the README says');
    t.match(printed, new RegExp(`^${objects} objects$`, 'm'), `obj_hex gives all ${objects} objects`);
  },
);
