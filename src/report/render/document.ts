// A report as a list of blocks (headings, paragraphs, tables, charts), built
// once and rendered twice: to Markdown (markdown.ts) and to HTML (html.ts).
// Blocks hold text as given; escaping is the renderers' job, so a trace's
// strings can never be written out raw by forgetting to escape one.

/** A run of text: plain, `code`, **strong**, or a link. */
export type Inline = string | { readonly code: string } | { readonly strong: string } | { readonly link: string; readonly href: string };

export type Cell = string | number | null | { readonly code: string };

/** A column heading: its text, or its text linked to a glossary entry (`#id`). */
export type HeaderCell = string | { readonly text: string; readonly term: string };

/** One glossary entry; `id` is ours (letters, digits and dashes), the anchor header links point at. */
export interface Term {
  readonly id: string;
  readonly term: string;
  readonly text: readonly Inline[];
}

export interface Table {
  readonly kind: 'table';
  readonly header: readonly HeaderCell[];
  /** 'r' for numbers */
  readonly align: readonly ('l' | 'r')[];
  readonly rows: readonly (readonly Cell[])[];
}

export type Block =
  | { readonly kind: 'heading'; readonly level: 1 | 2 | 3; readonly text: string }
  | { readonly kind: 'paragraph'; readonly parts: readonly Inline[] }
  | { readonly kind: 'banner'; readonly parts: readonly Inline[] }
  | { readonly kind: 'list'; readonly items: readonly (readonly Inline[])[] }
  | { readonly kind: 'code'; readonly text: string }
  | Table
  | { readonly kind: 'chart'; readonly name: string; readonly title: string }
  /** blocks folded under a one-line summary (`<details>`, which GitHub renders too) */
  | { readonly kind: 'details'; readonly summary: string; readonly blocks: readonly Block[] }
  | { readonly kind: 'glossary'; readonly terms: readonly Term[] };

export interface ReportDocument {
  readonly title: string;
  readonly blocks: readonly Block[];
}

export const heading = (level: 1 | 2 | 3, text: string): Block => ({ kind: 'heading', level, text });
export const para = (...parts: Inline[]): Block => ({ kind: 'paragraph', parts });
export const code = (text: string): { code: string } => ({ code: text });
export const strong = (text: string): { strong: string } => ({ strong: text });
export const headerText = (h: HeaderCell): string => (typeof h === 'string' ? h : h.text);
export const details = (summary: string, blocks: readonly Block[]): Block => ({ kind: 'details', summary, blocks });

/** Text that reads as a figure: `12`, `-3`, `37.1`, `58.1%`, `229.2 µs`, `12 (85.7%)`, `1 (hazard; 0 without)`, `-`. */
const FIGURE = /^(-|-?\d[\d.,]*( ?(%|ns|µs|ms|s))?( \(-?[\d.]+%\))?( \(hazard; -?\d+ without\))?)$/;

/** A table whose columns are right-aligned when every cell is a number, a figure as text, or empty. */
export function table(header: readonly HeaderCell[], rows: readonly (readonly Cell[])[]): Table {
  const figure = (v: Cell) => v === null || typeof v === 'number' || (typeof v === 'string' && FIGURE.test(v));
  const align = header.map((_, c) => (rows.length > 0 && rows.every((r) => figure(r[c] ?? null)) ? 'r' : 'l'));
  return { kind: 'table', header, align, rows };
}

/** Numbers as a reader wants them in a table: integers whole, others to two places. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '-';
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}
