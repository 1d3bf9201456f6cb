// Writing a run's report to a directory: report.md (charts linked as PNG),
// report.html (charts inlined as SVG, self-contained), and every chart as
// charts/NAME.vl.json (the Vega-Lite spec), .svg and .png.

import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildReport, reportTitle } from './build.js';
import { chart, svgToPng } from './charts/render.js';
import { CHART_NAMES, type ChartSpec, reportCharts } from './charts/specs.js';
import { loadReportData, type ReportData } from './data.js';
import type { Block } from './render/document.js';
import { renderHtml } from './render/html.js';
import { renderMarkdown } from './render/markdown.js';

export const REPORT_MD = 'report.md';
export const REPORT_HTML = 'report.html';
export const CHARTS_DIR = 'charts';
/** The files of one chart (see writeReport). */
export const CHART_FILES = ['.vl.json', '.svg', '.png'] as const;

export interface WrittenReport {
  readonly markdown: string;
  readonly html: string;
  readonly charts: readonly string[];
  readonly data: ReportData;
}

/** Render every chart into `chartsDir` as NAME.vl.json, .svg and .png; returns each chart's SVG markup by name (for the HTML page). */
export async function writeChartFiles(specs: readonly ChartSpec[], chartsDir: string): Promise<Map<string, string>> {
  await mkdir(chartsDir, { recursive: true });
  const svgs = new Map<string, string>();
  for (const c of specs) {
    const svg = await chart(c.spec);
    svgs.set(c.name, svg);
    const stem = join(chartsDir, c.name);
    await writeFile(`${stem}.vl.json`, JSON.stringify(c.spec, null, 2) + '\n');
    await writeFile(`${stem}.svg`, svg);
    await writeFile(`${stem}.png`, svgToPng(svg));
  }
  return svgs;
}

/** Blocks put before a report, given the report file they go in (report.md or report.html), e.g. a link back to a dataset's page. */
export type Preface = (reportFile: string) => Block[];

/** Read the run in `runDir` and write its report into `outDir` (created if need be). */
export async function writeReport(runDir: string, outDir: string, preface: Preface = () => []): Promise<WrittenReport> {
  const data = await loadReportData(runDir);
  const specs = reportCharts(data);
  await mkdir(join(outDir, CHARTS_DIR), { recursive: true });
  // An earlier report's charts that this run does not have would be stale: remove them (ours only).
  const drawn = new Set(specs.map((c) => c.name));
  for (const name of CHART_NAMES.filter((n) => !drawn.has(n))) {
    for (const ext of CHART_FILES) await rm(join(outDir, CHARTS_DIR, `${name}${ext}`), { force: true });
  }
  const svgs = await writeChartFiles(specs, join(outDir, CHARTS_DIR));
  const blocks = buildReport(data, specs, outDir);
  const doc = (file: string) => ({ title: reportTitle(data), blocks: [...preface(file), ...blocks] });
  const markdown = join(outDir, REPORT_MD);
  const html = join(outDir, REPORT_HTML);
  await writeFile(
    markdown,
    renderMarkdown(doc(REPORT_MD), (name) => `${CHARTS_DIR}/${name}.png`),
  );
  await writeFile(
    html,
    renderHtml(doc(REPORT_HTML), (name) => svgs.get(name) ?? ''),
  );
  return { markdown, html, charts: specs.map((c) => c.name), data };
}
