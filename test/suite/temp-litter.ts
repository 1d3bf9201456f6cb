// Tests must leave nothing in the system temp folder. tap runs
// test/suite/before-all.ts before the whole suite and test/suite/after-all.ts
// after it (the `before` and `after` entries of package.json's tap config);
// the first notes which vmreplay-* entries the temp folder holds, the second
// fails the run if new ones are still there. Test files run in parallel, so
// only the suite as a whole can tell.

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';

// Keyed by the tap runner (the parent of both scripts): runs by others at the same time keep their own.
const SNAPSHOT = join(ROOT, '.tap', `temp-before-suite-${process.ppid}.json`);

export function vmreplayTempEntries(): string[] {
  return readdirSync(tmpdir()).filter((n) => n.startsWith('vmreplay-'));
}

export function saveSnapshot(): void {
  mkdirSync(join(ROOT, '.tap'), { recursive: true });
  writeFileSync(SNAPSHOT, JSON.stringify(vmreplayTempEntries()));
}

/** Entries made since the snapshot that are still there (all of them when there is no snapshot). */
export function newSinceSnapshot(): string[] {
  let before: string[] = [];
  try {
    before = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as string[];
  } catch {
    // no snapshot: the before script did not run; count everything
  }
  const old = new Set(before);
  return vmreplayTempEntries().filter((n) => !old.has(n));
}

export function removeSnapshot(): void {
  rmSync(SNAPSHOT, { force: true });
}
