// Names from a trace holding ESC, BEL, NUL, C1 and bidirectional controls,
// `<script>`, `|` and backticks: what goes to a terminal or into Markdown,
// HTML and SVG shows the control characters as escapes (`\x1b`), while CSV
// and JSON keep the exact values.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli.js';
import { escapeControls, terminalText } from '../../src/common/printable.js';
import { capture, fixture } from '../helpers.js';

const HOSTILE_COMM = 'sh\u001b]0;pwned\u0007\u001b[2J\u0000\u0085\u202e|`x`<script>';
const HOSTILE_PATH = '/bin/\u001b[31mred\u0007';
/** Any raw control character a terminal or an XML parser would act on. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;

const root = t.testdir();
const trace = join(root, 'hostile.jsonl');
const run = join(root, 'run');
t.before(async () => {
  const text = readFileSync(fixture('hostile-names.jsonl'), 'utf8')
    .replaceAll('"comm":"<script>alert(1)</script>|`sh`"', `"comm":${JSON.stringify(HOSTILE_COMM)}`)
    .replaceAll('"path":"/bin/sh"', `"path":${JSON.stringify(HOSTILE_PATH)}`)
    .replaceAll('"site":"vm_map_lookup"', `"site":${JSON.stringify('vm_map\u001b[1mlookup\u0007')}`);
  writeFileSync(trace, text);
  const r = await capture(() => main(['replay', trace, '-o', run]));
  if (r.code !== 0) throw new Error(r.stderr);
  t.notMatch(r.stdout + r.stderr, RAW_CONTROL, 'the replay summary shows no raw control character');
});

t.test('the escapes', async (t) => {
  t.equal(escapeControls('a\u001bb\u0007c\nd\u0000\u009b\u202e'), 'a\\x1bb\\x07c\\x0ad\\x00\\x9b\\u202e');
  t.equal(terminalText('line \u001b[2J\none\n'), 'line \\x1b[2J\none\n', 'lines kept');
});

t.test('rejected lines are echoed with their control characters escaped', async (t) => {
  const bad = join(root, 'bad.dtrace');
  writeFileSync(bad, '5000000000 0 fault_begin tid=1\n5000001100 0 fault_begin \u001b]0;pwned\u0007\u001b[2J tid=1\n');
  const loose = await capture(() => main(['validate', bad]));
  t.equal(loose.code, 1);
  t.notMatch(loose.stdout + loose.stderr, RAW_CONTROL);
  t.match(loose.stdout, "found '\\x1b]0;pwned\\x07\\x1b[2J'");
  const strict = await capture(() => main(['validate', '--strict', join(root, 'bad.dtrace'), '--format', 'dtrace']));
  t.equal(strict.code, 2);
  t.notMatch(strict.stdout + strict.stderr, RAW_CONTROL);
});

t.test('query: the table format escapes, CSV and JSON keep the exact values', async (t) => {
  for (const name of ['processes', 'saved_by_process']) {
    const table = await capture(() => main(['query', run, name]));
    t.equal(table.code, 0, table.stderr);
    t.notMatch(table.stdout, RAW_CONTROL, name);
    t.match(table.stdout, 'sh\\x1b]0;pwned\\x07\\x1b[2J\\x00\\x85\\u202e|`x`<script>', name);
    t.match(table.stdout, '/bin/\\x1b[31mred\\x07', name);
  }
  const csv = await capture(() => main(['query', run, 'SELECT comm, path FROM processes WHERE pid = 100', '--format', 'csv']));
  t.equal(csv.stdout, `comm,path\n${HOSTILE_COMM},${HOSTILE_PATH}\n`, 'CSV: exact');
  const json = await capture(() => main(['query', run, 'SELECT comm, path FROM processes WHERE pid = 100', '--format', 'json']));
  t.same(JSON.parse(json.stdout), [{ comm: HOSTILE_COMM, path: HOSTILE_PATH }], 'JSON: exact');
  t.notMatch(json.stdout, /[\u0000-\u0009\u000b-\u001f]/, "JSON's own escapes");
});

t.test('report.md and compare hold no raw control character', async (t) => {
  const out = join(root, 'report');
  const r = await capture(() => main(['report', run, '-o', out]));
  t.equal(r.code, 0, r.stderr);
  t.notMatch(r.stdout + r.stderr, RAW_CONTROL);
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  t.notMatch(md, RAW_CONTROL, 'report.md');
  t.match(md, 'pwned\\\\x07', 'shown escaped');
  const compare = await capture(() => main(['compare', run, run]));
  t.equal(compare.code, 0, compare.stderr);
  t.notMatch(compare.stdout + compare.stderr, RAW_CONTROL, 'compare');
});
t.test('report.html and every chart escape control characters (valid XML, rendered)', async (t) => {
  const out = join(root, 'report-html');
  const r = await capture(() => main(['report', run, '-o', out]));
  t.equal(r.code, 0, r.stderr);
  t.notMatch(readFileSync(join(out, 'report.html'), 'utf8'), RAW_CONTROL, 'report.html');
  for (const svg of readdirSync(join(out, 'charts')).filter((f) => f.endsWith('.svg'))) {
    t.notMatch(readFileSync(join(out, 'charts', svg), 'utf8'), RAW_CONTROL, svg);
  }
});

t.test('a chart labelled with control characters is valid XML that resvg renders', async (t) => {
  const { chart, svgToPng } = await import('../../src/report/charts/render.js');
  const svg = await chart({
    data: {
      values: [
        { object: '/bin/\u001b[31mred\u0007\u0000', n: 3 },
        { object: 'vnode\u0085\u0001', n: 1 },
      ],
    },
    mark: 'bar',
    encoding: { y: { field: 'object', type: 'nominal' }, x: { field: 'n', type: 'quantitative' } },
  });
  t.notMatch(svg, RAW_CONTROL);
  t.match(svg, '/bin/\\x1b[31mred\\x07\\x00');
  t.ok(svgToPng(svg).length > 0, 'rendered');
});

t.test('the Perfetto JSON keeps the names exactly, with JSON escapes only', async (t) => {
  const file = join(root, 'trace.json');
  const r = await capture(() => main(['export', run, '--perfetto', file]));
  t.equal(r.code, 0, r.stderr);
  t.notMatch(r.stdout + r.stderr, RAW_CONTROL);
  const text = readFileSync(file, 'utf8');
  t.notMatch(text, /[\u0000-\u0009\u000b-\u001f]/, 'no raw C0 control character');
  t.ok(JSON.stringify(JSON.parse(text)).includes(JSON.stringify(HOSTILE_COMM).slice(1, -1)), 'the command name, exact');
});
