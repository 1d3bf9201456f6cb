// docs/events.md keeps up with the code it describes.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { EVENTS } from '../../src/events/schema.js';
import { EVENT_RULES, INFERABLE_KEYS } from '../../src/events/rules.js';
import { ROOT } from '../helpers.js';

const doc = (name: string): string => readFileSync(join(ROOT, 'docs', name), 'utf8');

t.test('docs/events.md names every column, event, key and inferred bit', async (t) => {
  const text = doc('events.md');
  for (const c of EVENTS.columns) t.ok(text.includes(`| \`${c.name}\` |`), `column ${c.name}`);
  for (const [event, rules] of Object.entries(EVENT_RULES)) {
    t.ok(text.includes(`| \`${event}\` |`), `event ${event}`);
    for (const r of rules) t.ok(text.includes(`\`${r.key}\``), `${event}.${r.key}`);
  }
  INFERABLE_KEYS.forEach((k, i) => t.ok(text.includes(`${i}:${k}`), `inferred bit ${i}`));
});
