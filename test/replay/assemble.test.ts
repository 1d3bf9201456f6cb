// The fault assembler refilling its fault and level objects (what the engine
// asks for, since it keeps nothing of a fault once replayed), and sweeping the
// threads with no fault in flight out of its map at any moment, hands over the
// same faults, field by field, as one that makes fresh objects for each and
// never sweeps: on the fixtures (back-downs merged, retries, holes, truncated
// faults) and on a generated workload with faults in flight on every CPU.

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
    if (path === generated) t.ok(recycled.objects < fresh.faults.length / 10, `${name}: recycling, ${recycled.objects} objects for ${fresh.faults.length} faults`);
  }
});
