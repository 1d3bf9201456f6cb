// What a notebook shows, as Jupyter MIME bundles (one output, several forms;
// each front end picks the richest it can render): a chart as its Vega-Lite
// spec, an SVG and a PNG, so it draws in JupyterLab and VS Code (Vega-Lite)
// and on GitHub (the images); a table as HTML and aligned text. Hand a bundle
// to the kernel's display function, e.g. `Deno.jupyter.display(b, { raw: true })`.

import { chart, svgToPng } from '../report/charts/render.js';
import { escapeHtml } from '../report/render/escape.js';
import { type Cell, textTable } from '../report/render/text-table.js';

export { chart, svgToPng };

/** A Jupyter MIME bundle: MIME type to data (text, JSON, or base64 for binary images). */
export type MimeBundle = Record<string, unknown>;

/**
 * The MIME type JupyterLab and VS Code render Vega-Lite under. Their
 * renderers register v5; the project's specs use nothing v6 added, so the
 * spec is handed over under v5 without its `$schema`, which would make the
 * renderer warn about the version.
 */
export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';

export interface ChartBundleOptions {
  /** the text form (default: the spec's title) */
  readonly text?: string;
  /** PNG size relative to the SVG (default 1) */
  readonly scale?: number;
}

/** A Vega-Lite spec as a bundle: the spec, its SVG, its PNG (base64) and a line of text. */
export async function chartBundle(spec: object, options: ChartBundleOptions = {}): Promise<MimeBundle> {
  const svg = await chart(spec);
  const { $schema: _schema, ...portable } = spec as { $schema?: string };
  const title = (spec as { title?: unknown }).title;
  const text =
    options.text ??
    (typeof title === 'string' ? title : typeof title === 'object' && title !== null ? String((title as { text?: unknown }).text ?? 'chart') : 'chart');
  return {
    [VEGA_LITE_MIME]: portable,
    'image/svg+xml': svg,
    'image/png': svgToPng(svg, options.scale ?? 1).toString('base64'),
    'text/plain': `[chart] ${text}`,
  };
}

export interface TableBundleOptions {
  /** columns to show, in order (default: the first row's keys) */
  readonly columns?: readonly string[];
  /** a line above the table */
  readonly caption?: string;
  /** at most this many rows (default 50); the text says how many were left out */
  readonly maxRows?: number;
}

/** Rows (plain objects) as a bundle: an HTML table and the same table as aligned text. */
export function tableBundle(rows: readonly Record<string, unknown>[], options: TableBundleOptions = {}): MimeBundle {
  const columns = options.columns ?? Object.keys(rows[0] ?? {});
  const max = options.maxRows ?? 50;
  const shown = rows.slice(0, max);
  const more = rows.length > shown.length ? `(${rows.length - shown.length} more rows of ${rows.length})` : '';
  const cells = shown.map((r) => columns.map((c) => cellOf(r[c])));
  const caption = options.caption ? `${options.caption}\n` : '';
  const text = caption + textTable(columns, cells) + (more ? `${more}\n` : '');
  const numeric = columns.map((_, i) => cells.length > 0 && cells.every((r) => r[i] == null || typeof r[i] === 'number' || typeof r[i] === 'bigint'));
  const th = columns.map((c, i) => `<th style="text-align:${numeric[i] ? 'right' : 'left'}">${escapeHtml(c)}</th>`).join('');
  const tr = cells
    .map(
      (r) => `<tr>${r.map((v, i) => `<td style="text-align:${numeric[i] ? 'right' : 'left'}">${escapeHtml(v == null ? '' : String(v))}</td>`).join('')}</tr>`,
    )
    .join('\n');
  const html =
    (options.caption ? `<p>${escapeHtml(options.caption)}</p>\n` : '') +
    `<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${tr}\n</tbody>\n</table>` +
    (more ? `\n<p>${escapeHtml(more)}</p>` : '');
  return { 'text/html': html, 'text/plain': text };
}

function cellOf(v: unknown): Cell {
  if (v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return v;
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
}
