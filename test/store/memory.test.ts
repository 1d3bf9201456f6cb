// The store keeps nothing of a batch once write() returns: batches written
// earlier are garbage-collectable, the heap does not grow with the number of
// batches, and a long table's staging is split over several files, each
// converted and joined to the table while the run goes on, so few are on disk
// at any time.

import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import t from 'tap';
import { ACQUISITIONS, FAULTS } from '../../src/replay/tables.js';
import { openStore, type Store } from '../../src/store/index.js';
import { ROW_GROUPS_PER_FILE } from '../../src/store/staging.js';
import { MAX_QUEUED } from '../../src/store/convert.js';
import { DuckDBInstance } from '@duckdb/node-api';
import { literal } from '../../src/store/sql.js';
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
  const BATCHES = 12 * ROW_GROUPS_PER_FILE + 10;
  const refs: WeakRef<object>[] = [];
  let heapAfterFirst = 0;
  let mostStagingFiles = 0;
  for (let b = 0; b < BATCHES; b++) {
    for (const spec of [ACQUISITIONS, FAULTS]) refs.push(writeOne(store, spec, fillBatch(spec, dicts, b, ROWS)));
    await store.flush();
    if (b === 19) {
      await collect();
      heapAfterFirst = process.memoryUsage().heapUsed;
    }
    const staged = readdirSync(join(workDir(out), '.vmreplay-staging')).filter((f) => f.startsWith('acquisitions.')).length;
    mostStagingFiles = Math.max(mostStagingFiles, staged);
  }
  await collect();
  const heapAfterAll = process.memoryUsage().heapUsed;
  const kept = refs.map((r, i) => (r.deref() !== undefined ? i : -1)).filter((i) => i >= 0);
  t.same(kept, [], 'every written batch was collected');
  // 170 more pairs of batches of ~100 KB each were written: keeping them would add ~35 MB.
  t.ok(heapAfterAll - heapAfterFirst < 8e6, `heap grew by ${((heapAfterAll - heapAfterFirst) / 1e6).toFixed(1)} MB`);
  // Both tables' files share the queue; the open file and one being converted come on top.
  t.ok(mostStagingFiles <= MAX_QUEUED + 2, `at most ${mostStagingFiles} staging files of a table on disk at once`);

  const summary = await store.close({ inputs: [], models: ['old'], knobs: {} });
  t.equal(summary.rows.acquisitions, BATCHES * ROWS);
  t.equal(summary.rows.faults, BATCHES * ROWS);
  // A staging file of ROW_GROUPS_PER_FILE batches of 1024 rows becomes one part of one row group.
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  const groups = await duck.runAndReadAll(`SELECT count(DISTINCT row_group_id) FROM parquet_metadata(${literal(join(out, 'acquisitions.parquet'))})`);
  t.equal(Number(groups.getRows()[0]![0]), 13, 'staging split into files of ROW_GROUPS_PER_FILE row groups, each a part of the table');
  duck.closeSync();
});
