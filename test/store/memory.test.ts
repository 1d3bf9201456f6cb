// The store keeps nothing of a batch once write() returns: batches written
// earlier are garbage-collectable, the heap does not grow with the number of
// batches, and flush() holds the writer back while too many row groups wait
// for compression and the disk.

import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import t from 'tap';
import { ACQUISITIONS, FAULTS } from '../../src/replay/tables.js';
import { openStore, type Store } from '../../src/store/index.js';
import { MAX_PENDING } from '../../src/store/store.js';
import { ROW_GROUP_ROWS } from '../../src/store/table-file.js';
import { DuckDBInstance } from '@duckdb/node-api';
import { literal } from '../../src/store/sql.js';
import { type AnyBatch, type AnySpec, fillBatch, newDicts, tempDir } from './fixtures.js';

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
  const ROWS = 8192;
  const BATCHES = Math.ceil((12.5 * ROW_GROUP_ROWS) / ROWS); // 188: 12 full row groups and a half
  const refs: WeakRef<object>[] = [];
  let heapAfterFirst = 0;
  let mostPending = 0;
  // row groups waiting for compression hold their pages until written: measure without them
  const drained = async () => {
    while (pending() > 0) await new Promise((r) => setTimeout(r, 5));
  };
  const pending = () =>
    [...(store as unknown as { tables: Map<string, { file: { pending: number } }> }).tables.values()].reduce((n, t) => n + t.file.pending, 0);
  for (let b = 0; b < BATCHES; b++) {
    for (const spec of [ACQUISITIONS, FAULTS]) refs.push(writeOne(store, spec, fillBatch(spec, dicts, b, ROWS)));
    await store.flush();
    if (b === 19) {
      await drained();
      await collect();
      heapAfterFirst = process.memoryUsage().heapUsed;
    }
    mostPending = Math.max(mostPending, pending());
  }
  await drained();
  await collect();
  const heapAfterAll = process.memoryUsage().heapUsed;
  const kept = refs.map((r, i) => (r.deref() !== undefined ? i : -1)).filter((i) => i >= 0);
  t.same(kept, [], 'every written batch was collected');
  // 168 more pairs of batches of ~800 KB each were written: keeping them would add ~270 MB. What
  // does grow is live state: the fixture interns about 12,000 new strings (and their UTF-8) on the way.
  t.ok(heapAfterAll - heapAfterFirst < 16e6, `heap grew by ${((heapAfterAll - heapAfterFirst) / 1e6).toFixed(1)} MB`);
  // flush() returns once at most MAX_PENDING row groups of all tables wait
  t.ok(mostPending <= MAX_PENDING, `at most ${mostPending} row groups waiting after flush()`);

  const summary = await store.close({ inputs: [], models: ['old'], knobs: {} });
  t.equal(summary.rows.acquisitions, BATCHES * ROWS);
  t.equal(summary.rows.faults, BATCHES * ROWS);
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  const groups = await duck.runAndReadAll(`SELECT count(DISTINCT row_group_id) FROM parquet_metadata(${literal(join(out, 'acquisitions.parquet'))})`);
  t.equal(Number(groups.getRows()[0]![0]), 13, 'row groups of ROW_GROUP_ROWS rows');
  duck.closeSync();
});
