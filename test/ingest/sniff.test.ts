// Telling the framing of a trace whose first lines are damaged: the sniffers
// read most of the first lines, so three bad lines among the first ten are
// rejected as lines, not the whole file; a file no framing reads is named with
// what was found.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli.js';
import { capture, fixture, readTrace } from '../helpers.js';

const dir = t.testdir();
const DAMAGED = ['%% garbage line', '{"ts": truncated', 'another bad one'];

for (const name of ['basic.jsonl', 'basic.dtrace', 'basic.ktr']) {
  t.test(`${name}: 3 damaged lines among the first 10`, async (t) => {
    const lines = readFileSync(fixture(name), 'utf8').split('\n');
    const at = name.endsWith('.ktr') ? 1 : 0; // after ktrdump's clock line
    const damaged = [...lines.slice(0, at), DAMAGED[0]!, lines[at]!, DAMAGED[1]!, lines[at + 1]!, DAMAGED[2]!, ...lines.slice(at + 2)];
    const path = join(dir, `damaged-${name}`);
    writeFileSync(path, damaged.join('\n'));
    const plain = await readTrace(fixture(name));
    const r = await readTrace(path);
    const f = r.ingest.files[0]!;
    t.equal(f.format, plain.ingest.files[0]!.format, 'sniffed as without the damage');
    t.equal(f.rejected, plain.ingest.files[0]!.rejected + 3, 'the damaged lines are rejected');
    t.equal(f.events, plain.ingest.files[0]!.events, 'every event read');
  });
}

t.test('a file no framing reads: what was found, not line 1 alone', async (t) => {
  const path = join(dir, 'notes.txt');
  writeFileSync(path, 'just some notes\nabout nothing\n');
  const r = await capture(() => main(['validate', path]));
  t.equal(r.code, 2);
  t.match(r.stderr, `vmreplay: ${path}: cannot tell the trace format: none of ktr, dtrace`);
  t.match(r.stderr, /its first 2 non-blank lines \(the first is 'just some notes'\); give --format/);
});
