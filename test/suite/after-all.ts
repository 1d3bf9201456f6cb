// Run by tap after the suite: fail when tests left vmreplay-* entries in the
// temp folder (see temp-litter.ts). Another test run on the same machine may
// be in the middle of using its own, so an entry must outlive a grace period
// to count as litter.

import { tmpdir } from 'node:os';
import { newSinceSnapshot, removeSnapshot } from './temp-litter.js';

const GRACE_MS = 20_000;

let left = newSinceSnapshot();
const until = Date.now() + GRACE_MS;
while (left.length > 0 && Date.now() < until) {
  await new Promise((r) => setTimeout(r, 500));
  const now = new Set(newSinceSnapshot());
  left = left.filter((n) => now.has(n));
}
removeSnapshot();
if (left.length > 0) {
  process.stderr.write(
    `# the tests left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in ${tmpdir()}: ${left.join(', ')}\n` +
      `# use t.testdir(), or remove what a test makes in t.teardown()\n`,
  );
  process.exitCode = 1;
}
