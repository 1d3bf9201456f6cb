// The names of objects and processes are views of their own (object_names,
// process_names), made before the analysis views that join them, and the
// same in a dataset (per trace).

import { join } from 'node:path';
import t from 'tap';
import { openRun, replay } from '../../src/api/index.js';
import { fixture } from '../helpers.js';

t.test('object_names and process_names: one row per named object and per process, joined by the analysis views', async (t) => {
  const out = join(t.testdir(), 'run');
  await replay(fixture('basic.jsonl'), { out });
  const run = await openRun(out);
  t.teardown(() => run.close());
  t.same(await run.rows(`SELECT obj_hex, name FROM (SELECT hex64(obj) AS obj_hex, name FROM object_names) ORDER BY obj_hex`), [
    { obj_hex: '0xfffff80010a3c000', name: '/bin/sh' },
    { obj_hex: '0xfffff80010b71000', name: '/lib/libc.so.7' },
  ]);
  const processes = await run.rows(`SELECT pid, comm, path FROM process_names ORDER BY pid`);
  t.ok(processes.length > 0);
  t.same(
    processes.find((p) => p.pid === 100),
    { pid: 100, comm: 'sh', path: '/bin/sh' },
  );
  t.same(
    await run.rows(`SELECT count(*) AS n FROM saved_by_object s LEFT JOIN object_names n USING (obj) WHERE s.name IS DISTINCT FROM n.name`),
    [{ n: 0 }],
    'saved_by_object names objects as object_names does',
  );
  t.same(
    await run.rows(
      `SELECT count(*) AS n FROM saved_by_process s LEFT JOIN process_names p USING (pid) WHERE s.comm IS DISTINCT FROM p.comm OR s.path IS DISTINCT FROM p.path`,
    ),
    [{ n: 0 }],
    'saved_by_process names processes as process_names does',
  );
  const views = await run.rows(
    `SELECT view_name, sql FROM duckdb_views() WHERE NOT internal AND view_name IN ('saved_by_object', 'saved_by_process', 'contention_by_object')`,
  );
  t.equal(views.length, 3);
  for (const v of views) t.notMatch(String(v.sql), /max\(name\)|arg_max\(comm/, `${String(v.view_name)} reads the names from the name views`);
});
