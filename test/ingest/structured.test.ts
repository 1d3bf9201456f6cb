import t from 'tap';
import { content, fixture, readTrace } from '../helpers.js';

t.test('JSON Lines and CSV fixtures yield the same canonical events', async (t) => {
  const a = await readTrace(fixture('basic.jsonl'));
  const b = await readTrace(fixture('basic.csv'));
  t.equal(a.ingest.files[0]!.format, 'jsonl');
  t.equal(b.ingest.files[0]!.format, 'csv');
  t.equal(a.rows.length, 57);
  t.same(content(a.rows), content(b.rows));
  const f = a.ingest.files[0]!;
  t.equal(f.rejected, 0, JSON.stringify(f.rejects));
  t.ok(f.balanced);
  t.equal(f.unknown, 1);
  t.equal(f.unknownKeys, 1, 'the unknown key on a known event');
});

t.test('a 64-bit address written as a JSON number keeps every digit', async (t) => {
  const { rows } = await readTrace(fixture('basic.jsonl'));
  const obj = rows.find((r) => r.kind === 'fault_obj')!;
  t.equal(obj.obj, '0xfffff80010a3c000');
});
