// Writing a run's report to a directory: report.md (charts linked as PNG),
// report.html (charts inlined as SVG, self-contained), and every chart as
// charts/NAME.vl.json (the Vega-Lite spec), .svg and .png.

import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildReport, reportTitle } from './build.js';
import { chart, svgToPng } from './charts/render.js';
import { CHART_NAMES, reportCharts } from './charts/specs.js';
import { loadReportData, type ReportData } from './data.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

export const REPORT_MD = 'report.md';
export const REPORT_HTML = 'report.html';
export const CHARTS_DIR = 'charts';
/** The files of one chart (see writeReport). */
const CHART_FILES = ['.vl.json', '.svg', '.png'] as const;

export interface WrittenReport {
  readonly markdown: string;
  readonly html: string;
  readonly charts: readonly string[];
  readonly data: ReportData;
}

/** Read the run in `runDir` and write its report into `outDir` (created if need be). */
export async function writeReport(runDir: string, outDir: string): Promise<WrittenReport> {
  const data = await loadReportData(runDir);
  const specs = reportCharts(data);
  await mkdir(join(outDir, CHARTS_DIR), { recursive: true });
  // An earlier report's charts that this run does not have would be stale: remove them (ours only).
  const drawn = new Set(specs.map((c) => c.name));
  for (const name of CHART_NAMES.filter((n) => !drawn.has(n))) {
    for (const ext of CHART_FILES) await rm(join(outDir, CHARTS_DIR, `${name}${ext}`), { force: true });
  }
  const svgs = new Map<string, string>();
  for (const c of specs) {
    const svg = await chart(c.spec);
    svgs.set(c.name, svg);
    const stem = join(outDir, CHARTS_DIR, c.name);
    await writeFile(`${stem}.vl.json`, JSON.stringify(c.spec, null, 2) + '\n');
    await writeFile(`${stem}.svg`, svg);
    await writeFile(`${stem}.png`, svgToPng(svg));
  }
  const doc = { title: reportTitle(data), blocks: buildReport(data, specs) };
  const markdown = join(outDir, REPORT_MD);
  const html = join(outDir, REPORT_HTML);
  await writeFile(markdown, renderMarkdown(doc, (name) => `${CHARTS_DIR}/${name}.png`));
  await writeFile(html, renderHtml(doc, (name) => svgs.get(name) ?? ''));
  return { markdown, html, charts: specs.map((c) => c.name), data };
}
