// report, compare, check and export follow the command-line conventions:
// results to standard output, what they say along the way to standard error
// when standard output is not a terminal, nothing but errors and the data asked
// for under --quiet; and a temporary directory they replay into is removed on
// SIGINT or SIGTERM as it is when they finish.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli.js';
import { capture, fixture } from '../helpers.js';
import { spawnCli, waitFor } from './child.js';

const TRACE = fixture('basic.ktr');

/** What a run of these commands left in the temp folder: its scratch directories. */
const scratch = (tmp: string): string[] => readdirSync(tmp).filter((n) => n.startsWith('vmreplay-'));

/** True once a scratch directory holds the temporary directory of a replay under way (the store claimed its OUT). */
const replaying = (tmp: string): boolean => scratch(tmp).some((d) => readdirSync(join(tmp, d)).some((n) => n.includes('.vmreplay-tmp-')));

for (const [command, signal, code] of [
  ['check', 'SIGINT', 130],
  ['compare', 'SIGTERM', 143],
] as const) {
  t.test(`${command} replaying traces: ${signal} removes its temporary directory`, async (t) => {
    const tmp = t.testdir();
    const args = command === 'check' ? ['check', '-', '--max-hazards', '5'] : ['compare', '-', TRACE];
    // Reading standard input, the replay stays in the middle of its run until the test ends it.
    const child = spawnCli(args, undefined, true, { TMPDIR: tmp, TMP: tmp, TEMP: tmp });
    child.stdin!.write(readFileSync(TRACE).subarray(0, 2048));
    t.ok(await waitFor(() => replaying(tmp)), `${command} replays into a directory in the temp folder`);
    child.kill(signal);
    const r = await child.done;
    t.equal(r.code, code, r.code === code ? `exits ${code} after cleaning up` : r.stderr);
    t.same(scratch(tmp), [], 'nothing left in the temp folder');
  });
}

t.test('compare and check of traces remove their temporary directory when they finish', async (t) => {
  const tmp = t.testdir();
  const check = await spawnCli(['check', TRACE, '--max-hazards', '5'], undefined, false, { TMPDIR: tmp, TMP: tmp, TEMP: tmp }).done;
  t.equal(check.code, 0, check.code === 0 ? 'check exits 0' : check.stderr);
  const compare = await spawnCli(['compare', TRACE, TRACE, '--format', 'json'], undefined, false, { TMPDIR: tmp, TMP: tmp, TEMP: tmp }).done;
  t.equal(compare.code, 0, compare.code === 0 ? 'compare exits 0' : compare.stderr);
  t.same(scratch(tmp), []);
});

t.test('--quiet: errors and the data asked for, nothing else', async (t) => {
  const dir = t.testdir();
  const run = join(dir, 'run');
  const replayed = await capture(() => main(['-q', 'replay', TRACE, '-o', run]));
  t.equal(replayed.code, 0, replayed.stderr);

  const check = await capture(() => main(['-q', 'check', TRACE, '--max-hazards', '5']));
  t.same([check.code, check.stdout, check.stderr], [0, 'OK new: hazards 1 <= 5\n', ''], 'check: the verdict only');

  const compare = await capture(() => main(['--quiet', 'compare', TRACE, run, '--format', 'json']));
  t.equal(compare.code, 0);
  t.equal(compare.stderr, '', 'compare: no replay summary');
  t.same(JSON.parse(compare.stdout).models, ['old', 'new', 'new-fixed'], 'compare: the comparison asked for');

  const written = await capture(() => main(['compare', run, run, '-o', join(dir, 'cmp'), '-q']));
  t.same([written.code, written.stdout, written.stderr], [0, '', ''], 'compare -o: silent');
  t.ok(existsSync(join(dir, 'cmp', 'compare.md')));

  const report = await capture(() => main(['-q', 'report', TRACE, '-o', join(dir, 'report')]));
  t.same([report.code, report.stdout, report.stderr], [0, '', ''], 'report: silent');
  t.ok(existsSync(join(dir, 'report', 'report.md')));

  const exported = await capture(() => main(['-q', 'export', run, '--perfetto', join(dir, 'timeline.json')]));
  t.same([exported.code, exported.stdout, exported.stderr], [0, '', ''], 'export: silent');
  t.ok(existsSync(join(dir, 'timeline.json')));

  const bad = await capture(() => main(['-q', 'check', run]));
  t.equal(bad.code, 2);
  t.match(bad.stderr, /^vmreplay: give at least one threshold/, 'errors still go to stderr');

  for (const command of ['report', 'compare', 'check', 'export']) {
    const help = await capture(() => main(['-q', command, '--help']));
    t.match(help.stdout, `usage: vmreplay ${command}`, `${command} --help: the usage asked for`);
  }
});

t.test('standard output not a terminal: results there, the rest on standard error', async (t) => {
  const dir = t.testdir();
  const isTTY = process.stdout.isTTY;
  process.stdout.isTTY = false;
  t.teardown(() => void (process.stdout.isTTY = isTTY));

  const report = await capture(() => main(['report', TRACE, '-o', dir]));
  t.equal(report.code, 0, report.code === 0 ? 'report exits 0' : report.stderr);
  t.match(report.stdout, /saved vs old/, "report: the replay's summary is a result");
  t.notMatch(report.stdout, /report written/);
  t.match(report.stderr, /report written in .* s: .*report\.md/, 'where the report went: standard error');

  const compare = await capture(() => main(['compare', TRACE, join(dir, 'run')]));
  t.equal(compare.code, 0, compare.code === 0 ? 'compare exits 0' : compare.stderr);
  t.match(compare.stdout, /^# vmreplay compare/, 'compare: the comparison and nothing before it');
  t.match(compare.stderr, /saved vs old/, "the replay's summary: standard error");

  const exported = await capture(() => main(['export', join(dir, 'run'), '--perfetto', join(dir, 't.json')]));
  t.equal(exported.stdout, '');
  t.match(exported.stderr, /^timeline written to /);
});
