// The Linux models on the real captures of traces/real, against the kernel
// that made them (Linux 6.18, per-VMA locks): exact counts, fault by fault.
// Then captures with a gap (no accounting samples, no side-band records, no
// mmap_lock events, no fault at all): each replays and names what it lacks.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import t from 'tap';
import { main } from '../../src/cli.js';
import { resolveReplayOptions } from '../../src/replay/options.js';
import { replayTraces, type RunResult } from '../../src/replay/run.js';
import { ROOT, capture, type TestContext } from '../helpers.js';

const real = (name: string): string => join(ROOT, 'traces', 'real', name);
const DISCARD = { write() {}, async flush() {}, releasesBatches: true };
const run = (paths: string[]): Promise<RunResult> => replayTraces(paths, resolveReplayOptions({}), DISCARD);
const model = (r: RunResult, name: string) => r.models.find((m) => m.model === name)!;

/** [capture, faults, linux-vma: faults it says take mmap_lock, faults the kernel took it in, both, reasons] */
const CAPTURES = [
  ['linux-churn.perf.data.gz', 32668, 91, 92, 90, { kernel_mode: 8, no_map_pages: 4, anon_vma_trylock: 61, vma_write_locked: 18 }],
  ['linux-coldfile.perf.data.gz', 1590, 999, 1005, 997, { kernel_mode: 6, anon_vma_trylock: 13, no_map_pages: 3, file_io: 972, readahead: 5 }],
  ['linux-forkexec-make.perf.data.gz', 31914, 2353, 2312, 2310, { kernel_mode: 1057, no_map_pages: 199, anon_vma_trylock: 1062, readahead: 20, file_io: 15 }],
] as const;

for (const [file, faults, predicted, observed, both, reasons] of CAPTURES) {
  t.test(`${file}: linux-vma against the kernel, fault by fault`, async (t) => {
    const r = await run([real(file)]);
    t.equal(r.family, 'linux');
    t.equal(r.proxy, false);
    t.same(
      r.models.map((m) => m.model),
      ['linux-mmap', 'linux-vma'],
      "a Linux capture's default models",
    );
    t.equal(r.faultsReplayed, faults);
    const base = model(r, 'linux-mmap');
    const vma = model(r, 'linux-vma');
    t.equal(base.mmFaults, faults, 'linux-mmap: every fault takes mmap_lock');
    t.equal(vma.mmFaults, predicted);
    t.equal(vma.observedMmFaults, observed);
    t.equal(vma.agreedMmFaults, both);
    t.same(vma.mmReasons, reasons);
    t.ok(
      both / predicted >= 0.95 && both / observed >= 0.95,
      `precision ${((100 * both) / predicted).toFixed(1)}%, recall ${((100 * both) / observed).toFixed(1)}%: at least 95% each`,
    );
  });
}

t.test('the text of a capture and its perf.data give the same faults and figures', async (t) => {
  for (const c of ['linux-churn', 'linux-coldfile']) {
    const [data, text] = [await run([real(`${c}.perf.data.gz`)]), await run([real(`${c}.perf.txt.gz`)])];
    t.same(text.models, data.models, c);
  }
});

/** The churn capture's text with the lines `drop` matches left out, in a temporary file. */
function without(t: TestContext, drop: RegExp, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vmreplay-linux-gap-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const text = gunzipSync(readFileSync(real('linux-churn.perf.txt.gz'))).toString('latin1');
  const path = join(dir, `${name}.perf.txt`);
  writeFileSync(
    path,
    text
      .split('\n')
      .filter((l) => !drop.test(l))
      .join('\n'),
    'latin1',
  );
  return path;
}

const warnings = (r: RunResult): string => r.files.flatMap((f) => f.warnings).join('\n');

t.test("a capture without minor/major-faults samples: faults end at their thread's next event, said so", async (t) => {
  const r = await run([without(t, / (minor|major)-faults:/, 'no-accounting')]);
  t.equal(r.faultsReplayed, 32668, 'every fault still replays');
  t.match(warnings(r), /no minor-faults\/major-faults samples: every fault ends at the next event of its thread/);
  const vma = model(r, 'linux-vma');
  t.ok(vma.agreedMmFaults / vma.observedMmFaults >= 0.9, 'the agreement holds up');
});

t.test('a capture printed without side-band records: every VMA is unknown, said so', async (t) => {
  const r = await run([without(t, /PERF_RECORD_MMAP/, 'no-sideband')]);
  t.equal(r.faultsReplayed, 32668);
  t.match(warnings(r), /no MMAP2 records: every fault's VMA is unknown/);
  t.ok(model(r, 'linux-vma').mmReasons.no_vma! > 30000, 'linux-vma can only predict no_vma fallbacks');
});

t.test('a capture without mmap_lock events: no observation, no agreement, said so', async (t) => {
  const r = await run([without(t, /mmap_lock:/, 'no-mmap-lock')]);
  t.equal(r.faultsReplayed, 32668);
  t.match(warnings(r), /no mmap_lock events: what the kernel locked is not observed/);
  t.equal(model(r, 'linux-vma').observedMmFaults, 0);
});

t.test('a Linux capture with no replayable fault: the banner first, and check fails for it', async (t) => {
  const path = without(t, /exceptions:page_fault/, 'no-faults');
  const dir = mkdtempSync(join(tmpdir(), 'vmreplay-linux-none-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'out');
  const r = await capture(() => main(['replay', path, '-o', out]));
  t.equal(r.code, 0);
  t.match(r.stdout + r.stderr, /^NOTHING REPLAYED: 0 faults were replayed/m);
  const rep = await capture(() => main(['report', out, '-q']));
  t.equal(rep.code, 0);
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  t.match(md.split('\n').slice(0, 6).join('\n'), /Nothing replayed: 0 faults were replayed/, 'report.md says so before any figure');
  const check = await capture(() => main(['check', out, '--min-agreement', '95']));
  t.equal(check.code, 1);
  t.match(check.stdout + check.stderr, /FAIL nothing replayed: 0 faults/);
});

t.test('check --min-agreement and the proxy banner on a real capture', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vmreplay-linux-check-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'out');
  t.equal((await capture(() => main(['replay', real('linux-coldfile.perf.data.gz'), '-o', out, '-q']))).code, 0);
  const ok = await capture(() => main(['check', out, '--min-agreement', '95']));
  t.equal(ok.code, 0);
  t.match(ok.stdout, /OK linux-vma: agreement with the kernel: precision 99\.8%, recall 99\.2% >= 95%/);
  const fail = await capture(() => main(['check', out, '--min-agreement', '99.5']));
  t.equal(fail.code, 1);
  t.match(
    fail.stdout + fail.stderr,
    /FAIL agreement of linux-vma with the captured kernel: precision 99\.8% \(997 of 999 predicted\), recall 99\.2% \(997 of 1005 observed\)/,
  );
  const q = await capture(() => main(['query', out, 'fallback_agreement', '--format', 'json']));
  const rows = JSON.parse(q.stdout) as { model: string; predicted: number; observed: number; agreed: number }[];
  t.same(
    rows.find((x) => x.model === 'linux-vma'),
    { model: 'linux-vma', faults: 1590, undecidable: 0, predicted: 999, observed: 1005, agreed: 997, precision_pct: 99.8, recall_pct: 99.2, exact: 1579 },
  );

  const proxyOut = join(dir, 'proxy');
  const proxy = await capture(() => main(['replay', real('linux-coldfile.perf.data.gz'), '-o', proxyOut, '--models', 'old,new']));
  t.match(proxy.stdout + proxy.stderr, /^PROXY: DragonFly models replayed a Linux capture/m, 'DragonFly models on Linux: labelled');
});

t.test('--linux-version picks the rules: 6.4, 6.6 and 6.18 on one capture', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vmreplay-linux-version-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const saved: Record<string, unknown> = {};
  for (const v of ['6.4', '6.6', '6.18']) {
    const out = join(dir, v);
    t.equal((await capture(() => main(['replay', real('linux-coldfile.perf.data.gz'), '-o', out, '-q', '--linux-version', v]))).code, 0);
    const q = await capture(() =>
      main(['query', out, "SELECT mm_reason, faults FROM mm_lock_reasons WHERE model = 'linux-vma' ORDER BY mm_reason", '--format', 'json']),
    );
    saved[v] = Object.fromEntries((JSON.parse(q.stdout) as { mm_reason: string; faults: number }[]).map((r) => [r.mm_reason, r.faults]));
  }
  t.ok((saved['6.4'] as Record<string, number>).not_anonymous! > 500, '6.4: file VMAs are not taken');
  t.notOk('not_anonymous' in (saved['6.6'] as object), '6.6: file VMAs are');
  t.ok((saved['6.4'] as Record<string, number>).no_anon_vma! > 0, '6.4: anonymous VMAs without an anon_vma are refused');
  t.notOk('no_anon_vma' in (saved['6.18'] as object), '6.18: they take the trylock instead');
  const bad = await capture(() => main(['replay', real('linux-coldfile.perf.data.gz'), '-o', join(dir, 'bad'), '--linux-version', 'six']));
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--linux-version six: give a Linux version as MAJOR.MINOR/);
});

t.test('DragonFly models on a Linux capture: a proxy, its acquisitions marked inferred, and check refuses them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vmreplay-linux-proxy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'out');
  const r = await capture(() => main(['replay', real('linux-coldfile.perf.data.gz'), '-o', out, '--models', 'old,new']));
  t.match(r.stdout + r.stderr, /^INFERRED: \d+ of new's \d+ acquisitions \(100\.0%\) rest on events the reader\s+inferred/m);
  const q = await capture(() => main(['query', out, 'SELECT count(*) FILTER (WHERE NOT inferred) AS observed FROM acquisitions', '--format', 'json']));
  t.same(JSON.parse(q.stdout), [{ observed: 0 }], 'every acquisition is marked inferred');
  const check = await capture(() => main(['check', out, '--min-saved-x', '1']));
  t.equal(check.code, 1);
  t.match(check.stdout + check.stderr, /FAIL new's figures rest on inferred events/);
  t.equal((await capture(() => main(['report', out, '-q']))).code, 0);
  t.match(readFileSync(join(out, 'report.md'), 'utf8').split('\n').slice(0, 8).join('\n'), /Proxy: DragonFly models replayed a Linux capture[\s\S]*Inferred: /);
});
