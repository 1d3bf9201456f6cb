// The commands that read a run, given a dataset (`replay --dataset ... -o OUT`):
// `report` writes one page across the traces and each trace's own report,
// `check` applies the thresholds to every trace, `compare` matches two
// datasets' traces by name and refuses a dataset against a run, `query`
// reads the dataset's database. The dataset has two small traces with
// different figures: the basic fixture and a generated fork/exec storm.

import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli.js';
import { naturalOrder } from '../../src/report/dataset.js';
import { capture, fixture } from '../helpers.js';
import { ok, writeTraces } from './datasets.js';
import { decodePng, pixelStats } from './png.js';

const dir = t.testdir();
const DS = join(dir, 'ds');
const DS_SF0 = join(dir, 'ds-sf0');
const DS_OTHER = join(dir, 'ds-other');
const RUN = join(dir, 'run');
const MODELS = ['old', 'new', 'new-fixed'];

type Row = Record<string, unknown>;

const json = async (out: string, sql: string): Promise<Row[]> => JSON.parse(await ok(['query', out, sql, '--format', 'json'])) as Row[];

const TRACES = join(dir, 'traces');

t.before(async () => {
  const traces = await writeTraces(TRACES);
  await ok(['replay', '--dataset', traces, '-o', DS]);
  await ok(['replay', '--dataset', join(traces, 'basic.ktr'), '-o', DS_SF0, '--shared-fault', '0']);
  const other = join(dir, 'other');
  mkdirSync(other);
  copyFileSync(fixture('basic.ktr'), join(other, 'elsewhere.ktr'));
  await ok(['replay', '--dataset', other, '-o', DS_OTHER]);
  await ok(['replay', fixture('basic.ktr'), '-o', RUN]);
});

t.test('report on a dataset: a headline per trace and model, a chart per trace, and each trace its own report', async (t) => {
  const out = join(dir, 'report');
  const r = await capture(() => main(['report', DS, '-o', out]));
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /dataset report written/);
  t.same(readdirSync(out).sort(), ['charts', 'report.html', 'report.md', 'trace=basic', 'trace=fe2']);

  const md = readFileSync(join(out, 'report.md'), 'utf8');
  t.match(md, /^# vmreplay report: a dataset of 2 traces \(basic, fe2\)\n/);
  t.match(md, '| trace | model | faults | X tokens | X saved vs old | saved % | back-downs | hazards | waits | wait time |');
  // Every row is the trace's own summary.
  const summary = await json(DS, 'SELECT trace, model, faults, x_tokens, saved_x, backdowns, hazards, waits FROM summary');
  t.equal(summary.length, 6, 'two traces, three models');
  for (const s of summary) {
    const saved =
      s.model === 'old'
        ? ' |  |  | '
        : ` | ${s.saved_x} | ${Math.round(((s.saved_x as number) / (summary.find((b) => b.trace === s.trace && b.model === 'old')!.x_tokens as number)) * 1000) / 10}% | `;
    t.match(md, `| ${s.trace} | ${s.model} | ${s.faults} | ${s.x_tokens}${saved}${s.backdowns} | ${s.hazards} | ${s.waits} |`, `${s.trace} ${s.model}`);
  }
  t.match(md, '| basic | new | 8 | 13 | 18 | 58.1% | 2 | 1 |', 'the basic fixture as its single-run report has it');
  t.match(md, "![X token acquisitions saved against old, in percent of old's, per trace and model](charts/saved-by-trace.png)");
  t.match(md, '### basic\n');
  t.match(md, '[trace=basic/report.md](trace=basic/report.md)');
  t.match(md, '[trace=fe2/report.md](trace=fe2/report.md)');
  t.match(md, /> \*\*Generated traces: fe2: their figures describe a simulated workload/);
  t.match(md, /vmreplay replay --dataset \S+basic\.ktr \S+fe2\.dtrace -o ds --models old,new,new-fixed/);

  // Each trace's report is the single-run report of its partition, as `report OUT/trace=NAME` writes it.
  for (const name of ['basic', 'fe2']) {
    const alone = join(dir, `alone-${name}`);
    await ok(['report', join(DS, `trace=${name}`), '-o', alone]);
    const back = `Trace ${name} of a dataset of 2; the report across the traces: [../report.md](../report.md).`;
    const own = readFileSync(join(alone, 'report.md'), 'utf8');
    // the same report but for where it was written (the reproduce command names its own -o DIR)
    const where = (md: string) =>
      md.replace(/ -o \S+/g, ' -o DIR').replace(/replays the traces into `[^`]*` and writes this report into `[^`]*`/g, 'replays the traces into DIR');
    t.equal(
      where(readFileSync(join(out, `trace=${name}`, 'report.md'), 'utf8')),
      where(own.replace('\n\n', `\n\n${back}\n\n`)),
      `${name}: its own report, with a link back`,
    );
    t.match(readFileSync(join(out, `trace=${name}`, 'report.html'), 'utf8'), '<a href="../report.html">../report.html</a>');
    t.ok(existsSync(join(out, `trace=${name}`, 'charts', 'x-by-site.png')), `${name}: its charts`);
  }
  t.match(readFileSync(join(out, 'trace=fe2', 'report.md'), 'utf8'), /^# vmreplay report: fe2\.dtrace\n/);

  const html = readFileSync(join(out, 'report.html'), 'utf8');
  t.match(html, '<a href="trace=basic/report.html">trace=basic/report.html</a>', 'the HTML page links the HTML reports');
  t.match(html, /<figure class="chart" id="chart-saved-by-trace">\n<svg/, 'the chart inlined as SVG');
  t.match(html, /<td>basic<\/td><td>new<\/td><td class="r">8<\/td>/);
  t.notMatch(html, /<script|<link|<img|src=|url\(/i, 'self-contained: nothing fetched');
  t.notMatch(html, /href="(?!#|trace=)/, "links go to sections or to the traces' own reports only");
  for (const name of ['basic', 'fe2']) t.notMatch(readFileSync(join(out, `trace=${name}`, 'report.html'), 'utf8'), /<script|src=/i, `${name}: self-contained`);

  const png = pixelStats(decodePng(readFileSync(join(out, 'charts', 'saved-by-trace.png'))));
  t.ok(png.dark > 300 && png.colours > 8, 'the chart has text and coloured bars');
  const spec = JSON.parse(readFileSync(join(out, 'charts', 'saved-by-trace.vl.json'), 'utf8'));
  t.same(
    spec.data.values.map((v: Row) => [v.trace, v.model, v.savedX]),
    summary.filter((s) => s.model !== 'old').map((s) => [s.trace, s.model, s.saved_x]),
    'one bar per trace and compared model, its saving',
  );
});

t.test('report OUT on a dataset writes beside it, and the dataset still reads', async (t) => {
  const r = await capture(() => main(['report', DS_OTHER]));
  t.equal(r.code, 0, r.stderr);
  t.ok(existsSync(join(DS_OTHER, 'report.md')));
  t.ok(existsSync(join(DS_OTHER, 'trace=elsewhere', 'report.html')), 'the trace report in its partition');
  t.same(
    (await json(DS_OTHER, 'SELECT DISTINCT trace FROM acquisitions')).map((x) => x.trace),
    ['elsewhere'],
  );
});

t.test('check on a dataset: every trace, a FAIL line per trace and threshold, exit 1 when any fails', async (t) => {
  const pass = await capture(() => main(['check', DS, '--model', 'new-fixed', '--min-saved-x', '30', '--max-hazards', '0']));
  t.equal(pass.code, 0, pass.stderr);
  t.match(
    pass.stdout,
    /^OK trace=basic new-fixed: saved X 51\.61% >= 30%, hazards 0 <= 0\nOK trace=fe2 new-fixed: saved X \d+(\.\d+)?% >= 30%, hazards \d+ <= 0\n$/,
  );

  const one = await capture(() => main(['check', DS, '--min-saved-x', '50']));
  t.equal(one.code, 1);
  t.match(
    one.stdout,
    /^OK trace=basic new: saved X 58\.06% >= 50%\nFAIL trace=fe2: saved X of new against old is \d+(\.\d+)?% \(\d+ of \d+\), below the minimum 50%\n$/,
  );

  const both = await capture(() => main(['check', DS, '--min-saved-x', '50', '--max-hazards', '0']));
  t.equal(both.code, 1);
  const fails = both.stdout.split('\n').filter((l) => l.startsWith('FAIL'));
  t.same(
    fails.map((l) => l.replace(/:.*/, '')),
    ['FAIL trace=basic', 'FAIL trace=fe2'],
    'each failing trace named',
  );
  t.match(both.stdout, 'FAIL trace=basic: hazards of new: 1, above the maximum 0\n');

  for (const argv of [
    ['check', DS, '--model', 'bogus', '--min-saved-x', '1'],
    ['check', DS],
  ]) {
    const r = await capture(() => main(argv));
    t.equal(r.code, 2, argv.slice(2).join(' '));
    t.match(r.stderr, /^vmreplay: /);
  }
});

t.test('compare of two datasets: trace by trace, matched by name', async (t) => {
  const r = await capture(() => main(['compare', DS_SF0, DS, '--format', 'json']));
  t.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout);
  t.same(
    c.traces.map((x: { trace: string }) => x.trace),
    ['basic'],
  );
  t.same(c.onlyInA, []);
  t.same(c.onlyInB, ['fe2']);
  const basic = c.traces[0].comparison;
  t.same(basic.models, MODELS);
  t.ok(basic.differences.includes('knob shared_fault: A 0, B 1.'));
  t.same(
    basic.headline.find((h: { model: string }) => h.model === 'old').figures.xTokens,
    { a: 42, b: 31, delta: -11, ratio: 31 / 42 },
    'as compare of the two runs says',
  );

  const md = await ok(['compare', DS_SF0, DS]);
  t.match(md, /^# vmreplay compare: datasets A /);
  t.match(md, '- Only in B, not compared: fe2.');
  t.match(md, '| basic | old | 42 | 31 | -11 |  |  | 0 | 0 |');
  t.match(md, '# trace basic: A vs B', "then the trace's whole comparison");

  const out = join(dir, 'cmp');
  await ok(['compare', DS_SF0, DS, '-o', out]);
  for (const f of ['compare.md', 'compare.html', 'compare.json', 'trace=basic/compare.md', 'trace=basic/compare.html', 'trace=basic/compare.json'])
    t.ok(existsSync(join(out, f)), f);
  t.notOk(existsSync(join(out, 'trace=fe2')), 'a trace in one dataset only is not compared');
  t.match(readFileSync(join(out, 'compare.md'), 'utf8'), '[trace=basic/compare.md](trace=basic/compare.md)');
  const html = readFileSync(join(out, 'compare.html'), 'utf8');
  t.match(html, '<a href="trace=basic/compare.html">');
  t.match(html, /<figure class="chart" id="chart-compare-saved-by-trace">\n<svg/, 'the saving per trace in A and B, inlined');
  const spec = JSON.parse(readFileSync(join(out, 'charts', 'compare-saved-by-trace.vl.json'), 'utf8'));
  t.same(spec.data.values, [
    { trace: 'basic', run: 'A', saved: basic.headline.find((h: { model: string }) => h.model === 'new').figures.savedXPct.a },
    { trace: 'basic', run: 'B', saved: 58.06 },
  ]);
  t.notMatch(html, /<script|src=/i);
});

t.test('compare of a dataset and a run, or of datasets with no trace in common, is a usage error saying what to do', async (t) => {
  for (const [a, b, said] of [
    [DS, RUN, /A \(.*ds\) is a dataset of 2 traces and B is a single run or trace.*\n.*vmreplay compare \S+ds\/trace=basic \S+run\b/],
    [RUN, DS, /B \(.*ds\) is a dataset of 2 traces and A is a single run or trace/],
    [fixture('basic.ktr'), DS, /B \(.*ds\) is a dataset/],
    [DS_SF0, DS_OTHER, /no trace name in common \(A: basic; B: elsewhere\).*vmreplay compare \S+ds-sf0\/trace=basic \S+ds-other\/trace=elsewhere/],
  ] as const) {
    const r = await capture(() => main(['compare', a, b]));
    t.equal(r.code, 2, `${a} ${b}`);
    t.match(r.stderr, said);
    t.equal(r.stdout, '');
  }
});

t.test('query on a dataset: the views across traces, a note on what is per trace', async (t) => {
  const listing = await ok(['query', DS]);
  t.match(listing, /^a dataset of 2 traces \(basic, fe2\): every table and view has a trace/);
  const summary = await json(DS, 'summary');
  t.same(
    summary.map((s) => [s.trace, s.model]),
    ['basic', 'fe2'].flatMap((trace) => MODELS.map((m) => [trace, m])),
  );
  t.same(
    summary.filter((s) => s.trace === 'basic').map(({ trace: _t, ...rest }) => rest),
    await json(join(DS, 'trace=basic'), 'summary'),
    "the per-trace rows are the partition run's own",
  );
  const sites = await json(DS, 'SELECT trace, count(*)::INTEGER AS n FROM saved_by_site GROUP BY trace ORDER BY trace');
  t.same(
    sites.map((s) => s.trace),
    ['basic', 'fe2'],
  );
  const over = await capture(() => main(['query', DS, 'saved_over_time']));
  t.equal(over.code, 2);
  t.match(over.stderr, /'saved_over_time' is per trace in a dataset .*: vmreplay query OUT\/trace=NAME saved_over_time \(traces: basic, fe2\)/);
  t.ok((await json(join(DS, 'trace=fe2'), 'saved_over_time')).length > 0, 'a partition has it');
});

t.test('--dataset: report, check and compare replay traces as a dataset first', async (t) => {
  const check = await capture(() => main(['check', '--dataset', TRACES, '--min-saved-x', '50', '--models', 'old,new']));
  t.equal(check.code, 1, check.stderr);
  t.match(
    check.stdout,
    /^OK trace=basic new: saved X 58\.06% >= 50%\nFAIL trace=fe2: saved X of new against old/,
    'each trace checked; the replay table is not in the verdict',
  );
  t.match(check.stderr, /trace +input/, 'the replay table goes to standard error');

  const out = join(dir, 'report-of-traces');
  const report = await capture(() => main(['report', '--dataset', TRACES, '-o', out]));
  t.equal(report.code, 0, report.stderr);
  t.ok(existsSync(join(out, 'run', 'trace=fe2', 'manifest.json')), 'the traces replayed into DIR/run as a dataset');
  t.match(readFileSync(join(out, 'report.md'), 'utf8'), /^# vmreplay report: a dataset of 2 traces \(basic, fe2\)/);
  t.ok(existsSync(join(out, 'trace=basic', 'report.md')));

  const [a, b] = [join(dir, 'before'), join(dir, 'after')];
  for (const d of [a, b]) {
    mkdirSync(d);
    copyFileSync(fixture('basic.ktr'), join(d, 'build.ktr'));
  }
  const cmp = await capture(() => main(['compare', '--dataset', a, b, '--format', 'json']));
  t.equal(cmp.code, 0, cmp.stderr);
  const c = JSON.parse(cmp.stdout);
  t.same([c.a.dir, c.b.dir], [a, b], 'named as given, not by the temporary replay');
  t.same(
    c.traces.map((x: { trace: string }) => x.trace),
    ['build'],
  );
  t.ok(c.traces[0].comparison.differences.includes('A and B replayed the same input (the same sha256).'));
});

t.test('traces are read in natural order of their names: cpus16 after cpus8', async (t) => {
  const names = ['cpus16', 'cpus2', 'build', 'cpus8', 'cpus02', 'Build', 'cpus4-2', 'cpus4', 'x10y2', 'x10y10', 'x9'];
  t.same([...names].sort(naturalOrder), ['Build', 'build', 'cpus02', 'cpus2', 'cpus4', 'cpus4-2', 'cpus8', 'cpus16', 'x9', 'x10y2', 'x10y10']);
});

t.test('report -o DIR again: report folders of traces no longer in the dataset are removed, only when all in them is ours', async (t) => {
  const out = join(dir, 'report-again');
  await ok(['report', DS, '-o', out]);
  const copyReport = (to: string) => cpSync(join(out, 'trace=basic'), join(out, to), { recursive: true });
  copyReport('trace=gone'); // a trace's report, as an earlier dataset report left it
  copyReport('trace=annotated');
  writeFileSync(join(out, 'trace=annotated', 'notes.txt'), 'mine\n'); // a user's file beside it
  copyReport('trace=odd-chart');
  writeFileSync(join(out, 'trace=odd-chart', 'charts', 'mine.png'), '');
  cpSync(join(DS, 'trace=basic'), join(out, 'trace=data'), { recursive: true }); // a partition: data
  await ok(['report', RUN, '-o', join(out, 'trace=single')]); // a single run's report: no link back to a dataset page
  writeFileSync(join(out, 'trace=file'), 'not a folder\n');
  symlinkSync(join(out, 'trace=gone'), join(out, 'trace=link'));
  mkdirSync(join(out, 'keep'));

  const r = await capture(() => main(['report', DS, '-o', out]));
  t.equal(r.code, 0, r.stderr);
  t.same(readdirSync(out).sort(), [
    'charts',
    'keep',
    'report.html',
    'report.md',
    'trace=annotated',
    'trace=basic',
    'trace=data',
    'trace=fe2',
    'trace=file',
    'trace=link',
    'trace=odd-chart',
    'trace=single',
  ]);
  t.match(r.stderr, /removed the reports of traces no longer in the dataset: \S*trace=gone\n/);
  t.match(
    r.stderr,
    /note: \S*trace=annotated, \S*trace=data, \S*trace=odd-chart, \S*trace=single belong to no trace of the dataset but hold more than a report; left in place\n/,
  );
  t.ok(existsSync(join(out, 'trace=annotated', 'report.md')), "a folder with a user's file is left whole");
  t.ok(existsSync(join(out, 'trace=data', 'manifest.json')));
  t.ok(existsSync(join(out, 'trace=basic', 'report.html')) && existsSync(join(out, 'trace=fe2', 'report.html')), "the current traces' reports");

  const again = await capture(() => main(['report', DS, '-o', out]));
  t.notMatch(again.stderr, /removed/, 'nothing more to remove');
});

t.test('report OUT on the dataset itself: trace=NAME folders are data there, never removed', async (t) => {
  const traces = join(dir, 'self-traces');
  mkdirSync(traces);
  copyFileSync(fixture('basic.ktr'), join(traces, 'basic.ktr'));
  const ds = join(dir, 'ds-self');
  await ok(['replay', '--dataset', traces, '-o', ds]);
  await ok(['report', ds]);
  // A report folder of a trace the dataset does not list, as removal would recognise it elsewhere.
  cpSync(join(ds, 'trace=basic', 'charts'), join(ds, 'trace=gone', 'charts'), { recursive: true });
  for (const f of ['report.md', 'report.html']) copyFileSync(join(ds, 'trace=basic', f), join(ds, 'trace=gone', f));
  const r = await capture(() => main(['report', ds]));
  t.equal(r.code, 0, r.stderr);
  t.ok(existsSync(join(ds, 'trace=gone', 'report.md')), 'left in place');
  t.notMatch(r.stderr, /removed|note:/);
  // The same folder beside a report written elsewhere is recognised: the check is on the directory, not the folder.
  const out = join(dir, 'self-elsewhere');
  await ok(['report', ds, '-o', out]);
  cpSync(join(ds, 'trace=gone'), join(out, 'trace=gone'), { recursive: true });
  t.match((await capture(() => main(['report', ds, '-o', out]))).stderr, /removed the reports of traces no longer in the dataset: \S*trace=gone\n/);
  t.notOk(existsSync(join(out, 'trace=gone')));

  // Nor in a directory that holds a run: the dataset's report written into it keeps its folders.
  const run = join(dir, 'run-copy');
  cpSync(RUN, run, { recursive: true });
  cpSync(join(ds, 'trace=gone'), join(run, 'trace=gone'), { recursive: true });
  t.notMatch((await capture(() => main(['report', ds, '-o', run]))).stderr, /removed|note:/);
  t.ok(existsSync(join(run, 'trace=gone', 'report.md')), 'left in place');
});
