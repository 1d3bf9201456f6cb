// Line endings: LF, CRLF, and CR alone (old Mac) all read as the same lines,
// in every text framing; a CR-only file is noted, never "1 line, 0 events".

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli.js';
import { capture, content, fixture, readTrace } from '../helpers.js';

const dir = t.testdir();

for (const name of ['basic.csv', 'basic.jsonl', 'basic.ktr', 'basic.dtrace']) {
  t.test(`${name}: CRLF and CR-only line endings read as LF`, async (t) => {
    const lf = readFileSync(fixture(name), 'utf8');
    const plain = await readTrace(fixture(name));
    for (const [label, eol] of [
      ['crlf', '\r\n'],
      ['cr', '\r'],
    ] as const) {
      const path = join(dir, `${label}-${name}`);
      writeFileSync(path, lf.replaceAll('\n', eol));
      const r = await readTrace(path);
      const f = r.ingest.files[0]!;
      t.equal(f.lines, plain.ingest.files[0]!.lines, `${label}: the same line count`);
      t.same(content(r.rows), content(plain.rows), `${label}: the same rows`);
      t.equal(
        f.notes.some((n) => n.includes('carriage return alone')),
        label === 'cr',
        `${label}: noted only when CR alone`,
      );
    }
  });
}

t.test('validate on a CR-only CSV counts its events and exits as for LF', async (t) => {
  const path = join(dir, 'mac.csv');
  writeFileSync(path, readFileSync(fixture('basic.csv'), 'utf8').replaceAll('\n', '\r'));
  const r = await capture(() => main(['validate', path]));
  const lf = await capture(() => main(['validate', fixture('basic.csv')]));
  t.equal(r.code, lf.code);
  t.match(r.stdout, /csv, \d+ lines: [1-9]\d* events/);
  t.notMatch(r.stdout, /1 lines: 0 events/);
});
