// JSON Lines writer: addresses as "0x..." strings, integers as numbers.

import type { EventWriter, FieldValue } from '../writer.js';

function jsonValue(v: FieldValue): string {
  if (typeof v === 'bigint') return JSON.stringify('0x' + v.toString(16));
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

export const jsonlWriter = (): EventWriter => ({
  format: 'jsonl',
  header: () => '',
  footer: () => '',
  event(e) {
    let s = `{"ts":${e.ts},"cpu":${e.cpu},"event":${JSON.stringify(e.name)}`;
    for (const [k, v] of e.fields) s += `,${JSON.stringify(k)}:${jsonValue(v)}`;
    return s + '}\n';
  },
});
