// The lists a newcomer would otherwise keep in sync by hand follow from the
// registries: --format names, trace file extensions and synth's framings from
// the framings, chart names from the chart registry.

import t from 'tap';
import {
  BINARY_FRAMINGS,
  FORMATS,
  FRAMINGS,
  TRACE_EXTENSIONS,
  WRITABLE_EXTENSIONS,
  WRITABLE_FORMATS,
  writableFormatOf,
  WRITERS,
} from '../../src/ingest/registry.js';
import { traceStem } from '../../src/ingest/source/trace-files.js';
import { CHART_NAMES, REPORT_CHARTS } from '../../src/report/charts/specs.js';
import { DATASET_CHART_NAMES } from '../../src/report/charts/dataset.js';

t.test('--format names, trace extensions and writable framings come from the framing registry', async (t) => {
  const all = [...FRAMINGS, ...BINARY_FRAMINGS];
  t.same(FORMATS, ['ktr', 'dtrace', 'jsonl', 'csv', 'perf', 'perf-data']);
  t.same(
    FORMATS,
    all.map((f) => f.name),
    'every framing, text ones first',
  );
  t.same(TRACE_EXTENSIONS, ['ktr', 'dtrace', 'jsonl', 'csv', 'perf', 'data', 'txt', 'trace', 'log']);
  for (const f of all) for (const ext of f.extensions) t.ok(TRACE_EXTENSIONS.includes(ext), `${f.name}: .${ext} names a trace`);
  for (const f of all) t.equal(traceStem(`cpu8.${f.extensions[0]}.zst`), 'cpu8', `${f.name}: its extension is stripped from a trace's name`);
  t.same(WRITABLE_FORMATS, ['ktr', 'dtrace', 'jsonl', 'csv'], 'the framings with a writer, in registry order');
  t.same([...WRITABLE_FORMATS].sort(), Object.keys(WRITERS).sort());
  t.same(WRITABLE_EXTENSIONS, ['ktr', 'dtrace', 'jsonl', 'csv']);
  t.same(
    ['a.ktr', 'b.csv.gz', 'c.zst', 'd.jsonl', 'e.dtrace.zst', 'f.perf', 'g', 'x.ktr/y'].map(writableFormatOf),
    ['ktr', 'csv', null, 'jsonl', 'dtrace', null, null, null],
    'a file name names its writable framing by extension',
  );
});

t.test('chart names come from the chart registries', async (t) => {
  t.same(
    CHART_NAMES,
    REPORT_CHARTS.map((c) => c.name),
  );
  t.same(CHART_NAMES, ['saved-over-time', 'x-by-site', 'backdowns-by-rule', 'contention-by-object', 'observed-vs-predicted']);
  t.same(DATASET_CHART_NAMES, ['saved-by-trace', 'waits-by-trace']);
  t.equal(new Set([...CHART_NAMES, ...DATASET_CHART_NAMES]).size, CHART_NAMES.length + DATASET_CHART_NAMES.length, 'no two charts share a file name');
});
