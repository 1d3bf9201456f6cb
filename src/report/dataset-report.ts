// The report of a dataset (`vmreplay replay --dataset ... -o OUT`): one page
// across the traces, then each trace's own report. The page has the headline
// per trace and model and the charts per trace; each partition OUT/trace=NAME/
// is a whole run, so its report is the single-run report (write.ts), written
// into DIR/trace=NAME/ and linked from the page. Markdown links the Markdown
// reports, HTML the HTML ones; every HTML page is self-contained.

import { rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { knobArgs, shellWord } from './build.js';
import { DATASET_CHART_NAMES, datasetCharts } from './charts/dataset.js';
import { CHART_NAMES, type ChartSpec } from './charts/specs.js';
import { commonModels, type Dataset, type DatasetTraceData, partitionDir } from './dataset.js';
import { type Block, type Cell, code, heading, type Inline, para, strong, table } from './render/document.js';
import { renderHtml } from './render/html.js';
import { renderMarkdown } from './render/markdown.js';
import { removeStaleTraceReports, type StaleTraceReports } from './stale-trace-reports.js';
import { inUnit, percent, timeUnit } from './render/text-table.js';
import { CHART_FILES, CHARTS_DIR, REPORT_HTML, REPORT_MD, writeChartFiles, writeReport } from './write.js';

export interface WrittenDatasetReport {
  readonly markdown: string;
  readonly html: string;
  readonly charts: readonly string[];
  /** each trace's own report: its directory and files */
  readonly traces: readonly { readonly name: string; readonly dir: string; readonly markdown: string; readonly html: string }[];
  /** report folders of traces no longer in the dataset: removed, or kept as they hold more than a report */
  readonly stale: StaleTraceReports;
}

export function datasetTitle(dataset: Dataset): string {
  const names = dataset.traces.map((t) => t.name);
  return `vmreplay report: a dataset of ${names.length} trace${names.length === 1 ? '' : 's'} (${names.join(', ')})`;
}

/**
 * Write each trace's report into `outDir`/trace=NAME/, then the dataset's report.md, report.html and charts into `outDir`;
 * then remove the report folders of traces the dataset no longer has (see stale-trace-reports.ts).
 */
export async function writeDatasetReport(dataset: Dataset, outDir: string): Promise<WrittenDatasetReport> {
  const traces: DatasetTraceData[] = [];
  const written: WrittenDatasetReport['traces'][number][] = [];
  for (const t of dataset.traces) {
    const dir = join(outDir, partitionDir(t.name));
    const w = await writeReport(t.dir, dir, (file) => [
      para(`Trace ${t.name} of a dataset of ${dataset.traces.length}; the report across the traces: `, { link: `../${file}`, href: `../${file}` }, '.'),
    ]);
    traces.push({ ...t, data: w.data });
    written.push({ name: t.name, dir, markdown: w.markdown, html: w.html });
  }
  const models = commonModels(traces);
  const baseline = traces[0]!.data.baseline;
  const specs = datasetCharts(traces, models, baseline);

  // Charts of an earlier report here (of the dataset, or of a run this directory held before) that this one lacks are stale.
  const drawn = new Set(specs.map((c) => c.name));
  for (const name of [...DATASET_CHART_NAMES, ...CHART_NAMES].filter((n) => !drawn.has(n))) {
    for (const ext of CHART_FILES) await rm(join(outDir, CHARTS_DIR, `${name}${ext}`), { force: true });
  }
  const svgs = await writeChartFiles(specs, join(outDir, CHARTS_DIR));
  const title = datasetTitle(dataset);
  const markdown = join(outDir, REPORT_MD);
  const html = join(outDir, REPORT_HTML);
  const md = { title, blocks: buildDatasetReport(dataset, traces, specs, REPORT_MD) };
  const page = { title, blocks: buildDatasetReport(dataset, traces, specs, REPORT_HTML) };
  await writeFile(
    markdown,
    renderMarkdown(md, (name) => `${CHARTS_DIR}/${name}.png`),
  );
  await writeFile(
    html,
    renderHtml(page, (name) => svgs.get(name) ?? ''),
  );
  // Reports of traces the dataset no longer has would read as current (never touched when outDir is the dataset).
  const stale = await removeStaleTraceReports(
    outDir,
    dataset.dir,
    dataset.traces.map((t) => partitionDir(t.name)),
  );
  return { markdown, html, charts: specs.map((c) => c.name), traces: written, stale };
}

/** The dataset's page; `reportFile` is the file each trace's link points to (report.md or report.html). */
export function buildDatasetReport(dataset: Dataset, traces: readonly DatasetTraceData[], charts: readonly ChartSpec[], reportFile: string): Block[] {
  return [...banner(traces), ...headline(traces), ...chartSection(traces, charts), ...perTrace(traces, reportFile), ...reproduce(dataset, traces)];
}

function banner(traces: readonly DatasetTraceData[]): Block[] {
  const generated = traces.filter((t) => t.data.run.synthetic);
  if (generated.length === 0) return [];
  const which =
    generated.length === traces.length ? 'Every trace of this dataset is generated' : `Generated traces: ${generated.map((t) => t.name).join(', ')}`;
  return [{ kind: 'banner', parts: [`${which}: their figures describe a simulated workload, not a measured one.`] }];
}

function headline(traces: readonly DatasetTraceData[]): Block[] {
  const models = commonModels(traces);
  const baselines = [...new Set(traces.map((t) => t.data.baseline))];
  const base = baselines[0]!;
  const waitUnit = timeUnit(traces.flatMap((t) => t.data.summary.map((s) => s.waitNs)));
  const rows: Cell[][] = traces.flatMap((t) => {
    const baseX = t.data.summary.find((s) => s.model === t.data.baseline)?.xTokens ?? 0;
    return models.flatMap((m): Cell[][] => {
      const s = t.data.summary.find((r) => r.model === m);
      if (!s) return [];
      const isBase = m === t.data.baseline;
      return [
        [
          t.name,
          m,
          s.faults,
          s.xTokens,
          isBase ? null : s.savedX,
          isBase ? null : percent(s.savedX, baseX),
          s.backdowns,
          s.hazards,
          s.waits,
          inUnit(s.waitNs, waitUnit),
        ],
      ];
    });
  });
  const blocks: Block[] = [
    heading(2, 'Headline per trace'),
    para(
      strong('What "saved" counts:'),
      ` exclusive (X) acquisitions of VM object tokens, ${base}'s count minus the model's, on the same trace. `,
      'Each trace was replayed on its own: its figures are those of its own report (linked below), and nothing is summed across traces. ',
      'Waits are the contention estimate (a token acquisition that finds the token held in a conflicting mode).',
    ),
    table(['trace', 'model', 'faults', 'X tokens', `X saved vs ${base}`, 'saved %', 'back-downs', 'hazards', 'waits', 'wait time'], rows),
  ];
  const notes: Inline[][] = [];
  if (baselines.length > 1) notes.push([`The traces have different baselines (${baselines.join(', ')}); each trace's saving is against its own.`]);
  const partial = traces.filter((t) => t.data.models.some((m) => !models.includes(m)));
  if (partial.length > 0) notes.push([`Only the models every trace has are shown (${models.join(', ')}); each trace's report has all of its own.`]);
  if (notes.length) blocks.push({ kind: 'list', items: notes });
  return blocks;
}

function chartSection(traces: readonly DatasetTraceData[], charts: readonly ChartSpec[]): Block[] {
  const blocks: Block[] = [heading(2, 'Charts')];
  for (const c of charts) blocks.push({ kind: 'chart', name: c.name, title: c.title });
  const has = new Set(charts.map((c) => c.name));
  const missing: Inline[][] = [];
  if (!has.has('saved-by-trace')) missing.push(['Saved X per trace: there is no model besides the baseline, or no trace has X token acquisitions.']);
  if (!has.has('waits-by-trace')) missing.push([`Waiting time per trace: the estimate found no waits on ${traces.length === 1 ? 'the trace' : 'any trace'}.`]);
  if (missing.length) blocks.push(para('Not drawn:'), { kind: 'list', items: missing });
  return blocks;
}

function perTrace(traces: readonly DatasetTraceData[], reportFile: string): Block[] {
  const blocks: Block[] = [
    heading(2, 'Each trace'),
    para(
      'Each trace is a whole run in its partition directory, with its own report: where the savings come from (sites, object types, objects, processes), the cost side, the charts over time, and what the trace covers. ',
      code('vmreplay query OUT/trace=NAME VIEW'),
      ' queries one trace alone.',
    ),
  ];
  for (const t of traces) {
    const files = t.data.coverage.files;
    const events = files.reduce((n, f) => n + f.events, 0);
    const rejected = files.reduce((n, f) => n + f.rejected, 0);
    const dropped = files.reduce((n, f) => n + f.dropped, 0);
    const faults = t.data.summary.find((s) => s.model === t.data.baseline)?.faults ?? 0;
    const href = `${partitionDir(t.name)}/${reportFile}`;
    blocks.push(
      heading(3, t.name),
      para(
        code(t.input),
        `: ${events} events, ${faults} faults replayed, ${rejected} lines rejected, ${dropped} events dropped by the tracer`,
        t.data.run.synthetic ? ' (generated trace). ' : '. ',
        'Its report: ',
        { link: href, href },
        '.',
      ),
    );
  }
  return blocks;
}

function reproduce(dataset: Dataset, traces: readonly DatasetTraceData[]): Block[] {
  const first = traces[0]!.data;
  const out = shellWord(basename(dataset.dir));
  const replay = [
    'vmreplay',
    'replay',
    '--dataset',
    ...traces.map((t) => shellWord(t.input)),
    '-o',
    out,
    '--models',
    first.models.join(','),
    ...knobArgs(first.run.knobs),
  ];
  return [
    heading(2, 'How to reproduce it'),
    { kind: 'code', text: `${replay.join(' ')}\nvmreplay report ${out}` },
    {
      kind: 'list',
      items: [
        [
          `vmreplay ${first.run.version}; models ${first.models.join(', ')} (baseline ${first.baseline}); knobs `,
          code(
            Object.entries(first.run.knobs)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ') || 'none',
          ),
        ],
        ...traces.flatMap((t) =>
          t.data.run.inputs.map((i): Inline[] => [`${t.name}: ${i.path}, ${i.bytes ?? '?'} bytes, sha256 `, code(i.sha256 ?? 'unknown (standard input)')]),
        ),
      ],
    },
  ];
}
