import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { run } from '../../src/commands/synth.js';
import { content, readTrace, ROOT } from '../helpers.js';
import { checkFaults, checkOrder, checkRefs, synth } from './checks.js';

const SAMPLE = join(ROOT, 'traces', 'sample', 'forkexec.ktr.gz');
const README = join(ROOT, 'traces', 'sample', 'README.md');

/** The generating command as the README gives it. */
function readmeCommand(): string[] {
  const line = readFileSync(README, 'utf8')
    .split('\n')
    .find((l) => l.trim().startsWith('vmreplay synth '));
  if (!line) throw new Error('no `vmreplay synth` command in the README');
  return line.trim().split(/\s+/).slice(2);
}

t.test('the bundled sample is a small gzipped ktrdump trace that reads cleanly', async (t) => {
  t.ok(existsSync(SAMPLE), 'traces/sample/forkexec.ktr.gz exists');
  t.ok(statSync(SAMPLE).size < 400_000, `small enough to commit (${statSync(SAMPLE).size} bytes)`);
  const { rows, ingest } = await readTrace(SAMPLE);
  const f = ingest.files[0]!;
  t.equal(f.format, 'ktr');
  t.equal(f.rejected, 0, JSON.stringify(f.rejects));
  t.equal(f.unknown, 1, 'one unknown event: the synthetic marker');
  t.equal(rows[0]!.name, 'vmtrace_synthetic');
  t.match(String(rows[0]!.extra), /workload=forkexec .*generator=vmreplay/);
  t.ok(rows.length >= 15_000, `${rows.length} events`);
});

t.test('the README says exactly how it was made', async (t) => {
  const argv = readmeCommand();
  const o = argv.indexOf('-o');
  t.equal(argv[o + 1], 'traces/sample/forkexec.ktr.gz');
  const dir = mkdtempSync(join(tmpdir(), 'vmreplay-sample-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const again = join(dir, 'forkexec.ktr.gz');
  argv[o + 1] = again;
  t.equal(await run(argv, { out: () => {}, err: () => {} }), 0);
  // The marker names the tool version: a new release alone does not make the sample stale.
  const rows = async (path: string) =>
    content((await readTrace(path)).rows).map((r, i) => (i === 0 ? { ...r, extra: String(r.extra).replace(/ version=\S+/, '') } : r));
  // Compared as JSON text: a deep comparison of 20,000 rows is slow.
  t.equal(JSON.stringify(await rows(again)), JSON.stringify(await rows(SAMPLE)), 'regenerating gives the committed sample');
});

t.test('the sample is well-formed throughout', async (t) => {
  const argv = readmeCommand();
  const opt = (name: string): number => Number(argv[argv.indexOf(name) + 1]);
  const events = await synth({ workload: 'forkexec', events: opt('--events'), seed: opt('--seed'), cpus: opt('--cpus') });
  t.same(checkFaults(events), []);
  t.same(checkRefs(events), []);
  t.same(checkOrder(events), []);
});
