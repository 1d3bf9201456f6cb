// The notebooks, checked without Jupyter: each notebook's code cells run in
// order against a fresh replay of the bundled sample, with the Deno kernel's
// display function recording what would be shown (notebooks/cells.ts). A
// cell that throws fails the test. What the cells show now must be what the
// committed outputs show (the text form of every display, in order), so a
// change to the models or the views cannot leave stale notebooks behind:
// execute them again with `npm run notebooks`.

import { join } from 'node:path';
import t from 'tap';
import { firstDifference, joined, NOTEBOOKS_DIR, readNotebook, runCells, storedDisplays } from '../../notebooks/cells.js';
import { openRun, replay, sampleTrace, VEGA_LITE_MIME } from '../../src/api/index.js';

const NOTEBOOKS = ['overview', 'objects-and-processes', 'time-and-contention', 'what-if', 'linux'];
const STALE = 'execute the notebooks again: npm run notebooks';
const path = (name: string): string => join(NOTEBOOKS_DIR, `${name}.ipynb`);

const dir = t.testdir();
const runDir = join(dir, 'run');
await replay(sampleTrace(), { out: runDir });
const linuxRunDir = join(dir, 'linux-run');
await replay(join(NOTEBOOKS_DIR, '..', 'traces', 'real', 'linux-churn.perf.data.gz'), { out: linuxRunDir });
const run = await openRun(runDir);
const headline = await run.summary();
run.close();

for (const name of NOTEBOOKS) {
  t.test(`${name}.ipynb runs, and its committed outputs are what it shows now`, async (t) => {
    const nb = readNotebook(path(name));
    t.equal(nb.metadata.kernelspec?.name, 'deno', 'the notebook asks for the Deno kernel');
    const code = nb.cells.filter((c) => c.cell_type === 'code');
    t.ok(code.length > 0);
    t.ok(
      code.every((c) => typeof c.execution_count === 'number'),
      `every code cell was executed (${STALE})`,
    );
    t.same(
      code.flatMap((c) => (c.outputs ?? []).filter((o) => o.output_type === 'error').map((o) => o.ename)),
      [],
      'no committed errors',
    );

    const shown = await runCells(path(name), runDir, dir, linuxRunDir);
    t.ok(shown.length > 0, 'the notebook shows something');
    const committed = storedDisplays(nb);
    t.same(
      shown.map((b) => joined(b['text/plain'])),
      committed.map((b) => joined(b['text/plain'])),
      `the committed outputs show what the cells show now (${STALE})`,
    );
    t.same(
      shown.map((b) => Object.keys(b).sort()),
      committed.map((b) => Object.keys(b).sort()),
      'in the same forms',
    );

    const charts = committed.filter((b) => VEGA_LITE_MIME in b);
    if (name !== 'objects-and-processes') t.ok(charts.length > 0, 'charts are shown');
    for (const b of charts) {
      t.match(joined(b['image/svg+xml']), /^<svg/, 'each chart has its SVG');
      t.same([...Buffer.from(joined(b['image/png']), 'base64').subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'and its PNG, for GitHub');
      t.equal(typeof b[VEGA_LITE_MIME], 'object', 'and its Vega-Lite spec');
    }
  });
}

t.test('the overview carries the sample’s current headline numbers', async (t) => {
  const lines = storedDisplays(readNotebook(path('overview'))).flatMap((b) => joined(b['text/plain']).split('\n'));
  t.equal(headline.length, 3, 'the sample is replayed under the three built-in models');
  for (const row of headline) {
    const cells = (lines.find((l) => l.startsWith(`${String(row.model)} `)) ?? '').trim().split(/\s+/);
    t.ok(cells.includes(String(row.x_tokens)), `${String(row.model)}: ${String(row.x_tokens)} X tokens (${STALE})`);
    t.ok(cells.includes(String(row.saved_x)), `${String(row.model)}: ${String(row.saved_x)} saved (${STALE})`);
  }
});

t.test('npm run notebooks finds a notebook the kernel left an output out of', async (t) => {
  const a = { 'text/plain': 'a' };
  const b = { 'text/plain': ['b', '!'] };
  t.equal(firstDifference([a, b], [a, { 'text/plain': 'b!' }]), null, 'the same text, as a string or as lines');
  t.equal(firstDifference([a, b], [a]), 'output 2: expected "b!", the notebook has "(nothing)"');
  t.equal(firstDifference([a], [b]), 'output 1: expected "a", the notebook has "b!"');
});
