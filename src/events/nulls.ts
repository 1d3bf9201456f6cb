// Where each column of the events table is NULL, read off the key rules: a
// column holds a value only on the events whose keys fill it, always when the
// key is required there, and when the trace gave it when it is optional.
// docs/tables.md prints these rules and a test holds real runs to them.

import type { NullRule } from '../columns/table.js';
import { EVENT_RULES } from './rules.js';
import { EVENTS } from './schema.js';
import { EventKinds } from './vocabulary.js';

/** Filled on every row, whatever the event: where it came from and what it is. */
const EVERY_ROW: ReadonlySet<string> = new Set(['cpu', 'src_file', 'src_line', 'kind', 'name', 'inferred']);

const sqlList = (kinds: readonly string[]): string => kinds.map((k) => `'${k}'`).join(', ');
const wordList = (kinds: readonly string[]): string => kinds.map((k) => `\`${k}\``).join(', ');

function ruleFor(column: string): NullRule | undefined {
  if (EVERY_ROW.has(column)) return undefined;
  // A line with no time: perf's synthesized start-up records (time 0), perf script printed without its time field.
  if (column === 'ts')
    return {
      may: 'true',
      doc: "on lines the trace gives no time: perf's synthesized start-up records, and every line of perf script printed without its time field",
    };
  // Unknown keys of any event, and the text of unknown events.
  if (column === 'extra') return { may: 'true', doc: 'unless the event had unknown keys (or is an unknown event with a payload)' };
  const required: string[] = [];
  const optional: string[] = [];
  for (const [kind, rules] of Object.entries(EVENT_RULES)) {
    const filling = rules.filter((r) => r.col === column);
    if (filling.length === 0) continue;
    (filling.some((r) => r.required) ? required : optional).push(kind);
  }
  const carriers = [...required, ...optional];
  const others = EventKinds.filter((k) => !carriers.includes(k));
  return {
    always: `kind NOT IN (${sqlList(carriers)})`,
    may: optional.length > 0 ? `kind IN (${sqlList(optional)})` : undefined,
    doc:
      (others.length < carriers.length ? `on ${wordList(others)}` : `except on ${wordList(carriers)}`) +
      (optional.length > 0 ? `; may be on ${wordList(optional)} (key left out)` : ''),
  };
}

/** The NULL rule of every events column (undefined: never NULL). */
export const EVENT_NULLS: Readonly<Record<string, NullRule | undefined>> = Object.fromEntries(EVENTS.columns.map((c) => [c.name, ruleFor(c.name)]));
