// NULL means no value. Over real runs of several framings, every column of
// every table is NULL exactly where docs/tables.md says it may be (the doc's
// NULL column is generated from the same rules), in the Parquet files and in
// the Arrow streams alike: never a 0 or an empty string standing in for
// "not given", never a NULL where a value is due.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import t from 'tap';
import { main } from '../../src/cli.js';
import { nullRuleOf } from '../../src/store/doc-tables.js';
import { ident, literal } from '../../src/store/sql.js';
import { STANDARD_TABLES } from '../../src/store/store.js';
import { capture, fixture, readTrace, ROOT } from '../helpers.js';

const INPUTS = [
  join(ROOT, 'traces', 'sample', 'forkexec.ktr.gz'), // generated DragonFly trace: every event kind, obj_name, collapses
  fixture('basic.jsonl'), // hand-written: obj_lock, truncated faults, optional keys left out
  fixture('basic.csv'),
  fixture('kit-freebsd.dtrace'),
  join(ROOT, 'traces', 'real', 'linux-forkexec-callgraph.default.perf.txt.gz'), // a real capture: inferred keys, no otype on some objects
  join(ROOT, 'traces', 'real', 'linux-coldfile.perf.txt.gz'), // a real capture with side-band records: Linux faults with their VMA
];

/** Per table.column, over all runs: rows where it must be NULL, rows outside those that have a value, NULLs. */
const exercised = new Map<string, { nullRows: number; valueRows: number; nulls: number }>();

t.test('every column is NULL exactly where docs/tables.md says, in Parquet and Arrow', async (t) => {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  t.teardown(() => con.closeSync());
  for (const input of INPUTS) {
    const name = input.split('/').pop()!;
    const out = join(t.testdir(), name.replaceAll('.', '-'));
    const run = await capture(() => main(['replay', input, '-o', out, '--arrow']));
    t.equal(run.code, 0, `${name}: ${run.stderr}`);
    for (const spec of STANDARD_TABLES) {
      const parts: string[] = [];
      for (const c of spec.columns) {
        const rule = nullRuleOf(spec, c);
        const col = ident(c.name);
        const always = rule?.always ?? 'false';
        const may = rule?.may ?? 'false';
        parts.push(
          `count(*) FILTER (WHERE (${always}) AND ${col} IS NOT NULL)`, // a value where there is none to give
          `count(*) FILTER (WHERE NOT (${always}) AND NOT (${may}) AND ${col} IS NULL)`, // NULL where a value is due
          `count(*) FILTER (WHERE (${always}))`,
          `count(*) FILTER (WHERE NOT (${always}) AND ${col} IS NOT NULL)`,
          `count(*) - count(${col})`,
        );
      }
      const source = `read_parquet(${literal(join(out, `${spec.name}.parquet`))})`;
      const row = (await con.runAndReadAll(`SELECT ${parts.join(', ')} FROM ${source}`)).getRows()[0]!.map(Number);
      const arrow = tableFromIPC(readFileSync(join(out, `${spec.name}.arrow`)));
      spec.columns.forEach((c, i) => {
        const [valueWhereNull, nullWhereValue, nullRows, valueRows, nulls] = row.slice(5 * i, 5 * i + 5) as [number, number, number, number, number];
        const where = `${name}: ${spec.name}.${c.name}`;
        if (valueWhereNull) t.fail(`${where}: ${valueWhereNull} rows with a value where the doc says NULL (${nullRuleOf(spec, c)!.doc})`);
        if (nullWhereValue) t.fail(`${where}: ${nullWhereValue} NULL rows where the doc says never`);
        t.equal(arrow.getChild(c.name)!.nullCount, nulls, `${where}: the Arrow stream has the same nulls as the Parquet file`);
        const seen = exercised.get(`${spec.name}.${c.name}`) ?? { nullRows: 0, valueRows: 0, nulls: 0 };
        exercised.set(`${spec.name}.${c.name}`, { nullRows: seen.nullRows + nullRows, valueRows: seen.valueRows + valueRows, nulls: seen.nulls + nulls });
      });
    }
  }
});

t.test('the runs above are not vacuous: each rule was met on both sides', async (t) => {
  // Rows where the column must be NULL, and rows with a value, for every column with an `always` rule.
  for (const spec of STANDARD_TABLES) {
    for (const c of spec.columns) {
      const key = `${spec.name}.${c.name}`;
      const seen = exercised.get(key)!;
      const rule = nullRuleOf(spec, c);
      if (spec.name === 'agreement') continue; // no trace above carries the captured kernel's obj_lock with faults to match
      if (rule?.always) t.ok(seen.nullRows > 0 && seen.valueRows > 0, `${key}: rows on both sides of "${rule.doc}"`);
      else t.ok(seen.valueRows > 0, `${key}: rows with a value`);
    }
  }
  // The columns of the bug report: NULL, not 0, where there is no fault_begin.
  for (const key of ['events.va', 'events.ftype', 'events.fflags']) t.ok(exercised.get(key)!.nulls > 0, `${key} has NULLs`);
});

t.test('the null markers are not values: a trace that writes one is refused with the reason', async (t) => {
  const dir = t.testdir({
    'markers.jsonl':
      [
        '{"ts":1,"cpu":0,"event":"fault_begin","tid":1,"pid":1,"va":"0xffffffffffffffff","ftype":"R","fflags":4}',
        '{"ts":2,"cpu":0,"event":"fault_begin","tid":2,"pid":1,"va":"0x1000","ftype":"R","fflags":4294967295}',
        '{"ts":3,"cpu":0,"event":"fault_begin","tid":3,"pid":1,"va":"0xfffffffffffff000","ftype":"R","fflags":4294967294}',
      ].join('\n') + '\n',
  });
  const { rows, ingest } = await readTrace(join(dir, 'markers.jsonl'));
  t.same(
    rows.map((r) => [r.tid, r.va, r.fflags]),
    [[3, '0xfffffffffffff000', 4294967294]],
    'the largest values short of the markers are kept exactly',
  );
  const file = ingest.files[0]!;
  t.equal(file.rejected, 2);
  t.same(
    file.rejects.map((r) => [r.line, r.reason]),
    [
      [1, "bad va value '0xffffffffffffffff'"],
      [2, "bad fflags value '4294967295'"],
    ],
  );
});
