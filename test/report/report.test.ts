// `vmreplay report` on the fixtures: report.md against a golden file (stable
// order, stable numbers), the charts as Vega-Lite, SVG and PNG (decoded:
// non-blank, with text drawn in the bundled font), and escaping of the
// untrusted strings a trace carries. UPDATE_GOLDEN=1 rewrites the goldens.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import t from 'tap';
import { main } from '../../src/cli.js';
import { VERSION } from '../../src/common/version.js';
import { chart, CHART_FONT, chartFontFiles, svgToPng } from '../../src/report/charts/render.js';
import { escapeHtml, escapeMarkdown } from '../../src/report/render/escape.js';
import { para } from '../../src/report/render/document.js';
import { codeSpan, renderMarkdown } from '../../src/report/render/markdown.js';
import { inUnit, timeUnit } from '../../src/report/render/text-table.js';
import { middleTruncate } from '../../src/report/charts/specs.js';
import { capture, fixture } from '../helpers.js';
import { decodePng, pixelStats } from './png.js';

const GOLDEN = join(import.meta.dirname, 'golden');

/** The fixture as a path relative to the working directory, so the report names it the same on every machine. */
const input = (name: string) => relative(process.cwd(), fixture(name));

/** What may differ between machines and releases: the tool version and commit, and the report directory. */
const normalize = (md: string, dir: string) =>
  md
    .replaceAll(`vmreplay ${VERSION}`, 'vmreplay <version>')
    .replace(/ \(git [0-9a-f]{12}\)/g, ' (git <commit>)')
    .replaceAll(dir, '<dir>');

function golden(t: { equal(found: string, wanted: string, message: string): unknown }, name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(path, actual);
  t.equal(actual, readFileSync(path, 'utf8'), `${name} matches test/report/golden/${name} (UPDATE_GOLDEN=1 rewrites it)`);
}

/** Cells per row of every Markdown table: a row with more cells than its header was split by an unescaped `|`. */
function tableShapes(md: string): { header: number; row: number; line: string }[] {
  const cells = (line: string) => line.split(/(?<!\\)\|/).length;
  const out: { header: number; row: number; line: string }[] = [];
  let header = 0;
  for (const line of md.split('\n')) {
    if (!line.startsWith('|')) header = 0;
    else if (header === 0) header = cells(line);
    else out.push({ header, row: cells(line), line });
  }
  return out;
}

t.test('report of basic.ktr: the golden report.md, the charts in three forms', async (t) => {
  const dir = t.testdir();
  const r = await capture(() => main(['report', input('basic.ktr'), '-o', dir]));
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /saved vs old/, 'the replay summary is printed first');
  t.match(r.stdout + r.stderr, /report written in .*report\.md.*report\.html.*3 charts/);
  t.ok(existsSync(join(dir, 'run', 'vmreplay.duckdb')), 'traces are replayed into DIR/run');

  const md = readFileSync(join(dir, 'report.md'), 'utf8');
  golden(t, 'basic.report.md', normalize(md, dir));
  // The paste-ready summary opens the report and fits in 15 lines; the details are folded.
  t.equal(md.split('\n')[2], '## Summary', 'the report opens with the summary');
  const summary = md.slice(md.indexOf('## Summary'), md.indexOf('\n## ', md.indexOf('## Summary')));
  t.ok(summary.trimEnd().split('\n').length <= 15, `the summary is at most 15 lines:\n${summary}`);
  t.match(summary, /`new`: saves 18 of 31 X token acquisitions \(58\.1%/);
  t.match(summary, /^- Reproduce: `vmreplay report /m);
  // Provenance: the command names the directory actually written, the tool its commit, the models their kernels.
  t.match(md, `vmreplay report traces/fixtures/basic.ktr -o ${dir} --models old,new,new-fixed`, 'the reproduce line writes where this report was written');
  t.match(md, /vmreplay \S+ \(git [0-9a-f]{12}\); models/, 'the tool version and the git commit it ran from');
  for (const commit of ['501747bf', 'a66fe2e3', '61dac052']) t.match(md.slice(md.indexOf('### What the models stand for')), commit);
  t.match(md, /<details>\n<summary>By site \(10\)<\/summary>\n\n\| site \|/, 'the tables are folded, as GitHub renders them');
  t.equal((md.match(/^\| object type \| object \|/gm) ?? []).length, 1, 'objects by type and by name are one table');
  // The headline's figures are the replay's, the cost side sits next to them.
  t.match(md, '| new | 13 | 18 | 2 | 8 | 2 | 0 | 1 | 1 | 1 | 18 (58.1%) | 15 (53.6%) | 12 (85.7%) |', 'B1-B4 back-downs and exec_map_page re-acquires apart');
  // new livelocks at swap_pager_unswapped (op 13): the X it did not take there, and the prefault the stop skipped, are no saving.
  t.match(
    md,
    '| `swap_pager_unswapped` | 1 | 0 | 1 | 1 (hazard; 0 without) | 0 |',
    'a saving at a site where the model hit a hazard is marked, with the saving without it',
  );
  t.match(md, '| `vm_prefault` | 6 | 0 | 0 | 6 (hazard; 5 without) | 6 |');
  // Operation numbers are called op (they count every lock-site event, not only faults); the extra acquisitions can be found in the trace.
  t.match(md, /\| \[op\]\(#term-op\) \| command \| pid \| va \| old \| new \| more \|/);
  t.match(
    md,
    /\| 11 \| thr \| 102 \| `0x[0-9a-f]+` \| 4 \| 7 \| 3 \| 1 \| 0 \| 2 \| `traces\/fixtures\/basic\.ktr:\d+` \|/,
    'an extra-acquisitions row has its address and trace line',
  );
  t.notMatch(md, /\| operations \|/, 'no back-downs column repeating the count');
  t.match(summary, '(58.1%; 15 without the 1 operation that hit a hazard)');
  t.match(md, /What "saved" counts:/);
  t.match(
    md,
    /\| new \| 13 \| 100100 \| sh \| `0x900000` .* `traces\/fixtures\/basic\.ktr:21` \|/,
    'a hazard names its fault, thread, object, site and trace line',
  );
  t.match(
    md,
    '| token_livelock | S at vm_fault (first) | swap_pager_unswapped asks X on a token this thread holds only S | `traces/fixtures/basic.ktr:21` | `traces/fixtures/basic.ktr:22` |',
    'where the conflicting S was taken, the fault_begin line and the line of the swapped=1 event that triggers it',
  );

  for (const name of ['saved-over-time', 'x-by-site', 'backdowns-by-rule']) {
    t.match(md, `](charts/${name}.png)`, `${name} is linked from the Markdown`);
    const spec = JSON.parse(readFileSync(join(dir, 'charts', `${name}.vl.json`), 'utf8'));
    t.match(spec.$schema, /vega-lite/);
    const svg = readFileSync(join(dir, 'charts', `${name}.svg`), 'utf8');
    t.match(svg, /^<svg/);
    t.match(svg, `font-family="${CHART_FONT}"`, 'the SVG names the bundled font');
    const png = decodePng(readFileSync(join(dir, 'charts', `${name}.png`)));
    const stats = pixelStats(png);
    t.ok(png.width > 300 && png.height > 150, `${name}.png is ${png.width}x${png.height}`);
    t.ok(stats.nonWhite > png.width * png.height * 0.02, `${name}.png is not blank (${stats.nonWhite} drawn pixels)`);
    t.ok(stats.dark > 400, `${name}.png has text (${stats.dark} near-black pixels)`);
    t.ok(stats.colours > 8, `${name}.png has marks in colour`);
  }
  t.notOk(existsSync(join(dir, 'charts', 'contention-by-object.svg')), 'no chart without data');
  t.match(md, /Contention per object: the estimate found no waits/);

  // The same report again from the run directory alone gives the same Markdown.
  // A stale chart of an earlier report goes; files that are not ours stay.
  const again = join(dir, 'again');
  mkdirSync(join(again, 'charts'), { recursive: true });
  writeFileSync(join(again, 'charts', 'contention-by-object.svg'), '<svg/>');
  writeFileSync(join(again, 'charts', 'notes.txt'), 'mine');
  const r2 = await capture(() => main(['report', join(dir, 'run'), '-o', again]));
  t.equal(r2.code, 0, r2.stderr);
  t.equal(readFileSync(join(again, 'report.md'), 'utf8').replaceAll(again, dir), md, 'report OUT reads the store and gives the same report');
  t.notOk(existsSync(join(again, 'charts', 'contention-by-object.svg')), 'the stale chart is removed');

  // The reproduce line runs as it stands, over the report it came from, and gives the same report.
  const command = /```sh\n(.*)\n```/.exec(md)![1]!.split(' ');
  t.equal(command[0], 'vmreplay');
  const r3 = await capture(() => main(command.slice(1)));
  t.equal(r3.code, 0, r3.stderr);
  t.equal(readFileSync(join(dir, 'report.md'), 'utf8'), md, 'the reproduce command makes the same report');
  t.ok(existsSync(join(again, 'charts', 'notes.txt')), 'a file that is not ours stays');
});

t.test('strings from the trace are escaped in Markdown tables and in HTML', async (t) => {
  const dir = t.testdir();
  const r = await capture(() => main(['report', input('hostile-names.jsonl'), '-o', dir]));
  t.equal(r.code, 0, r.stderr);
  const md = readFileSync(join(dir, 'report.md'), 'utf8');
  golden(t, 'hostile-names.report.md', normalize(md, dir));
  t.notMatch(md, /(?<!\\)<(script|img)/, 'no unescaped tag in the Markdown');
  t.match(md, '| \\<script\\>alert(1)\\</script\\>\\|\\`sh\\` | 2 |', 'the command name stays in its cell: | and ` escaped');
  t.match(md, '| /bin/\\<img src=x onerror=alert(2)\\>\\|\\`sh\\` \\* \\& \\_x\\_ | 1 |', 'the object name too, its line break flattened');
  const rows = tableShapes(md);
  t.ok(rows.length > 20);
  t.same(
    rows.filter((r) => r.row !== r.header),
    [],
    'every table row has as many cells as its header',
  );
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  t.notMatch(html, /<script|<img|onerror=alert\(2\)>/, 'no tag from the trace in the HTML');
  t.match(html, '&lt;script&gt;alert(1)&lt;/script&gt;|`sh`');
  t.match(html, 'Content-Security-Policy');
  for (const svg of readFileSync(join(dir, 'report.html'), 'utf8').match(/<svg[\s\S]*?<\/svg>/g) ?? []) t.notMatch(svg, /<script|<img/);
});

t.test('escaping functions', async (t) => {
  t.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  t.equal(escapeMarkdown('vm_fault_object'), 'vm_fault_object', 'underscores inside a word stay readable');
  t.equal(escapeMarkdown('_x_ a|b `c` *d* [e](f) <g> ~h~ &i; #j !k'), '\\_x\\_ a\\|b \\`c\\` \\*d\\* \\[e\\](f) \\<g\\> \\~h\\~ \\&i; \\#j \\!k');
  t.equal(escapeMarkdown('a\nb\r\nc'), 'a b c');
  const doc = { title: 't', blocks: [para('1. not a list'), para('- nor this'), { kind: 'list' as const, items: [['2) x'], ['+ y'], ['ok']] }] };
  t.equal(
    renderMarkdown(doc, (n) => n),
    '# t\n\n1\\. not a list\n\n\\- nor this\n\n- 2\\) x\n- \\+ y\n- ok\n',
    'a trace string cannot start a list',
  );
  t.equal(codeSpan('a`b'), '``a`b``');
  t.equal(codeSpan('`x'), '`` `x ``');
  t.equal(codeSpan('a|b'), '`a\\|b`');
});

t.test('charts: text needs the bundled font', async (t) => {
  const svg = await chart({
    title: 'Title text',
    width: 200,
    height: 100,
    data: { values: [{ a: 'label one', b: 2 }] },
    mark: 'bar',
    encoding: { y: { field: 'a' }, x: { field: 'b', type: 'quantitative' } },
  });
  const withFont = pixelStats(decodePng(svgToPng(svg)));
  const noFont = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
    font: { fontFiles: [], loadSystemFonts: false, defaultFontFamily: CHART_FONT },
  });
  const without = pixelStats(decodePng(noFont.render().asPng()));
  t.ok(withFont.dark > without.dark + 300, `text pixels come from the font file (${withFont.dark} with it, ${without.dark} without)`);
  t.equal(chartFontFiles().filter(existsSync).length, 2, 'the DejaVu Sans files are found');
});

/** One fault during which the captured kernel logged its own token acquisition. */
const OBSERVED_TRACE = [
  { ts: 1000000000, cpu: 0, event: 'proc_exec', pid: 100, path: '/bin/sh', comm: 'sh', tid: 100100 },
  { ts: 1000000500, cpu: 0, event: 'obj_name', obj: '0xfffff80010a3c000', otype: 'vnode', name: '/bin/sh' },
  { ts: 1000002000, cpu: 0, event: 'fault_begin', tid: 100100, pid: 100, va: '0x400000', ftype: 'R', fflags: '0x4', nthreads: 1, comm: 'sh' },
  { ts: 1000002100, cpu: 0, event: 'fault_obj', tid: 100100, depth: 0, obj: '0xfffff80010a3c000', otype: 'vnode', page: 'valid', backing: 0 },
  { ts: 1000002200, cpu: 0, event: 'obj_lock', tid: 100100, obj: '0xfffff80010a3c000', op: 'acq', mode: 'S', site: 'vm_fault', class: 'token' },
  { ts: 1000002300, cpu: 0, event: 'obj_lock', tid: 100100, obj: '0xfffff80010a3c000', op: 'rel', mode: 'S', site: 'vm_fault', class: 'token' },
  { ts: 1000002400, cpu: 0, event: 'fault_end', tid: 100100, rc: 0, depth: 0, action: 'map' },
];

t.test("a trace with the kernel's own obj_lock events: observed vs predicted, table and chart", async (t) => {
  const dir = t.testdir({ 'observed.jsonl': OBSERVED_TRACE.map((e) => JSON.stringify(e)).join('\n') + '\n' });
  const r = await capture(() => main(['report', join(dir, 'observed.jsonl'), '-o', join(dir, 'report')]));
  t.equal(r.code, 0, r.stderr);
  const md = readFileSync(join(dir, 'report', 'report.md'), 'utf8');
  t.match(md, '| old | 1 | 0 | 0 | 100.0% |');
  t.match(md, '](charts/observed-vs-predicted.png)');
  t.match(md, 'X token acquisitions per site: none on this trace.', 'a chart without data is named as not drawn');
  const png = pixelStats(decodePng(readFileSync(join(dir, 'report', 'charts', 'observed-vs-predicted.png'))));
  t.ok(png.dark > 300 && png.colours > 8, 'the chart has text and coloured marks');
  t.match(readFileSync(join(dir, 'report', 'charts', 'observed-vs-predicted.svg'), 'utf8'), />vm_fault</);
});

t.test('what the readers noted and warned of is stored with the run and shown in "What the trace covers"', async (t) => {
  const dir = t.testdir();
  const cases = [
    ['basic-s.ktr', /^- `traces\/fixtures\/basic-s\.ktr`: relative timestamps \(ktrdump -r -s\): rebuilt by adding up the deltas/m],
    ['basic.dtrace.zst', /^- `traces\/fixtures\/basic\.dtrace\.zst`: zstd-compressed$/m],
    ['kit-freebsd.dtrace', /^- `traces\/fixtures\/kit-freebsd\.dtrace`: \*\*warning:\*\* dtrace dropped 12 events/m],
  ] as const;
  for (const [name, shown] of cases) {
    const out = join(dir, name);
    const r = await capture(() => main(['report', input(name), '-o', out]));
    t.equal(r.code, 0, r.stderr);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    const section = md.slice(md.indexOf('## What the trace covers'), md.indexOf('## How to reproduce it'));
    t.match(section, '### What the readers noted', name);
    t.match(section, shown, `${name}: the reader's words, under the file's name`);
    // The same words the replay's summary printed, every one of them.
    const said = [...r.stdout.replace(/\n {2}/g, ' ').matchAll(/^input \S+: (warning: )?(.*)$/gm)];
    t.ok(said.length > 0, `${name}: the summary has notes`);
    const listed = section.replace(/\*\*warning:\*\* /g, 'warning: ').replace(/\\(.)/g, '$1'); // Markdown escapes undone
    for (const [, warning, text] of said) t.ok(listed.includes(`${warning ?? ''}${text}`), `${name}: ${warning ?? ''}${text}`);
  }
});

t.test('the glossary: every term a table column uses is defined once, and the first use links to it', async (t) => {
  const dir = t.testdir();
  const r = await capture(() => main(['report', input('basic.ktr'), '-o', dir]));
  t.equal(r.code, 0, r.stderr);
  const md = readFileSync(join(dir, 'report.md'), 'utf8');
  const glossary = md.slice(md.indexOf('## Glossary'));
  for (const term of ['B1-B4', 'token_livelock', 'attempts', 'restarts', 'exec_map_page re-acquire']) t.match(glossary, term, `${term} is defined`);
  const links = [...md.matchAll(/\]\(#(term-[a-z0-9-]+)\)/g)].map((m) => m[1]!);
  t.ok(links.length >= 8, `${links.length} column headings link to the glossary`);
  t.same([...new Set(links)], links, 'only the first use of a term links');
  for (const id of links) t.match(glossary, `<a id="${id}"></a>`, `#${id} has its entry`);
  t.match(md, /\| \[back-downs \(B1-B4\)\]\(#term-b1-b4\) \| \[exec re-acquires\]\(#term-exec\) \|/, 'B1-B4 and the exec re-acquire are apart');
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  t.match(html, '<th class="r"><a href="#term-restart">restarts</a></th>');
  t.match(html, '<dt id="term-restart">restarts</dt>');
});

t.test('process attribution: a thread seen in its process only later counts for that process', async (t) => {
  const trace = [
    { ts: 1000000000, cpu: 0, event: 'obj_name', obj: '0xfffff80010a3c000', otype: 'vnode', name: '/usr/bin/make' },
    // Site events name only the thread: its process is not known yet.
    { ts: 1000001000, cpu: 0, event: 'page_grab', tid: 200101, obj: '0xfffff80010a3c000', page: 'absent', site: 'vm_fault_object_page' },
    { ts: 1000002000, cpu: 0, event: 'obj_ref', tid: 200101, obj: '0xfffff80010a3c000', otype: 'vnode', ref: 4, delta: 1, site: 'vm_map_insert' },
    { ts: 1000003000, cpu: 0, event: 'fault_begin', tid: 200101, pid: 2001, va: '0x400000', ftype: 'R', fflags: '0x4', nthreads: 1, comm: 'make' },
    { ts: 1000003100, cpu: 0, event: 'fault_obj', tid: 200101, depth: 0, obj: '0xfffff80010a3c000', otype: 'vnode', page: 'valid', backing: 0 },
    { ts: 1000003300, cpu: 0, event: 'fault_end', tid: 200101, rc: 0, depth: 0, action: 'map' },
  ];
  const dir = t.testdir({ 'late.jsonl': trace.map((e) => JSON.stringify(e)).join('\n') + '\n' });
  const r = await capture(() => main(['report', join(dir, 'late.jsonl'), '-o', join(dir, 'report')]));
  t.equal(r.code, 0, r.stderr);
  const md = readFileSync(join(dir, 'report', 'report.md'), 'utf8');
  t.match(md, '| make | 1 | 2 | 1 | 1 | 1 | 1 |', 'the X of the page_grab and obj_ref before the fault named pid 2001 count for make');
  t.notMatch(md, '(no command name)', 'nothing left unattributed');
});

t.test('contention per lock, its sensitivity to --hold-scale, and time in one unit per column', async (t) => {
  const dir = t.testdir();
  const r = await capture(() => main(['report', input('basic.ktr'), '-o', dir]));
  t.equal(r.code, 0, r.stderr);
  const md = readFileSync(join(dir, 'report.md'), 'utf8');
  t.match(md, '| object | model | acquisitions | total hold | avg hold | max hold | waits | total wait | max wait |', 'per object, as lockstat');
  t.match(md, /\| `vm_fault` \| old \| \d+ \| [\d.]+ µs \| [\d.]+ (ns|µs) \| [\d.]+ (ns|µs) \| 0 \| 0 ns \| 0 ns \|/, 'per site, as lockstat');
  t.match(
    md,
    /^- `new`: 0\.5x: \d+ waits, [\d.]+ \S+; 1x: 0 waits, 0 ns; 2x: \d+ waits, [\d.]+ \S+\.$/m,
    "the estimate at 0.5x, 1x and 2x the hold scale, 1x the replay's own",
  );
  t.notMatch(md, /\d\.\d\d ns/, 'nanoseconds are whole');
  const unit = timeUnit([96050, 12]);
  t.equal(inUnit(96050, unit), '96.0 µs');
  t.equal(inUnit(12, unit), '0.01 µs', 'a column keeps the unit of its largest figure');
  t.equal(inUnit(96050, timeUnit([0])), '96050 ns');
});

t.test('charts: steps for time buckets, legends only for models with data, labels cut in the middle', async (t) => {
  const dir = t.testdir();
  const r = await capture(() => main(['report', input('basic.ktr'), '-o', dir]));
  t.equal(r.code, 0, r.stderr);
  const spec = (name: string) => JSON.parse(readFileSync(join(dir, 'charts', `${name}.vl.json`), 'utf8'));
  t.equal(spec('saved-over-time').mark.interpolate, 'step-after', 'discrete buckets drawn as steps');
  t.same(spec('backdowns-by-rule').encoding.color.scale.domain, ['new', 'new-fixed'], 'old never backs down: not in the legend');
  t.equal(middleTruncate('/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.33'), '/usr/lib/x86_64-lin…/libstdc++.so.6.0.33');
  t.equal(middleTruncate('/usr/lib/x86_64-linux-gnu/libc.so.6').length <= 40, true);
  t.not(
    middleTruncate('/usr/lib/x86_64-linux-gnu/libm.so.6.0.0.long.name'),
    middleTruncate('/usr/lib/x86_64-linux-gnu/libz.so.6.0.0.long.name'),
    'two files with one long prefix stay apart',
  );
});

t.test('a Linux capture: the Linux section and banners stay first, the summary follows', async (t) => {
  const dir = t.testdir();
  const capture1 = relative(process.cwd(), join(import.meta.dirname, '..', '..', 'traces', 'real', 'linux-coldfile.perf.txt.gz'));
  const r = await capture(() => main(['report', capture1, '-o', join(dir, 'linux')]));
  t.equal(r.code, 0, r.stderr);
  const md = readFileSync(join(dir, 'linux', 'report.md'), 'utf8');
  t.ok(md.indexOf('## Linux: mmap_lock acquisitions saved') < md.indexOf('## Summary'), 'the Linux section first');
  t.match(md, /^- `linux-vma`: saves \d+ of \d+ mm lock acquisitions \([\d.]+%\) against `linux-mmap`; precision/m);
  const glossary = md.slice(md.indexOf('## Glossary'));
  t.match(glossary, '**mm lock**');
  t.match(glossary, '**fallback, mm_reason**');
  t.notMatch(glossary, 'B1-B4', 'no DragonFly term without a DragonFly model');
  t.match(md, /^- `linux-vma`: .*Rules by kernel version, .*uname -r.*per-VMA locks from 6\.4/m, 'the Linux version rules the model used');

  // DragonFly models on a Linux capture: the proxy banner first, and their saving against the first of them.
  const p = await capture(() => main(['report', join(dir, 'linux', 'run'), '-o', join(dir, 'proxy')]));
  t.equal(p.code, 0, p.stderr);
  const proxy = await capture(() => main(['report', capture1, '-o', join(dir, 'proxy'), '--models', 'linux-mmap,linux-vma,old,new']));
  t.equal(proxy.code, 0, proxy.stderr);
  const pmd = readFileSync(join(dir, 'proxy', 'report.md'), 'utf8');
  t.match(pmd.split('\n')[2], /^> \*\*Proxy: DragonFly models replayed a Linux capture/, 'the proxy banner opens the report');
  t.match(pmd, /^- `new`: saves \d+ of \d+ X token acquisitions \([\d.]+%\) against `old`/m, 'DragonFly models against old, not linux-mmap');
});
