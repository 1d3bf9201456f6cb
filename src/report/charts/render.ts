// Vega-Lite specs to SVG and PNG, in Node with no browser and no system fonts:
// vega-lite compiles the spec, a headless vega View renders it to an SVG
// string, and resvg rasterises that SVG with the DejaVu Sans font file of the
// `dejavu-fonts-ttf` package, loaded explicitly, so text shows on any machine.
// `chart()` is the one place this happens (the library face reuses it).

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import { escapeControls } from '../../common/printable.js';

/** The font every chart names; the PNG renderer loads exactly this family's files. */
export const CHART_FONT = 'DejaVu Sans';

const require = createRequire(import.meta.url);

/** The DejaVu Sans files (regular and bold) shipped in the dejavu-fonts-ttf package. */
export function chartFontFiles(): string[] {
  const dir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  return [join(dir, 'DejaVuSans.ttf'), join(dir, 'DejaVuSans-Bold.ttf')];
}

/** Settings every chart shares: the font, plain white background, quiet grid. */
export const CHART_CONFIG = {
  font: CHART_FONT,
  background: 'white',
  padding: 8,
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' },
  view: { stroke: null },
} as const;

/** A Vega-Lite spec (JSON) as SVG markup. */
export async function chart(spec: object): Promise<string> {
  const withConfig = { ...spec, config: { ...CHART_CONFIG, ...((spec as { config?: object }).config ?? {}) } };
  const compiled = vegaLite.compile(withConfig as vegaLite.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Warn });
  try {
    return xmlSafe(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/**
 * The SVG with every control character XML forbids (or a terminal would act
 * on) written as an escape, `\x1b`: vega escapes markup in labels but passes
 * them through, and resvg refuses such a document ("non-XML character").
 */
function xmlSafe(svg: string): string {
  return svg.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, (c) => escapeControls(c));
}

/** SVG markup as a PNG image at `scale` times its size, text drawn with the chart font. */
export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { fontFiles: chartFontFiles(), loadSystemFonts: false, defaultFontFamily: CHART_FONT },
  });
  return resvg.render().asPng();
}
