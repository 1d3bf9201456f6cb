// docs/tables.md: the generated reference matches the specs and views, every
// table and view is in it, and the example questions run.

import { readFileSync } from 'node:fs';
import t from 'tap';
import { TABLES_DOC, withGeneratedBlock } from '../../src/store/doc-tables.js';
import { STANDARD_TABLES } from '../../src/store/store.js';
import { VIEW_NAMES } from '../../src/store/views.js';
import { writeScenario } from './scenario.js';

const doc = readFileSync(TABLES_DOC(), 'utf8');

t.test('the generated reference is up to date (npx tsx src/store/doc-tables.ts)', async (t) => {
  t.equal(withGeneratedBlock(doc), doc);
  for (const name of [...STANDARD_TABLES.map((s) => s.name), 'models', ...VIEW_NAMES]) t.match(doc, `\n### ${name}\n`, name);
});

t.test('the five example questions run and answer', async (t) => {
  const examples = doc
    .slice(doc.indexOf('## Example questions'), doc.indexOf('# Reference'))
    .split('```sql\n')
    .slice(1)
    .map((block) => block.slice(0, block.indexOf('```')));
  t.equal(examples.length, 5);
  const db = await writeScenario(t, ['old', 'new', 'new-fixed']);
  for (const sql of examples) {
    const rows = (await db.connection.runAndReadAll(sql)).getRows();
    t.ok(rows.length > 0, sql.split('\n')[0]!);
  }
});
