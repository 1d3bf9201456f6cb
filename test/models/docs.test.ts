// docs/models.md keeps up with the models: it names every registered model,
// and carries the rules the model code cites: every section a model file
// names, and every rule number its comments cite, is in the doc.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { MODELS } from '../../src/models/index.js';
import { ROOT } from '../helpers.js';

const doc = readFileSync(join(ROOT, 'docs', 'models.md'), 'utf8');

t.test('docs/models.md names every model and its file', async (t) => {
  for (const m of MODELS) t.ok(doc.includes(`\`${m.name}\``), m.name);
});

/** The numbered rules (`N. ` at the start of a line) of the section under `heading`. */
function rulesOf(heading: string): Set<number> {
  const start = doc.indexOf(`\n### ${heading}\n`);
  if (start < 0) return new Set();
  const end = doc.indexOf('\n##', start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  return new Set([...section.matchAll(/\n(\d+)\. /g)].map((m) => Number(m[1])));
}

/** Rule numbers cited at the start of a comment: `// 5.`, `// 3-4.`, `// 7 / 10.`, and `9.` after `;`. */
function citedRules(file: string): number[] {
  const text = readFileSync(join(ROOT, 'src', 'models', file), 'utf8');
  const cited: number[] = [];
  for (const m of text.matchAll(/\/\/ (\d+)(?:-(\d+)| \/ (\d+))?\. /g)) {
    const from = Number(m[1]);
    const to = m[2] ? Number(m[2]) : from;
    for (let n = from; n <= to; n++) cited.push(n);
    if (m[3]) cited.push(Number(m[3]));
  }
  for (const m of text.matchAll(/; (\d+)\. /g)) cited.push(Number(m[1]));
  return cited;
}

for (const [file, heading, count] of [
  ['old.ts', 'old model: vm_fault', 8],
  ['new.ts', 'new model (501747bf): vm_fault', 10],
] as const) {
  t.test(`${file} cites "${heading}", and the doc has every rule it cites`, async (t) => {
    const source = readFileSync(join(ROOT, 'src', 'models', file), 'utf8');
    t.ok(source.replace(/\n\/\/ /g, ' ').includes(`"${heading}"`), 'the file names the section');
    const rules = rulesOf(heading);
    t.same(
      [...rules].sort((a, b) => a - b),
      Array.from({ length: count }, (_, i) => i + 1),
      'rules 1..N, in order',
    );
    const cited = citedRules(file);
    t.ok(cited.length >= count - 1, 'the code cites the rules');
    for (const n of cited) t.ok(rules.has(n), `rule ${n}`);
  });
}

t.test('the other sections the models rely on are there', async (t) => {
  for (const heading of ['Lock vocabulary', 'new-fixed', 'Other sites', 'Prefault', 'Counting']) t.ok(doc.includes(`\n### ${heading}\n`), heading);
  t.notMatch(doc, /\.\.\/shared|source notes/i, 'the doc stands alone');
});
