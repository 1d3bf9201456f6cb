// Claiming an output directory: whatever fails while a run is given up (the
// temporary directory cannot be removed at once, as when DuckDB still writes
// into it on Ctrl-C), the lock beside OUT is released, and the removal is
// tried again. An immutable file (chattr +i, root only) makes the removal fail.

import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import t from 'tap';
import { claimOutDir } from '../../src/store/outdir.js';

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
  t.notOk(beside(dir).some((n) => n.endsWith('.vmreplay-lock')), 'the lock is released');
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
