// Interrupted and concurrent runs: OUT only ever holds a whole run. A run
// writes into a temporary directory beside OUT and renames it into place;
// Ctrl-C (SIGINT) or SIGTERM removes the temporary directory and leaves OUT as
// it was; of two runs into one OUT, one wins whole and the other fails.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli.js';
import { SAMPLE_TRACE } from '../../src/common/paths.js';
import { newDicts } from '../store/fixtures.js';
import { openStore } from '../../src/store/index.js';
import { capture, ROOT } from '../helpers.js';
import { spawnCli, waitFor } from './child.js';

const SAMPLE = SAMPLE_TRACE();

/** What a run leaves beside OUT: its lock, temporary directory, an earlier run moved aside. */
const beside = (dir: string): string[] => readdirSync(dir).filter((n) => n.includes('.vmreplay-'));
const tempDir = (dir: string): string | undefined => beside(dir).find((n) => n.includes('.vmreplay-tmp-'));

/** Names and bytes of every file in `dir`: equal snapshots, the same run. */
const snapshot = (dir: string): Record<string, string> => Object.fromEntries(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n)).toString('base64')]));

async function replayInProcess(out: string): Promise<void> {
  const r = await capture(() => main(['replay', SAMPLE, '-o', out]));
  if (r.code !== 0) throw new Error(r.stderr);
}

t.test('SIGINT while reading: exit 130, no OUT, nothing left beside it', async (t) => {
  const dir = t.testdir();
  const out = join(dir, 'out');
  // Reading standard input, the run stays in the middle of reading until the test ends it.
  const child = spawnCli(['replay', '-', '-o', out], ROOT, true);
  child.stdin!.write(readFileSync(SAMPLE).subarray(0, 256 << 10));
  t.ok(await waitFor(() => tempDir(dir) !== undefined), 'the run writes into a temporary directory beside OUT');
  t.notOk(existsSync(out), 'OUT does not exist while the run is in progress');
  child.kill('SIGINT');
  const r = await child.done;
  t.equal(r.code, 130, `exits 130 itself, after cleaning up ${r.stderr}`);
  t.equal(r.signal, null, 'not killed by the signal');
  t.notOk(existsSync(out), 'no OUT');
  t.same(beside(dir), [], 'no temporary directory, no lock');
});

t.test('SIGTERM while building the tables: exit 143, the earlier run in OUT intact', async (t) => {
  const dir = t.testdir();
  const out = join(dir, 'out');
  await replayInProcess(out);
  writeFileSync(join(out, 'notes.txt'), 'mine');
  const before = snapshot(out);
  const child = spawnCli(['replay', SAMPLE, '-o', out, '--models', 'old,new']);
  const building = () => {
    const tmp = tempDir(dir);
    return tmp !== undefined && existsSync(join(dir, tmp, 'vmreplay.duckdb'));
  };
  t.ok(await waitFor(building), 'the new run reached the table-building phase');
  child.kill('SIGTERM');
  const r = await child.done;
  t.equal(r.code, 143, `exits 143 itself, after cleaning up ${r.stderr}`);
  t.equal(r.signal, null, 'not killed by the signal');
  t.same(snapshot(out), before, 'OUT holds the earlier run, byte for byte');
  t.same(beside(dir), [], 'no temporary directory, no lock');
});

t.test('a finished run replaces the earlier one whole, keeping files the user put there', async (t) => {
  const dir = t.testdir();
  const out = join(dir, 'out');
  await replayInProcess(out);
  writeFileSync(join(out, 'notes.txt'), 'mine');
  const r = await capture(() => main(['replay', SAMPLE, '-o', out, '--models', 'old']));
  t.equal(r.code, 0, r.stderr);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  t.same(manifest.models, ['old'], 'the new run');
  t.equal(manifest.status, 'complete');
  t.equal(readFileSync(join(out, 'notes.txt'), 'utf8'), 'mine', 'a file the store does not own is kept');
  t.same(beside(dir), []);
});

t.test('two runs into one OUT at once: one wins whole, the other fails with a clear message', async (t) => {
  const dir = t.testdir();
  const out = join(dir, 'out');
  // The first run reads standard input, so it stays in the middle of its run until the test lets it finish.
  const first = spawnCli(['replay', '-', '-o', out, '--models', 'old'], ROOT, true);
  const trace = readFileSync(SAMPLE);
  first.stdin!.write(trace.subarray(0, 64 << 10));
  t.ok(await waitFor(() => existsSync(join(dir, '.out.vmreplay-lock')) && tempDir(dir) !== undefined), 'the first run holds OUT');
  const second = await spawnCli(['replay', SAMPLE, '-o', out, '--models', 'new']).done;
  t.equal(second.code, 2, 'the second fails');
  t.match(second.stderr, /^vmreplay: .*out: another vmreplay run \(pid \d+\) is writing it .*; wait for it to finish or choose another directory\n$/);
  t.equal(second.stdout, '');
  t.notOk(existsSync(out), 'and leaves nothing in OUT');
  first.stdin!.end(trace.subarray(64 << 10));
  const winner = await first.done;
  t.equal(winner.code, 0, winner.stderr);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  t.same(manifest.models, ['old'], 'OUT is the first run’s, whole');
  t.equal(manifest.status, 'complete');
  t.same(beside(dir), [], 'no lock or temporary directory left');
});

t.test('two runs started together: exactly one wins', async (t) => {
  const dir = t.testdir();
  const out = join(dir, 'out');
  const [a, b] = await Promise.all(
    [spawnCli(['replay', SAMPLE, '-o', out, '--models', 'old']), spawnCli(['replay', SAMPLE, '-o', out, '--models', 'new'])].map((c) => c.done),
  );
  const won = [a!, b!].filter((r) => r.code === 0);
  const lost = [a!, b!].filter((r) => r.code === 2);
  // Started together they overlap, unless one child starts so late that the other is done (then both succeed, in turn).
  t.equal(won.length + lost.length, 2, `each run exits 0 or 2 (${a!.stderr}${b!.stderr})`);
  for (const r of lost) t.match(r.stderr, /another vmreplay run \(pid \d+\) is writing it/);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  t.equal(manifest.status, 'complete');
  t.equal(manifest.models.length, 1, 'one run’s tables, not a mix');
  t.same(beside(dir), []);
});

t.test('the lock, in process: a second store on the same OUT is refused until the first is done', async (t) => {
  const out = join(t.testdir(), 'out');
  const first = await openStore(out, newDicts());
  await t.rejects(openStore(out, newDicts()), { name: 'InputError', message: /another vmreplay run \(pid \d+\) is writing it/ });
  await first.close({ inputs: [], models: ['old'], knobs: {} });
  const third = await openStore(out, newDicts());
  await third.abort();
  t.ok(existsSync(join(out, 'manifest.json')), 'an aborted run leaves the earlier one');
  t.equal(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).status, 'complete');
});

t.test('a lock and a temporary directory left by a run killed outright do not block the next run', async (t) => {
  const dir = t.testdir();
  const out = join(dir, 'out');
  const dead = spawnCli(['--version']);
  t.match((await dead.done).stdout, /^\d+\.\d+\.\d+\n$/, 'the child ran vmreplay --version');
  mkdirSync(join(dir, '.out.vmreplay-lock'));
  writeFileSync(join(dir, '.out.vmreplay-lock', 'pid'), `${dead.pid}\n`);
  mkdirSync(join(dir, `.out.vmreplay-tmp-${dead.pid}-abc123`));
  const store = await openStore(out, newDicts());
  await store.close({ inputs: [], models: ['old'], knobs: {} });
  t.ok(existsSync(join(out, 'manifest.json')));
  t.same(beside(dir), [], 'the stale lock and temporary directory are gone');
});

t.test('a directory that is not a vmreplay output is still refused, untouched', async (t) => {
  const dir = t.testdir({ 'notes.txt': 'mine' });
  const r = await capture(() => main(['replay', SAMPLE, '-o', dir]));
  t.equal(r.code, 2);
  t.match(r.stderr, /holds files that are not a vmreplay output/);
  t.same(readdirSync(dir), ['notes.txt']);
});

t.test('OUT cannot be the current directory: the finished run is renamed into place', async (t) => {
  const dir = t.testdir({ out: {} });
  const cwd = process.cwd();
  process.chdir(join(dir, 'out'));
  t.teardown(() => process.chdir(cwd));
  const r = await capture(() => main(['replay', SAMPLE, '-o', '.']));
  t.equal(r.code, 2);
  t.match(r.stderr, /^vmreplay: \.: is the current directory or holds it; give a directory beside or below it\n$/);
});

t.test('a signal after the run is in place: exit 0 and a note that the run was complete', async (t) => {
  let caught = 0;
  for (let attempt = 0; attempt < 6 && caught < 1; attempt++) {
    const dir = t.testdir();
    const out = join(dir, 'out');
    const child = spawnCli(['replay', SAMPLE, '-o', out]);
    let exited = false;
    void child.done.then(() => (exited = true));
    // Poll without timers: the window between the rename into place and the exit is short.
    while (!exited && !existsSync(join(out, 'manifest.json'))) await new Promise((r) => setImmediate(r));
    if (!exited) child.kill('SIGINT');
    const r = await child.done;
    t.equal(r.code, 0, `OUT was complete: exit 0 ${r.stderr}`);
    t.equal(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).status, 'complete');
    t.same(beside(dir), [], 'nothing left beside OUT');
    if (r.stderr.includes('interrupted after the run was complete')) {
      caught++;
      t.match(r.stderr, /vmreplay: interrupted after the run was complete: .*out holds the new run, whole\n/);
    }
  }
  t.ok(caught > 0, 'a signal arrived after the commit at least once');
});

/** The pids of `parent`'s children that replay a trace (not tsx's esbuild service). */
function replayChildrenOf(parent: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(parent)], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => / replay /.test(l))
      .map((l) => Number(l.trim().split(/\s+/)[0]))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  t.test(`replay --dataset, ${signal} to the parent alone: the children stop first, nothing is left`, async (t) => {
    const dir = t.testdir({ traces: {} });
    for (let i = 0; i < 4; i++) copyFileSync(SAMPLE, join(dir, 'traces', `t${i}.ktr.gz`));
    const out = join(dir, 'out');
    const parent = spawnCli(['replay', '--dataset', join(dir, 'traces'), '-o', out]);
    const partitions = () => {
      const tmp = tempDir(dir);
      return tmp !== undefined && readdirSync(join(dir, tmp)).some((n) => n.startsWith('trace='));
    };
    t.ok(await waitFor(partitions), 'the children are replaying');
    const kids = replayChildrenOf(parent.pid!);
    t.ok(kids.length > 0, 'children found');
    parent.kill(signal); // the parent only, as kill(1), a CI timeout or systemd do
    const r = await parent.done;
    t.equal(r.code, signal === 'SIGINT' ? 130 : 143, r.stderr);
    t.same(kids.filter(alive), [], 'no child outlives the parent');
    t.same(beside(dir), [], 'no temporary directory, no lock');
    t.notOk(existsSync(out));
  });
}
