// The replay engine over whole traces: fault assembly, merged back-downs,
// truncated faults, the registry below the recorded levels, contention, and
// agreement with the captured kernel's own lock events.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { rowsOf, type Row } from '../../src/columns/rows.js';
import { MODELS } from '../../src/models/index.js';
import { MemoryOutput } from './memory-output.js';
import { replayTraces } from '../../src/replay/run.js';
import { formatSummary } from '../../src/report/summary.js';
import { fixture } from '../helpers.js';
import { Dictionaries } from '../../src/columns/dictionaries.js';
import { resolveReplayOptions } from '../../src/replay/options.js';

async function replayFile(path: string, sharedFault = true) {
  const out = new MemoryOutput();
  const dicts = new Dictionaries();
  const run = await replayTraces([path], resolveReplayOptions({ models: MODELS, sharedFault }), out, dicts);
  const table = (name: string): Row[] => out.batches(name).flatMap((b) => rowsOf(b, dicts));
  const tally = (model: string) => run.models.find((x) => x.model === model)!;
  return { run, out, table, tally };
}

const traceDir = t.testdir();
let traces = 0;
async function tmpTrace(lines: string[]): Promise<string> {
  const path = join(traceDir, `trace-${traces++}.jsonl`);
  await writeFile(path, lines.join('\n') + '\n');
  return path;
}

t.test('the basic fixture: counts per model, as worked out by hand from the spec', async (t) => {
  const { run, table, tally } = await replayFile(fixture('basic.jsonl'));
  t.equal(run.faultsReplayed, 8);
  t.equal(run.faultsTruncated, 2, 'a fault_end without begin and a fault_begin without end');
  t.equal(run.siteOps, 14);
  // old: 31 X tokens (8 fault-path slow paths, prefaults, map_split/shadow/collapse/deallocate X ...)
  t.same([tally('old').xTokens, tally('new').xTokens, tally('new-fixed').xTokens], [31, 13, 15]);
  t.same([tally('old').backdownTotal, tally('new').backdownTotal, tally('new-fixed').backdownTotal], [0, 2, 1]);
  t.same([tally('old').hazards, tally('new').hazards, tally('new-fixed').hazards], [0, 1, 0]);
  const faults = table('faults');
  t.equal(faults.length, 8 * 3, 'one row per fault per model');
  const merged = faults.find((f) => f.model === 'old' && f.recorded_attempts === 2 && f.restarts === 0)!;
  t.equal(merged.attempts, 1, "the captured kernel's back-down is merged: old replays it as one attempt");
  const hazard = table('hazards');
  t.same(
    hazard.map((h) => [h.model, h.kind, h.site]),
    [['new', 'token_livelock', 'swap_pager_unswapped']],
  );
  const mapTokens = table('acquisitions').filter((a) => a.class === 'map');
  t.equal(mapTokens.length, 24, 'one per-map token per fault per model, reported on its own');
  const stats = table('ingest_stats');
  const cpu1 = stats.find((s) => s.cpu === 1)!;
  const cpu0 = stats.find((s) => s.cpu === 0)!;
  t.equal(cpu1.truncated_begin, 1);
  t.equal(cpu0.truncated_end, 1);
  const objects = table('objects');
  t.equal(objects.find((o) => o.obj === '0xfffff80010a3c000')!.name, '/bin/sh');
  const procs = table('processes');
  t.equal(procs.find((p) => p.pid === 101)!.parent, 100);
});

t.test('the registry supplies the chain below the recorded levels (vnode pager lock, deallocate 1 -> 0)', async (t) => {
  const { table } = await replayFile(fixture('basic.jsonl'));
  const acq = table('acquisitions');
  const terminate = acq.filter((a) => a.reason === 'terminate');
  t.same(new Set(terminate.map((a) => a.obj)), new Set(['0xfffff8001f200000']), 'the shadow dropped to 0 takes X on its backing object');
});

t.test('shared_fault=0 in every model', async (t) => {
  const { table } = await replayFile(fixture('basic.jsonl'), false);
  const faultS = table('acquisitions').filter((a) => a.op_kind === 'fault' && a.class === 'token' && a.mode === 'S');
  t.same([...new Set(faultS.map((a) => a.site))], ['vnode_pager_lock']);
});

t.test('contention: two threads writing the same anonymous page at once', async (t) => {
  const F = '0xfffff8001f100000';
  const fault = (tid: number, cpu: number, begin: number) => [
    `{"ts":${begin},"cpu":${cpu},"event":"fault_begin","tid":${tid},"pid":7,"va":"0x1000","ftype":"W","fflags":"0xc","nthreads":2}`,
    `{"ts":${begin + 10},"cpu":${cpu},"event":"fault_obj","tid":${tid},"depth":0,"obj":"${F}","otype":"default","page":"valid","backing":0}`,
    `{"ts":${begin + 1000},"cpu":${cpu},"event":"fault_end","tid":${tid},"rc":0,"depth":0,"action":"map"}`,
  ];
  const path = await tmpTrace([...fault(1, 0, 1000), ...fault(2, 1, 1500)].sort((a, b) => Number(a.slice(6, 11)) - Number(b.slice(6, 11))));
  const { table, tally } = await replayFile(path);
  t.equal(tally('old').waits, 0, 'old: quick path S with S');
  t.equal(tally('new').waits, 0, 'new: S with S');
  t.equal(tally('new-fixed').waits, 1, 'new-fixed: DIRTY takes F X, the second writer waits');
  const w = table('waits')[0]!;
  t.equal(w.tid, 2);
  t.equal(w.holder_tid, 1);
  t.equal(w.wait_ns, 500, 'until the first fault ends at 2000');
  const held = table('acquisitions').find((a) => a.model === 'new-fixed' && a.tid === 1 && a.class === 'token')!;
  t.equal(held.hold_ns, 1000, 'held for the whole fault interval (no I/O)');
});

t.test("agreement with the captured kernel's own lock events", async (t) => {
  const F = '0xfffff80010a3c000';
  const path = await tmpTrace([
    `{"ts":100,"cpu":0,"event":"fault_begin","tid":1,"pid":7,"va":"0x1000","ftype":"R","fflags":"0x4","nthreads":1}`,
    `{"ts":110,"cpu":0,"event":"obj_lock","tid":1,"obj":"${F}","op":"acq","mode":"S","site":"vm_fault","class":"token"}`,
    `{"ts":120,"cpu":0,"event":"fault_obj","tid":1,"depth":0,"obj":"${F}","otype":"vnode","page":"valid","backing":0}`,
    `{"ts":130,"cpu":0,"event":"obj_lock","tid":1,"obj":"${F}","op":"rel","mode":"S","site":"vm_fault","class":"token"}`,
    `{"ts":140,"cpu":0,"event":"fault_end","tid":1,"rc":0,"depth":0,"action":"map"}`,
  ]);
  const { table, run } = await replayFile(path);
  t.equal(run.agreement.faultsCompared, 1);
  t.match(formatSummary(run, { sharedFault: true }), /old\s+1\s+0\s+0\s+100\.0%/);
  const rows = table('agreement');
  for (const model of ['old', 'new', 'new-fixed']) {
    const r = rows.find((x) => x.model === model && x.site === 'vm_fault')!;
    t.same([r.matched, r.model_only, r.trace_only], [1, 0, 0], `${model} agrees: S on the cached text page`);
  }
});

t.test(
  'thousands of processes: every one a row, in order of first mention, a pid named again is the same row, and a thread without a pid gets its process',
  async (t) => {
    const lines = [`{"ts":1000,"cpu":0,"event":"proc_exec","pid":1000,"path":"/bin/sh","comm":"sh","tid":1000100}`];
    const children = Array.from({ length: 3000 }, (_, k) => 2000 + 7 * k);
    let ts = 2000;
    for (const child of children) {
      lines.push(`{"ts":${ts++},"cpu":0,"event":"proc_fork","pid":1000,"child":${child},"tid":1000100}`);
      lines.push(`{"ts":${ts++},"cpu":1,"event":"proc_exec","pid":${child},"path":"/bin/c${child}","comm":"c","tid":${child * 100}}`);
      lines.push(
        `{"ts":${ts++},"cpu":1,"event":"obj_ref","tid":${child * 100},"obj":"0xfffff8001f400000","otype":"vnode","ref":3,"delta":-1,"site":"vm_map_delete"}`,
      );
      lines.push(`{"ts":${ts++},"cpu":1,"event":"proc_exit","pid":${child},"tid":${child * 100}}`);
    }
    lines.push(`{"ts":${ts},"cpu":1,"event":"proc_exec","pid":2000,"path":"/bin/again","comm":"again","tid":200000}`);
    const { table } = await replayFile(await tmpTrace(lines));
    const procs = table('processes');
    t.same(
      procs.map((p) => p.pid),
      [1000, ...children],
      'one row per pid, in order of first mention',
    );
    t.ok(
      procs.slice(1).every((p) => p.parent === 1000 && p.exited),
      'every child has its parent and exited',
    );
    const again = procs[1]!;
    t.same([again.path, again.first_ts, again.last_ts], ['/bin/again', 2000, ts], 'the pid named again: same row, its last mention');
    const last = procs[procs.length - 1]!;
    t.same([last.path, last.first_ts, last.last_ts], [`/bin/c${children[2999]}`, 2000 + 4 * 2999, 2000 + 4 * 2999 + 3]);
    const drops = table('acquisitions').filter((a) => a.op_kind !== 'fault');
    t.ok(drops.length >= 3000, `the obj_ref sites were replayed (${drops.length} acquisitions)`);
    t.ok(
      drops.every((a) => a.pid === Number(a.tid) / 100),
      'each obj_ref (no pid of its own) is charged to the process of its thread',
    );
  },
);
