// A report document as GitHub-flavoured Markdown, to paste into a review or a
// mailing-list post. Charts are links to their PNG files beside the report.
// Every piece of text is escaped (escape.ts); only the structure we write is
// Markdown.

import { type Block, type Cell, formatNumber, type HeaderCell, type Inline, type ReportDocument } from './document.js';
import { escapeHtml, escapeMarkdown } from './escape.js';
import { escapeControls } from '../../common/printable.js';

export function renderMarkdown(doc: ReportDocument, chartPath: (name: string) => string): string {
  const out: string[] = [`# ${escapeMarkdown(doc.title)}`];
  for (const b of doc.blocks) out.push(block(b, chartPath));
  return out.join('\n\n') + '\n';
}

function block(b: Block, chartPath: (name: string) => string): string {
  switch (b.kind) {
    case 'heading':
      return `${'#'.repeat(b.level)} ${escapeMarkdown(b.text)}`;
    case 'paragraph':
      return blockStart(inline(b.parts));
    case 'banner':
      return `> **${inline(b.parts)}**`;
    case 'list':
      return b.items.map((i) => `- ${blockStart(inline(i))}`).join('\n');
    case 'code': {
      const fence = '`'.repeat(Math.max(3, ...(b.text.match(/`+/g) ?? []).map((r) => r.length + 1)));
      return `${fence}sh\n${b.text}\n${fence}`;
    }
    case 'details':
      // GitHub reads Markdown inside <details> when blank lines set it apart; the summary line is HTML.
      return [`<details>\n<summary>${escapeHtml(b.summary)}</summary>`, ...b.blocks.map((x) => block(x, chartPath)), '</details>'].join('\n\n');
    case 'glossary':
      // An empty anchor per entry: GitHub keeps the id (prefixed, and follows #id links to it).
      return b.terms.map((t) => `- <a id="${t.id}"></a>**${escapeMarkdown(t.term)}**: ${inline(t.text)}`).join('\n');
    case 'chart':
      return `![${escapeMarkdown(b.title)}](${chartPath(b.name)})`;
    case 'table': {
      const head = `| ${b.header.map(headerCell).join(' | ')} |`;
      const rule = `| ${b.align.map((a) => (a === 'r' ? '---:' : '---')).join(' | ')} |`;
      return [head, rule, ...b.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
    }
  }
}

/** A line that would open a list (`1.`, `2)`, `-`, `+`) when a trace string begins it: escape that mark. */
function blockStart(text: string): string {
  return text.replace(/^(\d{1,9})([.)])/, '$1\\$2').replace(/^([-+])/, '\\$1');
}

function inline(parts: readonly Inline[]): string {
  return parts.map(span).join('');
}

function span(p: Inline): string {
  if (typeof p === 'string') return escapeMarkdown(p);
  if ('code' in p) return codeSpan(p.code);
  if ('strong' in p) return `**${escapeMarkdown(p.strong)}**`;
  return `[${escapeMarkdown(p.link)}](${p.href})`;
}

function headerCell(h: HeaderCell): string {
  return typeof h === 'string' ? escapeMarkdown(h) : `[${escapeMarkdown(h.text)}](#${h.term})`;
}

function cell(c: Cell): string {
  if (c === null) return '';
  if (typeof c === 'number') return formatNumber(c);
  if (typeof c === 'string') return escapeMarkdown(c);
  return codeSpan(c.code);
}

/**
 * A code span that holds any text: fenced with one more backtick than the
 * longest run inside, `|` escaped (GitHub tables split on it even in code),
 * line breaks flattened.
 */
export function codeSpan(text: string): string {
  const flat = escapeControls(text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}
