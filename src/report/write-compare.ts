// Writing a comparison to a directory: compare.md (the chart linked as PNG),
// compare.html (self-contained, the chart inlined as SVG), compare.json (the
// whole comparison) and the chart as charts/NAME.vl.json, .svg and .png.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildComparison, type Comparison, comparisonChart } from './compare.js';
import { renderHtml } from './render/html.js';
import { renderMarkdown } from './render/markdown.js';
import { CHARTS_DIR, writeChartFiles } from './write.js';

export const COMPARE_FILES = { markdown: 'compare.md', html: 'compare.html', json: 'compare.json' } as const;

/** The comparison as JSON text. */
export const comparisonJson = (c: Comparison): string => JSON.stringify(c, null, 2) + '\n';

/** The comparison as Markdown alone (no chart: nothing is written beside it). */
export function comparisonMarkdown(c: Comparison, title: string): string {
  return renderMarkdown({ title, blocks: buildComparison(c) }, (name) => name);
}

/** Write compare.md, compare.html, compare.json and the chart into `outDir`; returns the paths written. */
export async function writeComparison(c: Comparison, title: string, outDir: string): Promise<string[]> {
  const spec = comparisonChart(c);
  const charts = spec ? [spec] : [];
  const svgs = await writeChartFiles(charts, join(outDir, CHARTS_DIR));
  const doc = { title, blocks: buildComparison(c, charts) };
  const paths = [join(outDir, COMPARE_FILES.markdown), join(outDir, COMPARE_FILES.html), join(outDir, COMPARE_FILES.json)];
  await writeFile(
    paths[0]!,
    renderMarkdown(doc, (name) => `${CHARTS_DIR}/${name}.png`),
  );
  await writeFile(
    paths[1]!,
    renderHtml(doc, (name) => svgs.get(name) ?? ''),
  );
  await writeFile(paths[2]!, comparisonJson(c));
  return paths;
}
