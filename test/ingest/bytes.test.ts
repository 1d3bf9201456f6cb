// The byte-level pieces every text reader stands on: word tables found by
// their bytes, the byte classes and hex digits the scanners use, and lines cut
// from chunks wherever the chunk boundaries fall.

import t from 'tap';
import { BYTE_CLASS, C_BACKSLASH, C_BLANK, C_EQ, C_QUOTE, WordTable, hexDigit, parseU64, u64 } from '../../src/ingest/common/bytes.js';
import { LINE_BINARY, LINE_UNTERMINATED, LineSplitter } from '../../src/ingest/source/lines.js';
import { ALL_KEYS } from '../../src/events/rules.js';
import { EventKind } from '../../src/events/vocabulary.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

t.test('WordTable finds every word by its bytes, and nothing else', async (t) => {
  for (const words of [ALL_KEYS, EventKind.labels, ['a', 'b', 'ab', 'ba', 'abc', 'acb', 'x'.repeat(40)]]) {
    const table = new WordTable(words);
    words.forEach((w, id) => {
      // inside a larger buffer, at an offset
      const buf = bytes(`##${w}##`);
      t.equal(table.find(buf, 2, 2 + w.length), id, `${w}: its id`);
      t.ok(table.is(id, buf, 2, 2 + w.length), `${w}: is its id`);
      t.notOk(table.is((id + 1) % words.length, buf, 2, 2 + w.length), `${w}: is no other id`);
      for (let k = 0; k < w.length; k++) {
        // one byte changed: a word of the same length, hash and neighbours
        const other = bytes(w);
        other[k] = other[k]! ^ 0x20;
        const id2 = table.find(other, 0, other.length);
        t.ok(id2 === -1 || words[id2] === other.toString('latin1'), `${w} with byte ${k} changed is not ${w}`);
        t.notOk(table.is(id, other, 0, other.length), `${w} with byte ${k} changed`);
      }
      t.equal(table.find(buf, 2, 1 + w.length), words.indexOf(w.slice(0, -1)), `${w} less its last byte`);
      t.equal(table.find(buf, 2, 3 + w.length), -1, `${w} and one more byte`);
    });
    t.equal(table.find(bytes(''), 0, 0), -1, 'the empty span');
  }
  const withEmpty = new WordTable(['', 'a']);
  t.equal(withEmpty.find(bytes('xa'), 1, 1), 0, 'an empty word is found by the empty span');
});

t.test('byte classes and hex digits', async (t) => {
  for (let b = 0; b < 256; b++) {
    const c = String.fromCharCode(b);
    const want = c === ' ' || c === '\t' || c === '\r' ? C_BLANK : c === '=' ? C_EQ : c === '"' ? C_QUOTE : c === '\\' ? C_BACKSLASH : 0;
    if (BYTE_CLASS[b] !== want) t.fail(`class of byte ${b}`);
    const hex = /[0-9]/.test(c) ? b - 48 : /[a-f]/.test(c) ? b - 87 : /[A-F]/.test(c) ? b - 55 : -1;
    if (hexDigit(b) !== hex) t.fail(`hex digit of byte ${b}`);
  }
  t.pass('all 256 bytes');
  t.ok(parseU64(bytes('0xFFFFF80010002a00'), 0, 18));
  t.same([u64.hi, u64.lo], [0xfffff800, 0x10002a00], 'mixed-case hex address');
  t.notOk(parseU64(bytes('0xfffff8001000g2a0'), 0, 18), 'a non-hex byte');
});

t.test('lines are the same wherever the chunks are cut', async (t) => {
  const text = 'first line\r\nsecond\n\nfourth with \0 a NUL\n' + 'x'.repeat(300) + '\nlast without newline';
  const data = bytes(text);
  const split = (size: number): [string, number, number][] => {
    const out: [string, number, number][] = [];
    const s = new LineSplitter((buf, start, end, lineNo, flags) => out.push([Buffer.from(buf.subarray(start, end)).toString('latin1'), lineNo, flags]));
    for (let at = 0; at < data.length; at += size) s.push(data.subarray(at, at + size));
    s.end();
    return out;
  };
  const whole = split(data.length);
  t.same(
    whole.map(([l, n, f]) => [l.length > 20 ? `${l.length} bytes` : l, n, f]),
    [
      ['first line', 1, 0],
      ['second', 2, 0],
      ['', 3, 0],
      ['fourth with \0 a NUL', 4, LINE_BINARY],
      ['300 bytes', 5, 0],
      ['last without newline', 6, LINE_UNTERMINATED],
    ],
  );
  for (const size of [1, 2, 3, 7, 11, 64, 299, 301]) t.same(split(size), whole, `chunks of ${size} bytes`);
});

t.test('CR-only line endings are cut at each CR wherever the chunks are cut; CRLF stays one break', async (t) => {
  const split = (text: string, size: number): string[] => {
    const data = bytes(text);
    const out: string[] = [];
    const s = new LineSplitter((buf, start, end) => out.push(Buffer.from(buf.subarray(start, end)).toString('latin1')));
    for (let at = 0; at < data.length; at += size) s.push(data.subarray(at, at + size));
    s.end();
    return out;
  };
  for (const size of [1, 2, 3, 5, 100]) {
    t.same(split('ab\rcd\r\ref\r', size), ['ab', 'cd', '', 'ef'], `CR alone, chunks of ${size}`);
    t.same(split('ab\r\ncd\r\n', size), ['ab', 'cd'], `CRLF, chunks of ${size}`);
  }
});

t.test('a line longer than the carry buffer, cut across chunks, is joined whole', async (t) => {
  const long = Array.from({ length: 20_000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
  const data = bytes(`a\n${long}\nb\n`);
  for (const size of [1000, 4095, 4097, 9999]) {
    const out: string[] = [];
    const s = new LineSplitter((buf, start, end) => out.push(Buffer.from(buf.subarray(start, end)).toString('latin1')));
    for (let at = 0; at < data.length; at += size) s.push(data.subarray(at, at + size));
    s.end();
    t.same(out, ['a', long, 'b'], `chunks of ${size} bytes`);
  }
});
