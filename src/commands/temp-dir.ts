// A scratch directory a command replays into (compare and check given
// traces): removed when the command is done, and on SIGINT or SIGTERM too.

import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onInterrupt } from '../common/interrupt.js';

/** Run `work` with a new directory in the system temp folder named `prefix`..., then remove it, whatever happens. */
export async function withTempDir<T>(prefix: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const unregister = onInterrupt(() => rmSync(dir, { recursive: true, force: true }));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
    unregister();
  }
}
