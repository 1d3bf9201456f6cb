// A report document as one self-contained HTML file: styles inline, charts
// inlined as SVG, no script, and a Content-Security-Policy that forbids every
// fetch, so the page opens from disk with no network and shows the same
// anywhere. Every piece of text is escaped (escape.ts).

import { type Block, type Cell, formatNumber, type Inline, type ReportDocument } from './document.js';
import { escapeHtml } from './escape.js';

const STYLE = `
body { font-family: 'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif; margin: 2rem auto; max-width: 80rem; padding: 0 1.5rem; color: #1f2328; line-height: 1.45; }
h1 { font-size: 1.7rem; border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; }
h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin-top: 1.5rem; }
.table { overflow-x: auto; margin: .6rem 0 1rem; }
table { border-collapse: collapse; font-size: .88rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; vertical-align: top; }
th { background: #f6f8fa; text-align: left; }
td { overflow-wrap: anywhere; }
td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; }
td.r { white-space: nowrap; overflow-wrap: normal; }
code, pre { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: .85em; background: #f6f8fa; border-radius: 4px; }
code { padding: .1em .3em; overflow-wrap: anywhere; }
pre { padding: .7rem 1rem; overflow-x: auto; white-space: pre-wrap; }
.banner { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: .6rem 1rem; font-weight: bold; }
figure { margin: 1rem 0 1.6rem; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: .85rem; color: #59636e; }
nav { font-size: .9rem; margin: -.4rem 0 1rem; }
nav a { color: #0969da; text-decoration: none; }
details { margin: .4rem 0 .8rem; }
summary { cursor: pointer; font-weight: 600; }
dl.glossary dt { font-weight: bold; margin-top: .4rem; }
dl.glossary dd { margin-left: 1.5rem; }
th a { color: inherit; text-decoration: underline dotted; }
`;

/** The whole page; `svg(name)` gives each chart's SVG markup (rendered by us from our own specs). */
export function renderHtml(doc: ReportDocument, svg: (name: string) => string): string {
  // Section headings get ids, and a line of links to them heads the page.
  const sections = doc.blocks.filter((b): b is Extract<Block, { kind: 'heading' }> => b.kind === 'heading' && b.level === 2);
  const id = (b: Block) => `section-${sections.indexOf(b as (typeof sections)[number]) + 1}`;
  const nav = sections.length > 2 ? `<nav>${sections.map((b) => `<a href="#${id(b)}">${escapeHtml(b.text)}</a>`).join(' · ')}</nav>\n` : '';
  const body = doc.blocks.map((b) => (b.kind === 'heading' && b.level === 2 ? `<h2 id="${id(b)}">${escapeHtml(b.text)}</h2>` : block(b, svg))).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(doc.title)}</h1>
${nav}${body}
</body>
</html>
`;
}

function block(b: Block, svg: (name: string) => string): string {
  switch (b.kind) {
    case 'heading':
      return `<h${b.level}>${escapeHtml(b.text)}</h${b.level}>`;
    case 'paragraph':
      return `<p>${inline(b.parts)}</p>`;
    case 'banner':
      return `<p class="banner" role="note">${inline(b.parts)}</p>`;
    case 'list':
      return `<ul>\n${b.items.map((i) => `<li>${inline(i)}</li>`).join('\n')}\n</ul>`;
    case 'code':
      return `<pre><code>${escapeHtml(b.text)}</code></pre>`;
    case 'details':
      return `<details>\n<summary>${escapeHtml(b.summary)}</summary>\n${b.blocks.map((x) => block(x, svg)).join('\n')}\n</details>`;
    case 'glossary':
      return `<dl class="glossary">\n${b.terms.map((t) => `<dt id="${escapeHtml(t.id)}">${escapeHtml(t.term)}</dt><dd>${inline(t.text)}</dd>`).join('\n')}\n</dl>`;
    case 'chart':
      return `<figure class="chart" id="chart-${escapeHtml(b.name)}">\n${svg(b.name)}\n<figcaption>${escapeHtml(b.title)}</figcaption>\n</figure>`;
    case 'table': {
      const cls = (c: number) => (b.align[c] === 'r' ? ' class="r"' : '');
      const head = `<tr>${b.header.map((h, c) => `<th${cls(c)}>${typeof h === 'string' ? escapeHtml(h) : `<a href="#${escapeHtml(h.term)}">${escapeHtml(h.text)}</a>`}</th>`).join('')}</tr>`;
      const rows = b.rows.map((r) => `<tr>${r.map((v, c) => `<td${cls(c)}>${cell(v)}</td>`).join('')}</tr>`);
      return `<div class="table"><table>\n<thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table></div>`;
    }
  }
}

function inline(parts: readonly Inline[]): string {
  return parts
    .map((p) => {
      if (typeof p === 'string') return escapeHtml(p);
      if ('code' in p) return `<code>${escapeHtml(p.code)}</code>`;
      if ('strong' in p) return `<strong>${escapeHtml(p.strong)}</strong>`;
      return `<a href="${escapeHtml(p.href)}">${escapeHtml(p.link)}</a>`;
    })
    .join('');
}

function cell(c: Cell): string {
  if (c === null) return '';
  if (typeof c === 'number') return escapeHtml(formatNumber(c));
  if (typeof c === 'string') return escapeHtml(c);
  return `<code>${escapeHtml(c.code)}</code>`;
}
