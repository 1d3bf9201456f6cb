// Two datasets side by side, trace by trace: the traces are matched by name
// (the partition `trace=NAME`, from the trace file's name), and each pair is
// compared as two runs are (compare.ts). Traces in only one dataset are named,
// not compared. A dataset against a single run has no such key, so the
// command refuses it and says what to do instead.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChartSpec } from './charts/specs.js';
import { SCHEMA } from './charts/specs.js';
import { type Comparison, compareRuns } from './compare.js';
import type { DatasetTraceData } from './dataset.js';
import { partitionDir } from './dataset.js';
import { type Block, type Cell, heading, type Inline, para, table } from './render/document.js';
import { renderHtml } from './render/html.js';
import { renderMarkdown } from './render/markdown.js';
import { CHARTS_DIR, writeChartFiles } from './write.js';
import { COMPARE_FILES, comparisonMarkdown, writeComparison } from './write-compare.js';

export interface DatasetComparison {
  readonly a: { readonly dir: string; readonly traces: readonly string[] };
  readonly b: { readonly dir: string; readonly traces: readonly string[] };
  /** the traces both datasets have, in A's order, each compared as two runs */
  readonly traces: readonly { readonly trace: string; readonly comparison: Comparison }[];
  readonly onlyInA: readonly string[];
  readonly onlyInB: readonly string[];
}

/** Compare the traces of A and B that have the same name; null when they have none in common. */
export function compareDatasets(aDir: string, a: readonly DatasetTraceData[], bDir: string, b: readonly DatasetTraceData[]): DatasetComparison | null {
  const inB = new Map(b.map((t) => [t.name, t]));
  const both = a.filter((t) => inB.has(t.name));
  if (both.length === 0) return null;
  return {
    a: { dir: aDir, traces: a.map((t) => t.name) },
    b: { dir: bDir, traces: b.map((t) => t.name) },
    traces: both.map((t) => ({ trace: t.name, comparison: compareRuns(t.data, inB.get(t.name)!.data) })),
    onlyInA: a.filter((t) => !inB.has(t.name)).map((t) => t.name),
    onlyInB: b.filter((t) => !a.some((x) => x.name === t.name)).map((t) => t.name),
  };
}

/** X saved against the baseline, in percent, per trace in A and in B, under the first model after the baseline. */
export function datasetComparisonChart(c: DatasetComparison): ChartSpec | null {
  const first = c.traces[0]!.comparison;
  const model = first.models.find((m) => m !== first.baseline);
  if (model === undefined) return null;
  const values = c.traces.flatMap(({ trace, comparison }) => {
    const saved = comparison.headline.find((h) => h.model === model)?.figures.savedXPct;
    return saved
      ? [
          { trace, run: 'A', saved: saved.a },
          { trace, run: 'B', saved: saved.b },
        ]
      : [];
  });
  if (values.length === 0) return null;
  return {
    name: 'compare-saved-by-trace',
    title: `X token acquisitions saved by ${model} against the baseline, in percent, per trace in A and B`,
    spec: {
      $schema: SCHEMA,
      title: `X saved by ${model} per trace: A vs B`,
      width: Math.max(360, Math.min(720, c.traces.length * 96)),
      height: 220,
      data: { values },
      mark: 'bar',
      encoding: {
        x: { field: 'trace', type: 'nominal', sort: c.traces.map((t) => t.trace), title: 'trace', axis: { labelAngle: 0, labelLimit: 160 } },
        xOffset: { field: 'run', type: 'nominal', sort: ['A', 'B'] },
        y: { field: 'saved', type: 'quantitative', title: 'X saved, % of the baseline' },
        color: { field: 'run', type: 'nominal', title: 'run', scale: { domain: ['A', 'B'], range: ['#4c78a8', '#f58518'] } },
      },
    },
  };
}

export const datasetComparisonJson = (c: DatasetComparison): string => JSON.stringify(c, null, 2) + '\n';

/** The page across traces; `compareFile` is what each trace's link points to (compare.md or compare.html), or null for no links. */
export function buildDatasetComparison(c: DatasetComparison, compareFile: string | null, charts: readonly ChartSpec[] = []): Block[] {
  const rows: Cell[][] = c.traces.flatMap(({ trace, comparison }) =>
    comparison.headline.map((h) => {
      const f = h.figures;
      const pct = (v: number) => `${Number(v.toFixed(2))}%`;
      const base = h.model === comparison.baseline;
      return [
        trace,
        h.model,
        f.xTokens!.a,
        f.xTokens!.b,
        f.xTokens!.delta,
        base ? null : pct(f.savedXPct!.a),
        base ? null : pct(f.savedXPct!.b),
        f.hazards!.a,
        f.hazards!.b,
        f.waits!.a,
        f.waits!.b,
      ];
    }),
  );
  const notes: Inline[][] = [];
  if (c.onlyInA.length) notes.push([`Only in A, not compared: ${c.onlyInA.join(', ')}.`]);
  if (c.onlyInB.length) notes.push([`Only in B, not compared: ${c.onlyInB.join(', ')}.`]);
  const blocks: Block[] = [
    {
      kind: 'list',
      items: [
        [`A: dataset ${c.a.dir} (${c.a.traces.join(', ')})`],
        [`B: dataset ${c.b.dir} (${c.b.traces.join(', ')})`],
        [`Traces are matched by name; ${c.traces.length} in both: ${c.traces.map((t) => t.trace).join(', ')}.`],
        ...notes,
      ],
    },
    heading(2, 'Headline per trace'),
    para('Per trace and model, A and B. "Saved" is X object token acquisitions saved against each trace\'s own baseline; waits are the contention estimate.'),
    table(['trace', 'model', 'X tokens A', 'X tokens B', 'B − A', 'saved % A', 'saved % B', 'hazards A', 'hazards B', 'waits A', 'waits B'], rows),
    ...charts.map((chart): Block => ({ kind: 'chart', name: chart.name, title: chart.title })),
    heading(2, 'Each trace'),
  ];
  for (const { trace, comparison } of c.traces) {
    const parts: Inline[] = [comparison.differences.join(' ')];
    if (compareFile !== null) {
      const href = `${partitionDir(trace)}/${compareFile}`;
      parts.push(' The whole comparison (headline figures as deltas, sites, object types, objects, processes): ', { link: href, href }, '.');
    }
    blocks.push(heading(3, trace), para(...parts));
  }
  return blocks;
}

/** The comparison as Markdown for standard output: the page across traces, then each trace's comparison in full. */
export function datasetComparisonMarkdown(c: DatasetComparison, title: string): string {
  const page = renderMarkdown({ title, blocks: buildDatasetComparison(c, null) }, (name) => name);
  return [page, ...c.traces.map((t) => comparisonMarkdown(t.comparison, `trace ${t.trace}: A vs B`))].join('\n');
}

/** Write compare.md, compare.html and compare.json across traces into `outDir`, and each trace's comparison into `outDir`/trace=NAME/. */
export async function writeDatasetComparison(c: DatasetComparison, title: string, outDir: string): Promise<string[]> {
  for (const t of c.traces) await writeComparison(t.comparison, `${title}, trace ${t.trace}`, join(outDir, partitionDir(t.trace)));
  const spec = datasetComparisonChart(c);
  const charts = spec ? [spec] : [];
  const svgs = await writeChartFiles(charts, join(outDir, CHARTS_DIR));
  const paths = [join(outDir, COMPARE_FILES.markdown), join(outDir, COMPARE_FILES.html), join(outDir, COMPARE_FILES.json)];
  await writeFile(
    paths[0]!,
    renderMarkdown({ title, blocks: buildDatasetComparison(c, COMPARE_FILES.markdown, charts) }, (name) => `${CHARTS_DIR}/${name}.png`),
  );
  await writeFile(
    paths[1]!,
    renderHtml({ title, blocks: buildDatasetComparison(c, COMPARE_FILES.html, charts) }, (name) => svgs.get(name) ?? ''),
  );
  await writeFile(paths[2]!, datasetComparisonJson(c));
  return paths;
}
