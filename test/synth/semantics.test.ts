import t from 'tap';
import type { TextEvent } from '../../src/ingest/writer.js';
import { generate } from '../../src/synth/generate.js';
import { ArraySink } from '../../src/synth/sink.js';
import { WORKLOAD_NAMES } from '../../src/synth/workloads/index.js';
import { checkFaults, checkOrder, checkRefs, counts, field, synth } from './checks.js';

const traces = new Map<string, TextEvent[]>();
async function trace(workload: (typeof WORKLOAD_NAMES)[number], kernel: 'old' | 'new' = 'new'): Promise<TextEvent[]> {
  const key = `${workload}/${kernel}`;
  if (!traces.has(key)) traces.set(key, await synth({ workload, kernel, events: 20_000, seed: 11 }));
  return traces.get(key)!;
}

for (const workload of WORKLOAD_NAMES) {
  for (const kernel of ['new', 'old'] as const) {
    t.test(`${workload} on a ${kernel} kernel: well-formed faults, consistent reference counts, ordered`, async (t) => {
      const events = await trace(workload, kernel);
      t.ok(events.length >= 20_000 && events.length < 20_200, `about the events asked for (${events.length})`);
      t.same(checkFaults(events), []);
      const refs = { checked: 0, withRef: 0 };
      t.same(checkRefs(events, refs), []);
      t.ok(refs.checked > 0.8 * refs.withRef, `most counts checked against the events before them (${refs.checked} of ${refs.withRef})`);
      t.same(checkOrder(events), []);
      const retries = events.filter((e) => e.name === 'fault_retry').map((e) => field(e, 'why'));
      if (kernel === 'old') t.notOk(retries.includes('backdown'), 'an old kernel never backs down');
      else t.ok(retries.includes('backdown'), 'a new kernel logs its own back-downs');
    });
  }
}

t.test('the same seed gives the same trace, another seed another', async (t) => {
  const a = await synth({ workload: 'forkexec', events: 3000, seed: 42 });
  const b = await synth({ workload: 'forkexec', events: 3000, seed: 42 });
  const c = await synth({ workload: 'forkexec', events: 3000, seed: 43 });
  // Compared as text: a deep comparison of thousands of events is slow.
  const text = (events: TextEvent[]): string => events.map((e) => `${e.ts} ${e.cpu} ${e.name} ${e.fields.map(([k, v]) => `${k}=${v}`).join(' ')}`).join('\n');
  t.equal(text(a), text(b));
  t.not(text(a), text(c));
  const d = await synth({ workload: 'forkexec', events: 3000, seed: 42, cpus: 8 });
  t.not(text(a), text(d), 'the CPU count changes the run');
});

t.test('the marker says what generated the trace', async (t) => {
  const [marker] = await synth({ workload: 'server', events: 100, seed: 5, cpus: 2, kernel: 'old' });
  t.equal(marker!.name, 'vmtrace_synthetic');
  t.same(Object.fromEntries(marker!.fields.filter(([k]) => k !== 'version')), {
    workload: 'server',
    seed: 5,
    cpus: 2,
    kernel: 'old',
    pressure: 'low',
    generator: 'vmreplay',
  });
});

t.test('forkexec logs every site of the commit', async (t) => {
  const events = await trace('forkexec');
  const c = counts(events);
  for (const name of [
    'proc_fork',
    'proc_exec',
    'proc_exit',
    'map_split',
    'obj_shadow',
    'exec_page',
    'load_section',
    'obj_ref',
    'page_grab',
    'obj_collapse',
    'obj_name',
  ]) {
    t.ok((c[name] ?? 0) > 0, `${name} (${c[name] ?? 0})`);
  }
  t.ok(c.fault_begin! > events.length / 8, 'faults are a large part of the trace');
  // exec drops the old image: shared libraries with high counts (lockless in new), private objects with low ones
  const drops = events.filter((e) => e.name === 'obj_ref' && field(e, 'delta') === -1);
  t.ok(
    drops.some((e) => field(e, 'otype') === 'vnode' && Number(field(e, 'ref')) >= 4),
    'shared library drops at ref >= 4',
  );
  t.ok(
    drops.some((e) => field(e, 'otype') === 'default' && field(e, 'ref') === 1),
    'private objects dropped 1 -> 0',
  );
  t.ok(
    events.some((e) => e.name === 'map_split' && field(e, 'otype') === 'vnode'),
    'fork splits vnode entries',
  );
  t.ok(
    events.some((e) => e.name === 'map_split' && field(e, 'otype') !== 'vnode'),
    'fork splits anonymous entries',
  );
  t.ok(
    events.some((e) => e.name === 'obj_shadow' && field(e, 'stype') === 'vnode'),
    'first writes to data segments shadow the file',
  );
  t.ok(
    events.some((e) => e.name === 'obj_collapse' && field(e, 'case') === 'collapse'),
    'a parent chain collapses after a child goes',
  );
  const names = new Set(events.filter((e) => e.name === 'obj_name').map((e) => field(e, 'name')));
  t.ok(names.has('/lib/libc.so.7') && names.has('/libexec/ld-elf.so.2') && names.has('/bin/sh'));
  t.ok(
    events.some((e) => e.name === 'load_section' && field(e, 'page') === undefined),
    'text segments have no partial page',
  );
});

t.test('page states: cold reads with I/O, busy pages, swap', async (t) => {
  const all = [...(await trace('forkexec')), ...(await trace('build')), ...(await trace('server'))];
  const levels = all.filter((e) => e.name === 'fault_obj');
  const ends = all.filter((e) => e.name === 'fault_end');
  t.ok(
    ends.some((e) => field(e, 'io') === 1 && Number(field(e, 'io_ns')) >= 20_000),
    'cold pages are read',
  );
  t.ok(
    levels.some((e) => field(e, 'page') === 'absent' && field(e, 'pager') === 'has' && field(e, 'otype') === 'vnode'),
    'the file pager has them',
  );
  t.ok(
    all.some((e) => e.name === 'fault_retry' && field(e, 'why') === 'busy'),
    'busy retries',
  );
  t.ok(
    levels.some((e) => field(e, 'otype') === 'swap' && field(e, 'page') === 'absent' && field(e, 'pager') === 'has'),
    'swap-ins',
  );
  t.ok(
    levels.some((e) => field(e, 'page') === 'invalid'),
    'read-ahead-marked pages',
  );
  t.ok(
    ends.some((e) => field(e, 'action') === 'readonly'),
    'reads of pages found below the first object',
  );
});

/** The new model's hazard: a DIRTY write fault that finds a swapped page valid in its first object. */
function hazards(events: readonly TextEvent[]): number {
  const writes = new Set<number>();
  let n = 0;
  for (const e of events) {
    if (e.name === 'fault_begin') {
      if (field(e, 'ftype') === 'W') writes.add(Number(field(e, 'tid')));
      else writes.delete(Number(field(e, 'tid')));
    } else if (
      e.name === 'fault_obj' &&
      field(e, 'depth') === 0 &&
      field(e, 'page') === 'valid' &&
      field(e, 'swapped') === 1 &&
      writes.has(Number(field(e, 'tid')))
    )
      n++;
  }
  return n;
}

t.test('swap pressure gives the hazard case of the new model', async (t) => {
  const events = await synth({ workload: 'build', events: 40_000, seed: 2, pressure: 'high' });
  t.ok(hazards(events) > 0, `write faults on swapped pages valid at depth 0: ${hazards(events)}`);
  t.same(checkRefs(events), []);
  const none = await synth({ workload: 'build', events: 10_000, seed: 2, pressure: 'none' });
  t.notOk(
    none.some((e) => field(e, 'otype') === 'swap'),
    'no swap without pressure',
  );
});

t.test('the server runs threads that share one address space', async (t) => {
  const events = await trace('server');
  const begins = events.filter((e) => e.name === 'fault_begin');
  const perPid = new Map<unknown, number>();
  for (const e of begins) perPid.set(field(e, 'pid'), (perPid.get(field(e, 'pid')) ?? 0) + 1);
  const serverPid = [...perPid].sort((a, b) => b[1] - a[1])[0]![0];
  const server = begins.filter((e) => field(e, 'pid') === serverPid);
  t.ok(server.length > begins.length / 2, 'most faults are the server process');
  t.ok(
    server.every((e) => Number(field(e, 'nthreads')) > 1),
    'the server faults with nthreads > 1',
  );
  const tids = new Set(server.map((e) => field(e, 'tid')));
  t.ok(tids.size > 4, `faults on many threads (${tids.size})`);
  t.ok(
    events.some((e) => e.name === 'obj_ref' && field(e, 'site') === 'vmspace_fork'),
    'a fork inherits the shared region by reference',
  );
});

t.test('build: compilers map headers many of them share', async (t) => {
  const events = await trace('build');
  const comms = new Set(events.filter((e) => e.name === 'proc_exec').map((e) => field(e, 'comm')));
  for (const comm of ['sh', 'cc', 'cc1', 'as']) t.ok(comms.has(comm), `runs ${comm}`);
  const headerRefs = events.filter((e) => e.name === 'obj_ref' && field(e, 'site') === 'vnode_pager_reference' && Number(field(e, 'delta')) === 1);
  t.ok(headerRefs.length > 50, `files mapped (${headerRefs.length})`);
  t.ok(
    headerRefs.some((e) => Number(field(e, 'ref')) >= 2),
    'some already mapped by another compiler',
  );
});

t.test('threads migrate between CPUs but never run on two at once', async (t) => {
  const events = await trace('forkexec');
  const cpuOf = new Map<number, Set<number>>();
  for (const e of events) {
    const tid = field(e, 'tid');
    if (typeof tid !== 'number') continue;
    if (!cpuOf.has(tid)) cpuOf.set(tid, new Set());
    cpuOf.get(tid)!.add(e.cpu);
  }
  t.ok(
    [...cpuOf.values()].some((s) => s.size > 1),
    'some thread ran on more than one CPU',
  );
  // A fault's events stay on one CPU unless the thread slept in it.
  const open = new Map<number, number>();
  let moved = 0;
  for (const e of events) {
    const tid = Number(field(e, 'tid'));
    if (e.name === 'fault_begin') open.set(tid, e.cpu);
    else if (e.name === 'fault_end') {
      if (open.get(tid) !== e.cpu) moved++;
      open.delete(tid);
    }
  }
  t.equal(moved, 0, 'a thread finishes its fault on the CPU it began it');
});

t.test('every event is logged at the instant the simulation is at (state as of its timestamp)', async (t) => {
  for (const workload of WORKLOAD_NAMES) {
    const summary = await generate({ workload, cpus: 4, events: 5000, seed: 4, kernel: 'new' }, new ArraySink());
    t.equal(summary.outOfStep, 0, workload);
    t.ok(summary.endNs > summary.startNs);
  }
});
