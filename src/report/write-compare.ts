// Writing a comparison to a directory: compare.md (the chart linked as PNG),
// compare.html (self-contained, the chart inlined as SVG), compare.json (the
// whole comparison) and the chart as charts/NAME.vl.json, .svg and .png.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chart, svgToPng } from './charts/render.js';
import { buildComparison, type Comparison, comparisonChart } from './compare.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

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
  const svgs = new Map<string, string>();
  await mkdir(join(outDir, 'charts'), { recursive: true });
  for (const s of charts) {
    const svg = await chart(s.spec);
    svgs.set(s.name, svg);
    const stem = join(outDir, 'charts', s.name);
    await writeFile(`${stem}.vl.json`, JSON.stringify(s.spec, null, 2) + '\n');
    await writeFile(`${stem}.svg`, svg);
    await writeFile(`${stem}.png`, svgToPng(svg));
  }
  const doc = { title, blocks: buildComparison(c, charts) };
  const paths = [join(outDir, COMPARE_FILES.markdown), join(outDir, COMPARE_FILES.html), join(outDir, COMPARE_FILES.json)];
  await writeFile(paths[0]!, renderMarkdown(doc, (name) => `charts/${name}.png`));
  await writeFile(paths[1]!, renderHtml(doc, (name) => svgs.get(name) ?? ''));
  await writeFile(paths[2]!, comparisonJson(c));
  return paths;
}
