// The store keeps nothing of a batch once write() returns: batches written
// earlier are garbage-collectable, the heap does not grow with the number of
// batches, and a long table's staging is split over several files.

import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import t from 'tap';
import { ACQUISITIONS, FAULTS } from '../../src/replay/tables.js';
import { openStore, type Store } from '../../src/store/index.js';
import { ROW_GROUPS_PER_FILE } from '../../src/store/staging.js';
import { type AnyBatch, type AnySpec, fillBatch, newDicts, tempDir } from './fixtures.js';

/** The temporary directory beside `out` that a run writes into until it is complete. */
const workDir = (out: string): string => join(dirname(out), readdirSync(dirname(out)).find((n) => n.startsWith(`.${basename(out)}.vmreplay-tmp-`))!);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Write a batch and return a weak reference to it (a helper, so no async frame holds the batch). */
function writeOne(store: Store, spec: AnySpec, batch: AnyBatch): WeakRef<object> {
  store.write(spec, batch);
  return new WeakRef(batch);
}

async function collect(): Promise<void> {
  // WeakRefs are kept alive until the current job ends: let it end first.
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

t.test('written batches are not kept, and memory stays flat', async (t) => {
  const out = join(await tempDir(t), 'out');
  const dicts = newDicts();
  const store = await openStore(out, dicts);
  const ROWS = 1024;
  const BATCHES = 3 * ROW_GROUPS_PER_FILE + 10;
  const refs: WeakRef<object>[] = [];
  let heapAfterFirst = 0;
  let stagingFiles = 0;
  for (let b = 0; b < BATCHES; b++) {
    for (const spec of [ACQUISITIONS, FAULTS]) refs.push(writeOne(store, spec, fillBatch(spec, dicts, b, ROWS)));
    await store.flush();
    if (b === 19) {
      await collect();
      heapAfterFirst = process.memoryUsage().heapUsed;
    }
    if (b === BATCHES - 1) stagingFiles = readdirSync(join(workDir(out), '.vmreplay-staging')).filter((f) => f.startsWith('acquisitions.')).length;
  }
  await collect();
  const heapAfterAll = process.memoryUsage().heapUsed;
  const kept = refs.map((r, i) => (r.deref() !== undefined ? i : -1)).filter((i) => i >= 0);
  t.same(kept, [], 'every written batch was collected');
  // 190 more batches of ~200 KB each were written: keeping them would add ~40 MB.
  t.ok(heapAfterAll - heapAfterFirst < 8e6, `heap grew by ${((heapAfterAll - heapAfterFirst) / 1e6).toFixed(1)} MB`);
  t.equal(stagingFiles, 4, 'staging split into files of at most ROW_GROUPS_PER_FILE row groups');

  const summary = await store.close({ inputs: [], models: ['old'], knobs: {} });
  t.equal(summary.rows.acquisitions, BATCHES * ROWS);
  t.equal(summary.rows.faults, BATCHES * ROWS);
});
