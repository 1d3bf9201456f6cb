import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Row } from '../../src/columns/rows.js';
import { EVENT_RULES, type KeyRule } from '../../src/events/rules.js';
import type { FormatName } from '../../src/ingest/framing.js';
import { WRITERS, writerFor } from '../../src/ingest/registry.js';
import { type FieldValue, payloadValue, type TextEvent } from '../../src/ingest/writer.js';
import { openOutput, TextSink } from '../../src/synth/sink.js';
import { WORKLOAD_NAMES } from '../../src/synth/workloads/index.js';
import { content, readTrace } from '../helpers.js';
import { synth } from './checks.js';

const dir = mkdtempSync(join(tmpdir(), 'vmreplay-synth-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

async function writeTrace(events: readonly TextEvent[], format: FormatName, name: string): Promise<string> {
  const path = join(dir, name);
  const out = openOutput(path);
  const sink = new TextSink(out.stream, writerFor(format));
  for (const e of events) sink.write(e);
  await sink.end();
  await out.close();
  return path;
}

const FTYPE_BITS: Record<string, number> = { R: 1, W: 2, X: 4 };

/** The value a reader must give for `v` written under `rule`. */
function expected(rule: KeyRule, v: FieldValue): string | number | boolean {
  switch (rule.type) {
    case 'addr':
    case 'u64':
      return typeof v === 'bigint' ? '0x' + v.toString(16) : String(v).toLowerCase();
    case 'flags':
      return Number(v);
    case 'ftype':
      return [...String(v)].reduce((bits, c) => bits | (FTYPE_BITS[c] ?? 0), 0);
    case 'bool':
      return Number(v) === 1;
    case 'int':
    case 'num':
      return Number(v);
    default:
      return String(v);
  }
}

/** What is wrong with `row` as the reading of `e` (null: nothing). */
function mismatch(row: Row, e: TextEvent): string | null {
  if (row.name !== e.name || row.ts !== e.ts || row.cpu !== e.cpu) return `${row.name}@${row.ts}/${row.cpu} read for ${e.name}@${e.ts}/${e.cpu}`;
  const rules = (EVENT_RULES as Record<string, readonly KeyRule[] | undefined>)[e.name];
  if (!rules) {
    const payload = e.fields.map(([k, v]) => `${k}=${payloadValue(v)}`).join(' ');
    return row.kind === 'unknown' && row.extra === payload ? null : `unknown event read as ${row.kind} with '${row.extra}'`;
  }
  for (const [key, v] of e.fields) {
    const rule = rules.find((r) => r.key === key);
    if (!rule) return `${e.name} has no key ${key}`;
    const want = expected(rule, v);
    if (row[rule.col] !== want) return `${e.name} ${key}=${String(v)}: read ${String(row[rule.col])}, expected ${String(want)}`;
  }
  return row.extra === null ? null : `unexpected extra '${row.extra}'`;
}

for (const workload of WORKLOAD_NAMES) {
  t.test(`${workload}: every framing reads back exactly what was generated`, async (t) => {
    const events = await synth({ workload, events: 2500, seed: 7 });
    const jsonl = await readTrace(await writeTrace(events, 'jsonl', `${workload}.jsonl`));
    const stats = jsonl.ingest.files[0]!;
    t.equal(stats.rejected, 0, JSON.stringify(stats.rejects));
    t.equal(stats.unknown, 1, 'the synthetic marker is the one unknown event');
    t.equal(stats.unknownKeys, 0);
    t.equal(jsonl.rows.length, events.length);
    const wrong = events.map((e, i) => (jsonl.rows[i] ? mismatch(jsonl.rows[i], e) : 'missing')).flatMap((m, i) => (m ? [`row ${i}: ${m}`] : []));
    t.same(wrong.slice(0, 10), [], 'rows match the generated events');

    for (const format of Object.keys(WRITERS) as FormatName[]) {
      if (format === 'jsonl') continue;
      const other = await readTrace(await writeTrace(events, format, `${workload}.${format}.gz`), { format });
      const s = other.ingest.files[0]!;
      t.equal(s.rejected, 0, `${format}: no rejected lines ${JSON.stringify(s.rejects)}`);
      t.equal(other.rows.length, events.length, `${format}: every event`);
      // Framings that round timestamps may lose the last digits of ts: compare the rest exactly.
      const strip = (rows: Row[]): Row[] => content(rows).map(({ ts: _ts, ...rest }) => rest);
      t.equal(JSON.stringify(strip(other.rows)), JSON.stringify(strip(jsonl.rows)), `${format}: the same canonical events as jsonl`);
      const drift = Math.max(...other.rows.map((r, i) => Math.abs(Number(r.ts) - Number(jsonl.rows[i]!.ts))));
      t.ok(drift < 1000, `${format}: timestamps within 1 µs (max drift ${drift} ns)`);
    }
  });
}

t.test('a gzipped trace reads back like the plain one', async (t) => {
  const events = await synth({ workload: 'forkexec', events: 800, seed: 3 });
  const plain = await readTrace(await writeTrace(events, 'jsonl', 'plain.jsonl'));
  const gz = await readTrace(await writeTrace(events, 'jsonl', 'packed.jsonl.gz'));
  t.equal(gz.ingest.files[0]!.rejected, 0);
  t.same(content(gz.rows), content(plain.rows));
});
