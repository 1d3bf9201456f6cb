// `vmreplay validate` and the exit codes of the command line.

import { writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli.js';
import { capture, fixture, ROOT } from '../helpers.js';

t.test('validate prints, per file and CPU, the accounting, the window and truncated faults', async (t) => {
  const r = await capture(() => main(['validate', fixture('basic.jsonl')]));
  t.equal(r.code, 0);
  t.match(
    r.stdout,
    /basic\.jsonl: jsonl, 57 lines: 55 events, 0 context, 1 unknown, 0 rejected, 1 framing|basic\.jsonl: jsonl, 57 lines: 56 events, 0 context, 1 unknown, 0 rejected, 0 framing/,
  );
  t.match(r.stdout, /trunc_begin\s+trunc_end/);
  t.match(r.stdout, /1 unknown keys kept in events\.extra/);
});

t.test('bad input: a clear error with file:line and the reason, exit 2 with --strict', async (t) => {
  const dir = t.testdir();
  const bad = join(dir, 'bad.jsonl');
  await writeFile(bad, '{"ts":1,"cpu":0,"event":"fault_begin","pid":1,"va":"0x1","ftype":"R","fflags":4}\n');
  const lenient = await capture(() => main(['validate', bad]));
  t.equal(lenient.code, 1, 'counted, not fatal, by default: exit 1, the trace is not clean');
  t.match(lenient.stdout, /rejected .*bad\.jsonl:1:\s+fault_begin:\s+missing\s+tid/);
  t.match(lenient.stdout, /\n {2}rejected \S*bad\.jsonl:1:/, '"rejected" and file:line stay together');
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
  const run = (input: Buffer) =>
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', cli, 'validate', '-'], { input, encoding: 'utf8', env });
  const plain = run(readFileSync(fixture('basic.dtrace')));
  t.match(plain, /^-: dtrace, 58 lines: 56 events/);
  const gz = run(gzipSync(readFileSync(fixture('basic.ktr'))));
  t.match(gz, /^-: ktr, 65 lines: 56 events, 4 context/);
  t.match(gz, /note: gzip-compressed/);
});

t.test('validate exit codes: 0 clean, 1 lines rejected or events dropped, 2 bad usage', async (t) => {
  const dir = t.testdir();
  const clean = await capture(() => main(['validate', fixture('basic.dtrace')]));
  t.equal(clean.code, 0, 'a clean trace');
  const rejected = join(dir, 'rejected.dtrace');
  await writeFile(rejected, (await readFile(fixture('basic.dtrace'), 'utf8')) + '1000009999 0 fault_begin pid=1\n');
  const r = await capture(() => main(['validate', rejected]));
  t.equal(r.code, 1, 'a rejected line');
  t.match(r.stdout, /1 rejected/);
  const dropped = join(dir, 'dropped.dtrace');
  await writeFile(dropped, (await readFile(fixture('basic.dtrace'), 'utf8')) + 'dtrace: 12 drops on CPU 1\n');
  const d = await capture(() => main(['validate', dropped]));
  t.equal(d.code, 1, 'events the tracer dropped');
  t.match(d.stdout, /0 rejected, \d+ framing, 12 dropped by the tracer/);
  const both = await capture(() => main(['validate', fixture('basic.dtrace'), dropped]));
  t.equal(both.code, 1, 'any file that is not clean');
  const usage = await capture(() => main(['validate', '--bogus', fixture('basic.dtrace')]));
  t.equal(usage.code, 2, 'bad usage');
  t.match(d.stdout, /\n {2}warning: dtrace dropped 12 events .*\n {4}\S/, 'the long warning goes on, indented');
  const long = (r.stdout + d.stdout).split('\n').filter((l) => l.length > 79 && !l.includes(dir) && !/^ +-?\d|^ +cpu|^ +-+/.test(l));
  t.same(long, [], 'notes, warnings and rejected lines wrapped at 80 when stdout is not a terminal');
  const quiet = await capture(() => main(['validate', '--quiet', rejected]));
  t.equal(quiet.code, 1, '--quiet: the exit code says it');
  t.equal(quiet.stdout + quiet.stderr, '', '--quiet: and nothing is printed');
});

t.test('--version, -v and `vmreplay version` print the version', async (t) => {
  const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const argv of [['--version'], ['-v'], ['version']]) {
    const r = await capture(() => main(argv));
    t.equal(r.code, 0, argv.join(' '));
    t.equal(r.stdout, `${version}\n`, argv.join(' '));
  }
  t.equal((await capture(() => main(['version', 'extra']))).code, 2, 'version takes no arguments');
});

t.test('`vmreplay help CMD` and `vmreplay CMD --help` print that command’s help', async (t) => {
  for (const [cmd, usage] of [
    ['replay', /^usage: vmreplay replay TRACE\.\.\. -o OUTDIR/],
    ['query', /^usage: vmreplay query OUTDIR/],
    ['validate', /^usage: vmreplay validate TRACE\.\.\./],
    ['synth', /^usage: vmreplay synth /],
  ] as const) {
    const viaHelp = await capture(() => main(['help', cmd]));
    t.equal(viaHelp.code, 0, `help ${cmd}`);
    t.match(viaHelp.stdout, usage, `help ${cmd}`);
    const viaFlag = await capture(() => main([cmd, '--help']));
    t.equal(viaFlag.stdout, viaHelp.stdout, `${cmd} --help is the same text`);
    const withOthers = await capture(() => main([cmd, '--bogus', '-h']));
    t.equal(withOthers.code, 0, `${cmd} --bogus -h: help wins over a bad option`);
    t.equal(withOthers.stdout, viaHelp.stdout);
  }
  const all = await capture(() => main(['help']));
  t.equal(all.code, 0);
  t.match(all.stdout, /^usage: vmreplay .*<command>/);
  t.match(all.stdout, /\n {2}help {6}/);
  t.match(all.stdout, /\n {2}version {3}/);
  const unknown = await capture(() => main(['help', 'frobnicate']));
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /unknown command 'frobnicate'/);
});

t.test('a trace that holds only the tracer’s failure is not clean: exit 1, naming the message', async (t) => {
  const path = join(t.testdir(), 'failed.dtrace');
  const message = 'dtrace: failed to compile script vmtrace.d: line 12: probe description fbt::vm_fault:entry does not match any probes';
  writeFileSync(path, message + '\n');
  const r = await capture(() => main(['validate', path]));
  t.equal(r.code, 1);
  t.match(r.stdout, `${path}: no events, and the tracer reported that it failed: ${message}`);
});
