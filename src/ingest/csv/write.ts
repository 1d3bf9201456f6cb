// CSV writer, the reverse of read.ts: a header row `ts,cpu,event` and one
// column per payload key, then one row per event with an empty cell where the
// event has no such key (an empty string value is written `""`, which the
// reader keeps apart from an absent key). A CSV header comes first, so the
// columns are fixed up front: every key of the vocabulary plus `extraKeys`;
// an event with any other key is an error rather than a key silently lost.

import { ALL_KEYS } from '../../events/rules.js';
import type { EventWriter, FieldValue } from '../writer.js';

export interface CsvWriterOptions {
  /** keys outside the vocabulary that events may carry (e.g. the synthetic marker's), after the vocabulary's */
  readonly extraKeys?: readonly string[];
}

export function csvWriter(options: CsvWriterOptions = {}): EventWriter {
  const keys = [...new Set([...ALL_KEYS, ...(options.extraKeys ?? [])])];
  const column = new Map(keys.map((k, i) => [k, i]));
  return {
    format: 'csv',
    header: () => ['ts', 'cpu', 'event', ...keys].map(csvCell).join(',') + '\n',
    footer: () => '',
    event(e) {
      const cells: string[] = new Array(keys.length).fill('');
      for (const [k, v] of e.fields) {
        const c = column.get(k);
        if (c === undefined)
          throw new Error(
            `CSV: event ${e.name} has key '${k}', which is not a column (columns: the vocabulary's keys and ${options.extraKeys?.join(', ') || 'no others'})`,
          );
        cells[c] = csvValue(v);
      }
      return `${e.ts},${e.cpu},${csvCell(e.name)},${cells.join(',')}\n`;
    },
  };
}

function csvValue(v: FieldValue): string {
  if (typeof v === 'bigint') return '0x' + v.toString(16);
  if (typeof v === 'number') return String(v);
  if (/[\r\n]/.test(v)) throw new Error(`CSV: the value ${JSON.stringify(v)} has a line break (the reader takes one line per event)`);
  return v === '' ? '""' : csvCell(v);
}

/** RFC 4180 quoting, when the text needs it. */
function csvCell(text: string): string {
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}
