// A disk that fills up while a run is written: one line saying what ran out
// and where (no stack trace), exit 2, nothing left beside OUT, and the earlier
// run in OUT intact. Uses a small tmpfs, so only as root.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli.js';
import { SAMPLE_TRACE } from '../../src/common/paths.js';
import { capture, fixture, type TestContext } from '../helpers.js';

/** A tmpfs of `size` mounted on a fresh directory, unmounted when `t` ends; null when mounting is not allowed. */
function smallDisk(t: TestContext, size: string): string | null {
  const base = mkdtempSync(join(tmpdir(), 'vmreplay-full-'));
  const mnt = join(base, 'disk');
  mkdirSync(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt], { stdio: 'ignore' });
  } catch {
    rmSync(base, { recursive: true });
    return null;
  }
  t.teardown(() => {
    try {
      execFileSync('umount', [mnt], { stdio: 'ignore' });
    } catch {
      execFileSync('umount', ['-l', mnt]); // a file still open on it: detach now, freed when closed
    }
    rmSync(base, { recursive: true });
  });
  return mnt;
}

const snapshot = (dir: string): Record<string, string> => Object.fromEntries(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n)).toString('base64')]));

// The sample's run is about 1.2 MB beside the first run's 0.6 MB: at 800k the Parquet files do not fit, at 1500k the database does not.
for (const size of ['800k', '1500k']) {
  t.test(`a ${size} disk fills up: what ran out and where, the earlier run intact`, async (t) => {
    const disk = smallDisk(t, size);
    if (!disk) return t.skip('needs root to mount a small tmpfs (mount -t tmpfs)', () => undefined);
    const out = join(disk, 'out');
    const first = await capture(() => main(['replay', fixture('basic.ktr'), '-o', out, '--models', 'old']));
    t.equal(first.code, 0, `a small run fits ${first.stderr}`);
    const before = snapshot(out);
    const r = await capture(() => main(['replay', SAMPLE_TRACE(), '-o', out]));
    t.equal(r.code, 2);
    t.match(
      r.stderr,
      new RegExp(
        `^vmreplay: ${out}: cannot write the run: no space left \\(ENOSPC\\) on the file system holding ${disk}, writing .* in ${disk}/\\.out\\.vmreplay-tmp-\\d+-\\w+; that directory was removed and OUT is as it was\\n$`,
      ),
    );
    t.same(readdirSync(disk), ['out'], 'nothing left beside OUT');
    t.same(snapshot(out), before, 'the earlier run, byte for byte');
  });
}
