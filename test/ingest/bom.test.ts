// A UTF-8 byte order mark at the start of a trace is skipped in every text
// framing: sniffing, the first line and a CSV header read as without it.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { content, fixture, readTrace } from '../helpers.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const dir = t.testdir();

for (const name of ['basic.jsonl', 'basic.csv', 'basic.ktr', 'basic.dtrace', 'kit-freebsd.dtrace']) {
  t.test(`${name} with a BOM reads as without it`, async (t) => {
    const plain = await readTrace(fixture(name));
    for (const [label, bytes] of [
      ['plain', Buffer.concat([BOM, readFileSync(fixture(name))])],
      ['gzip', gzipSync(Buffer.concat([BOM, readFileSync(fixture(name))]))],
    ] as const) {
      const path = join(dir, `bom-${label}-${name}`);
      writeFileSync(path, bytes);
      const bom = await readTrace(path);
      const f = bom.ingest.files[0]!;
      t.equal(f.format, plain.ingest.files[0]!.format, `${label}: sniffed the same`);
      t.equal(f.rejected, plain.ingest.files[0]!.rejected, `${label}: line 1 not rejected`);
      t.same(content(bom.rows), content(plain.rows), `${label}: the same rows`);
      t.ok(f.notes.includes('a UTF-8 byte order mark at the start was skipped'), `${label}: noted`);
    }
  });
}
