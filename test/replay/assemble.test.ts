// The fault assembler refilling its fault and level objects (what the engine
// asks for, since it keeps nothing of a fault once replayed), and sweeping the
// threads with no fault in flight out of its map at any moment, hands over the
// same faults, field by field, as one that makes fresh objects for each and
// never sweeps: on the fixtures (back-downs merged, retries, holes, truncated
// faults) and on a generated workload with faults in flight on every CPU.
// One that only counts (validate's) finds the same truncated faults, per file
// and CPU, as one that builds every fault.

import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli.js';
import { Ingest } from '../../src/ingest/open.js';
import { type AssembledFault, type AssemblerOptions, FaultAssembler } from '../../src/replay/assemble.js';
import { capture, fixture } from '../helpers.js';

/** Each fault as handed to onFault, copied at that moment (holes kept as null). */
async function assembled(path: string, options: AssemblerOptions) {
  const ingest = new Ingest({});
  const faults: unknown[] = [];
  const objects = new Set<AssembledFault>();
  const links: number[][] = [];
  const assembler = new FaultAssembler(
    ingest.files,
    ingest.strings,
    (f) => {
      objects.add(f);
      faults.push(JSON.parse(JSON.stringify({ ...f, phases: f.phases.map((p) => ({ retry: p.retry, levels: Array.from(p.levels, (l) => l ?? null) })) })));
    },
    (obj, below) => links.push([obj, below]),
    options,
  );
  for await (const b of ingest.events([path])) assembler.batch(b);
  assembler.finish();
  return { faults, objects: objects.size, links, truncated: assembler.truncated };
}

t.test('a recycling, sweeping assembler hands over the same faults as a fresh one', async (t) => {
  const dir = t.testdir();
  const generated = join(dir, 'forkexec.dtrace');
  const synth = await capture(() => main(['synth', 'forkexec', '--cpus', '4', '--events', '20000', '--seed', '11', '-o', generated]));
  t.equal(synth.code, 0, synth.stderr);
  for (const path of [fixture('basic.jsonl'), fixture('kit-dragonfly.ktr'), fixture('kit-freebsd.dtrace'), generated]) {
    const name = basename(path);
    const fresh = await assembled(path, { sweepAfter: Infinity });
    const recycled = await assembled(path, { recycle: true, sweepAfter: 1 });
    t.ok(fresh.faults.length > 0, `${name}: ${fresh.faults.length} faults`);
    t.same(recycled.faults, fresh.faults, `${name}: every fault, field by field`);
    t.same(recycled.links, fresh.links, `${name}: the same chain links`);
    t.equal(recycled.truncated, fresh.truncated, `${name}: the same truncated faults`);
    t.equal(fresh.objects, fresh.faults.length, `${name}: without recycling, an object per fault`);
    if (path === generated)
      t.ok(recycled.objects < fresh.faults.length / 10, `${name}: recycling, ${recycled.objects} objects for ${fresh.faults.length} faults`);
  }
});

/** What validate prints of the assembler's work: truncated faults per file and CPU, and the files' notes. */
async function windowCounts(paths: string[], assembler: (ingest: Ingest) => FaultAssembler) {
  const ingest = new Ingest({});
  const faults = assembler(ingest);
  for await (const b of ingest.events(paths)) faults.batch(b);
  faults.finish();
  const perCpu = ingest.files.flatMap((f, file) => f.perCpu.map((c) => ({ file, cpu: c.cpu, begin: c.truncatedBegin, end: c.truncatedEnd })));
  return { truncated: faults.truncated, perCpu, notes: ingest.files.map((f) => f.notes) };
}

t.test('counting only finds the same truncated faults, per file and CPU, as building every fault', async (t) => {
  const dir = t.testdir();
  const generated = join(dir, 'forkexec.dtrace');
  const synth = await capture(() => main(['synth', 'forkexec', '--cpus', '4', '--events', '20000', '--seed', '5', '-o', generated]));
  t.equal(synth.code, 0, synth.stderr);
  // Windows cut from the generated trace and a fixture: faults cut off at the start, the end, or both.
  const lines = (await readFile(generated, 'utf8')).split('\n');
  const cut = async (name: string, from: number, to: number, source = lines) => {
    const path = join(dir, name);
    await writeFile(path, source.slice(from, to).join('\n') + '\n');
    return path;
  };
  const head = await cut('head.dtrace', 0, 3000);
  const middle = await cut('middle.dtrace', 4000, 9000);
  const tail = await cut('tail.dtrace', lines.length - 5000, lines.length);
  const kit = await cut('kit-middle.ktr', 6, 40, (await readFile(fixture('kit-dragonfly.ktr'), 'utf8')).split('\n'));
  // Each rule of the window on its own thread and CPU: a level (tid 1) or a
  // retry (tid 2) with no fault in flight and no end to come; an orphan that
  // ends on another CPU (3, counted once, where first seen); a begin over an
  // open fault (4, its end lost); an end alone (6); a fault never ended (5).
  const edges = join(dir, 'edges.jsonl');
  await writeFile(
    edges,
    [
      '{"ts":1000,"cpu":0,"event":"fault_obj","tid":1,"depth":0,"obj":"0x1000","otype":"default","page":"valid","backing":0}',
      '{"ts":1010,"cpu":1,"event":"fault_retry","tid":2,"why":"backdown"}',
      '{"ts":1020,"cpu":2,"event":"fault_obj","tid":3,"depth":0,"obj":"0x1000","otype":"default","page":"valid","backing":0}',
      '{"ts":1030,"cpu":3,"event":"fault_end","tid":3,"rc":0,"depth":0,"action":"map"}',
      '{"ts":1040,"cpu":0,"event":"fault_begin","tid":4,"pid":4,"va":"0x400000","ftype":"R","fflags":"0x4","nthreads":1,"comm":"sh"}',
      '{"ts":1050,"cpu":0,"event":"fault_obj","tid":4,"depth":0,"obj":"0x1000","otype":"default","page":"valid","backing":0}',
      '{"ts":1060,"cpu":1,"event":"fault_begin","tid":4,"pid":4,"va":"0x401000","ftype":"R","fflags":"0x4","nthreads":1,"comm":"sh"}',
      '{"ts":1070,"cpu":1,"event":"fault_end","tid":4,"rc":0,"depth":0,"action":"map"}',
      '{"ts":1080,"cpu":3,"event":"fault_end","tid":6,"rc":0,"depth":0,"action":"map"}',
      '{"ts":1090,"cpu":0,"event":"fault_begin","tid":1,"pid":1,"va":"0x400000","ftype":"R","fflags":"0x4","nthreads":1,"comm":"sh"}',
      '{"ts":1100,"cpu":0,"event":"fault_retry","tid":1,"why":"backdown"}',
      '{"ts":1110,"cpu":0,"event":"fault_obj","tid":1,"depth":0,"obj":"0x1000","otype":"default","page":"valid","backing":0}',
      '{"ts":1120,"cpu":0,"event":"fault_end","tid":1,"rc":0,"depth":0,"action":"map"}',
      '{"ts":1130,"cpu":2,"event":"fault_begin","tid":5,"pid":5,"va":"0x400000","ftype":"R","fflags":"0x4","nthreads":1,"comm":"sh"}',
    ].join('\n') + '\n',
  );
  const edgeCounts = await windowCounts([edges], (i) => FaultAssembler.counter(i.files, i.strings));
  t.same(
    edgeCounts.perCpu.map((c) => [c.cpu, c.begin, c.end]),
    [
      [0, 1, 1],
      [1, 1, 0],
      [2, 1, 1],
      [3, 1, 0],
    ],
    'edges: each cut-off fault counted once, on the CPU where it was seen first, at its side of the window',
  );
  const traces = [
    [edges],
    [fixture('basic.jsonl')],
    [fixture('kit-dragonfly.ktr')],
    [fixture('kit-freebsd.dtrace')],
    [generated],
    [head],
    [middle],
    [tail],
    [kit],
    [head, middle, fixture('basic.ktr')],
  ];
  let begins = 0;
  let ends = 0;
  for (const paths of traces) {
    const name = paths.map((p) => basename(p)).join(' + ');
    const full = await windowCounts(paths, (i) => new FaultAssembler(i.files, i.strings, () => {}));
    const counted = await windowCounts(paths, (i) => FaultAssembler.counter(i.files, i.strings));
    const swept = await windowCounts(paths, (i) => new FaultAssembler(i.files, i.strings, () => {}, undefined, { countOnly: true, sweepAfter: 1 }));
    t.same(counted, full, `${name}: ${full.truncated} truncated faults, the same per file and CPU, the same notes`);
    t.same(swept, full, `${name}: the same, sweeping idle threads after every fault`);
    for (const c of full.perCpu) {
      begins += c.begin;
      ends += c.end;
    }
  }
  t.ok(begins >= 5 && ends >= 5, `faults cut off at either end (${begins} at the start, ${ends} at the end)`);
});
