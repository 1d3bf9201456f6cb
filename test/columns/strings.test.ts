// Interning text from bytes (StringTable.internSpan) and classifying ktr IDs
// (IdTable): both find a span again by its bytes through an IntMap of hashes.

import t from 'tap';
import { StringTable } from '../../src/columns/strings.js';
import { IdKind, IdTable } from '../../src/ingest/ktr/ids.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

t.test('internSpan: one id per text, found again from any buffer, across many texts', async (t) => {
  const table = new StringTable();
  const a = bytes('xx/bin/sh yy');
  const id = table.internSpan(a, 2, 9);
  t.equal(table.get(id), '/bin/sh');
  t.equal(table.internSpan(bytes('/bin/sh'), 0, 7), id, 'the same bytes elsewhere: the same id');
  t.equal(table.intern('/bin/sh'), id, 'and the same as interning the string');
  const empty = table.internSpan(a, 3, 3);
  t.equal(table.get(empty), '');
  t.equal(table.internSpan(bytes('abc'), 1, 1), empty, 'the empty text found again (its hash is an int32 key too)');
  const size = table.size;
  const texts = Array.from({ length: 5000 }, (_, i) => `comm-${i}-\u00e9`);
  const ids = texts.map((s) => table.internSpan(bytes(`[${s}]`), 1, bytes(`[${s}]`).length - 1));
  t.equal(table.size, size + 5000, 'each new text once (the chains and the map grow)');
  t.ok(
    texts.every((s, i) => table.internSpan(bytes(s), 0, bytes(s).length) === ids[i] && table.get(ids[i]) === s),
    'every one found again',
  );
});

t.test('IdTable: an ID classified once and found again by its bytes', async (t) => {
  const ids = new IdTable();
  const line = bytes('  vmtrace_fault_begin tokens_get other_x');
  const fault = ids.lookup(line, 2, 21);
  t.same(fault, { kind: IdKind.Vmtrace, name: 'fault_begin' });
  t.equal(ids.lookup(bytes('vmtrace_fault_begin'), 0, 19), fault, 'the cached classification');
  t.same(ids.lookup(line, 22, 32), { kind: IdKind.Stock, name: 'tokens_get' });
  t.same(ids.lookup(line, 33, 40), { kind: IdKind.Other, name: 'other_x' });
  const many = Array.from({ length: 1000 }, (_, i) => `vmtrace_e${i}`);
  const first = many.map((s) => ids.lookup(bytes(s), 0, s.length));
  t.ok(
    many.every((s, i) => ids.lookup(bytes(s), 0, s.length) === first[i] && first[i].name === `e${i}`),
    'a thousand IDs, each found again',
  );
});
