// `vmreplay validate` and the exit codes of the command line.

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli.js';
import { capture, fixture, ROOT } from '../helpers.js';

t.test('validate prints, per file and CPU, the accounting, the window and truncated faults', async (t) => {
  const r = await capture(() => main(['validate', fixture('basic.jsonl')]));
  t.equal(r.code, 0);
  t.match(r.stdout, /basic\.jsonl: jsonl, 57 lines: 55 events, 0 context, 1 unknown, 0 rejected, 1 framing|basic\.jsonl: jsonl, 57 lines: 56 events, 0 context, 1 unknown, 0 rejected, 0 framing/);
  t.match(r.stdout, /trunc_begin\s+trunc_end/);
  t.match(r.stdout, /1 unknown keys kept in events\.extra/);
});

t.test('bad input: a clear error with file:line and the reason, exit 2 with --strict', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vmreplay-cli-'));
  const bad = join(dir, 'bad.jsonl');
  await writeFile(bad, '{"ts":1,"cpu":0,"event":"fault_begin","pid":1,"va":"0x1","ftype":"R","fflags":4}\n');
  const lenient = await capture(() => main(['validate', bad]));
  t.equal(lenient.code, 0, 'counted, not fatal, by default');
  t.match(lenient.stdout, /rejected .*bad\.jsonl:1: fault_begin: missing tid/);
  const strict = await capture(() => main(['validate', '--strict', bad]));
  t.equal(strict.code, 2);
  t.match(strict.stderr, /^vmreplay: .*bad\.jsonl:1: fault_begin: missing tid\n$/);
  const missing = await capture(() => main(['validate', join(dir, 'nope.ktr')]));
  t.equal(missing.code, 2);
  t.match(missing.stderr, /nope\.ktr: cannot read: ENOENT/);
});

t.test('usage errors exit 2 with the usage, never a stack trace', async (t) => {
  for (const argv of [['frobnicate'], ['validate'], ['validate', '--format', 'xml', 'x'], ['replay', fixture('basic.jsonl')], ['replay', '--bogus']]) {
    const r = await capture(() => main(argv));
    t.equal(r.code, 2, argv.join(' '));
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const help = await capture(() => main(['--help']));
  t.equal(help.code, 0);
  t.match(help.stdout, /replay/);
});

t.test('- reads standard input, compressed or not', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const { gzipSync } = await import('node:zlib');
  const cli = `const { main } = await import(${JSON.stringify(join(ROOT, 'src', 'cli.ts'))}); process.exitCode = await main(process.argv.slice(1));`;
  // Without tap's NODE_OPTIONS: the child's coverage (transformed without
  // source text) would blur the report's, not add to it.
  const env = { ...process.env, NODE_OPTIONS: '' };
  const run = (input: Buffer) => execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', cli, 'validate', '-'], { input, encoding: 'utf8', env });
  const plain = run(readFileSync(fixture('basic.dtrace')));
  t.match(plain, /^-: dtrace, 58 lines: 56 events/);
  const gz = run(gzipSync(readFileSync(fixture('basic.ktr'))));
  t.match(gz, /^-: ktr, 65 lines: 56 events, 4 context/);
  t.match(gz, /note: gzip-compressed/);
});
