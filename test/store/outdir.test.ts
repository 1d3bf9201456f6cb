// Claiming an output directory: whatever fails while a run is given up (the
// temporary directory cannot be removed at once, as when DuckDB still writes
// into it on Ctrl-C), the lock beside OUT is released, and the removal is
// tried again. An immutable file (chattr +i, root only) makes the removal fail.
// An OUT that is a symbolic link is followed, and stays a link.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli.js';
import { besideNames, claimOutDir } from '../../src/store/outdir.js';
import { capture, fixture } from '../helpers.js';

const beside = (dir: string): string[] => readdirSync(dir).filter((n) => n.includes('.vmreplay-'));

function immutable(file: string, on: boolean): boolean {
  try {
    execFileSync('chattr', [on ? '+i' : '-i', file], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const canPin = (() => {
  const dir = t.testdir();
  const probe = join(dir, 'probe');
  writeFileSync(probe, '');
  return immutable(probe, true) && immutable(probe, false);
})();
const skip = canPin ? false : 'needs root and chattr on this file system to make a removal fail';

t.test('a removal that keeps failing still releases the lock', { skip }, async (t) => {
  const dir = t.testdir();
  const out = join(dir, 'out');
  const claim = await claimOutDir(out, ['events']);
  const pinned = join(claim.workDir, 'events.parquet');
  writeFileSync(pinned, 'x');
  immutable(pinned, true);
  t.teardown(() => immutable(pinned, false));
  await t.rejects(claim.abandon(), 'the failure is reported');
  t.notOk(
    beside(dir).some((n) => n.endsWith('.vmreplay-lock')),
    'the lock is released',
  );
  immutable(pinned, false);
  const again = await claimOutDir(out, ['events']); // a later run is not locked out
  await again.abandon();
  t.same(beside(dir), [basename(claim.workDir)], 'only what could not be removed');
  rmSync(claim.workDir, { recursive: true });
});

t.test('a removal that fails at first is tried again; nothing is left', { skip }, async (t) => {
  const dir = t.testdir();
  const claim = await claimOutDir(join(dir, 'out'), ['events']);
  const pinned = join(claim.workDir, 'events.parquet');
  writeFileSync(pinned, 'x');
  immutable(pinned, true);
  spawn('sh', ['-c', `sleep 0.15; chattr -i '${pinned}'`], { stdio: 'ignore' });
  await claim.abandon();
  t.same(beside(dir), [], 'no temporary directory, no lock');
});

t.test('an OUT that is a symbolic link is followed: the run goes where it points, the link stays', async (t) => {
  const dir = t.testdir({ target: {} });
  const target = join(dir, 'target');
  const link = join(dir, 'link');
  symlinkSync(target, link);
  for (const models of ['old', 'old,new']) {
    const r = await capture(() => main(['replay', fixture('basic.ktr'), '-o', link, '--models', models]));
    t.equal(r.code, 0, r.stderr);
    t.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link');
    t.same(JSON.parse(readFileSync(join(target, 'manifest.json'), 'utf8')).models, models.split(','), 'the target holds the new run');
  }
  t.same(beside(dir), []);
  const q = await capture(() => main(['query', link, 'SELECT count(*) AS n FROM models', '--format', 'csv']));
  t.equal(q.stdout, 'n\n2\n', 'queried through the link');

  const dangling = join(dir, 'dangling');
  symlinkSync(join(dir, 'nowhere'), dangling);
  const d = await capture(() => main(['replay', fixture('basic.ktr'), '-o', dangling]));
  t.equal(d.code, 2);
  t.match(d.stderr, /dangling: is a symbolic link to .*nowhere, which does not exist/);
  t.ok(lstatSync(dangling).isSymbolicLink(), 'left as it was');
});

t.test('a long OUT name gets shorter names beside it; a path too long is refused before anything is made', async (t) => {
  const dir = t.testdir();
  for (const name of ['a'.repeat(240), 'é'.repeat(127)]) {
    const out = join(dir, name);
    const r = await capture(() => main(['replay', fixture('basic.ktr'), '-o', out]));
    t.equal(r.code, 0, r.stderr);
    t.ok(readFileSync(join(out, 'manifest.json'), 'utf8').includes('"complete"'), `${Buffer.byteLength(name)} bytes: the run is in place`);
    t.same(beside(dir), [], 'no lock or temporary directory left');
  }
  const twin = join(dir, 'a'.repeat(239) + 'b'); // shares the beginning of the first: its own lock
  t.not(besideNames(twin).lock, besideNames(join(dir, 'a'.repeat(240))).lock);

  const deep = join(dir, 'deep');
  const tooLong = join(deep, ...Array.from({ length: 20 }, () => 'b'.repeat(200)));
  const r = await capture(() => main(['replay', fixture('basic.ktr'), '-o', tooLong]));
  t.equal(r.code, 2);
  t.match(r.stderr, /^vmreplay: .*: is too long a path \(\d+ bytes\).*choose a shorter one\n$/);
  t.notOk(existsSync(deep), 'nothing made');
});

t.test('an OUT that cannot be a run is refused before the replay starts, with the reason', async (t) => {
  const dir = t.testdir({ file: 'text' });
  const under = await capture(() => main(['replay', fixture('basic.ktr'), '-o', join(dir, 'file', 'sub')]));
  t.equal(under.code, 2);
  t.match(under.stderr, `sub: cannot be made: ${join(dir, 'file')} is a file, not a directory`);
  const file = await capture(() => main(['replay', fixture('basic.ktr'), '-o', join(dir, 'file')]));
  t.match(file.stderr, 'file: is a file, not a directory');

  // Not in the test directory: tap removes that before teardowns run, and a mount point cannot be removed.
  const base = mkdtempSync(join(tmpdir(), 'vmreplay-mnt-'));
  const mnt = join(base, 'mnt');
  mkdirSync(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { stdio: 'ignore' });
  } catch {
    rmSync(base, { recursive: true });
    t.skip('a mount point: needs root and mount', () => undefined);
    return;
  }
  t.teardown(() => {
    execFileSync('umount', [mnt]);
    rmSync(base, { recursive: true });
  });
  const r = await capture(() => main(['replay', fixture('basic.ktr'), '-o', mnt]));
  t.equal(r.code, 2);
  t.match(r.stderr, /mnt: is a mount point: .*give a directory inside it/);
  t.notMatch(r.stdout + r.stderr, /events from|written to/, 'refused before the replay');
  t.same(beside(base), []);
  const inside = await capture(() => main(['replay', fixture('basic.ktr'), '-o', join(mnt, 'run')]));
  t.equal(inside.code, 0, `a directory inside it works ${inside.stderr}`);
});
