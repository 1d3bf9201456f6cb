// Two runs side by side: two workloads, two kernels, two knob settings, or a
// prediction against a capture. The same headline and breakdowns as the
// report, as deltas (A, B, B-A, B/A), keyed by site, object type, object name
// and process name, never by address (addresses differ between runs).

import { basename } from 'node:path';
import type { ChartSpec } from './charts/specs.js';
import type { KeyedCounts, ModelSummary, ReportData } from './data.js';
import { compareText } from './data.js';
import { inUnit, timeUnit } from './render/text-table.js';
import { type Block, code, type Cell, details, heading, type Inline, para, table } from './render/document.js';

export interface Delta {
  readonly a: number;
  readonly b: number;
  readonly delta: number;
  /** B / A; null when A is 0 */
  readonly ratio: number | null;
}

export interface KeyedDelta {
  readonly key: string;
  readonly model: string;
  readonly x: Delta;
}

export interface RunSide {
  readonly dir: string;
  readonly version: string;
  readonly inputs: ReportData['run']['inputs'];
  readonly knobs: ReportData['run']['knobs'];
  readonly models: readonly string[];
  readonly synthetic: string | null;
}

export interface Comparison {
  readonly a: RunSide;
  readonly b: RunSide;
  /** what differs between the runs besides the figures (inputs, knobs, models, version) */
  readonly differences: readonly string[];
  /** models in both runs, in A's order */
  readonly models: readonly string[];
  readonly baseline: string;
  readonly headline: readonly { readonly model: string; readonly figures: Readonly<Record<string, Delta>> }[];
  readonly bySite: readonly KeyedDelta[];
  readonly byObjectType: readonly KeyedDelta[];
  readonly byObjectName: readonly KeyedDelta[];
  readonly byProcessName: readonly KeyedDelta[];
}

/** The headline figures compared, in the report's order, with their labels. */
export const HEADLINE_FIGURES: readonly (readonly [keyof ModelSummary, string])[] = [
  ['xTokens', 'X tokens'],
  ['sTokens', 'S tokens'],
  ['xChain', 'X chain'],
  ['sChain', 'S chain'],
  ['backdowns', 'back-downs'],
  ['restarts', 'restarts'],
  ['upgrades', 'upgrades'],
  ['hazards', 'hazards'],
  ['savedX', 'X saved vs baseline'],
  ['savedXPct', 'X saved vs baseline, %'],
  ['faults', 'faults'],
  ['waits', 'waits (estimate)'],
  ['waitNs', 'wait time (estimate)'],
];

export function delta(a: number, b: number): Delta {
  return { a, b, delta: b - a, ratio: a === 0 ? null : b / a };
}

export function compareRuns(a: ReportData, b: ReportData): Comparison {
  const models = a.models.filter((m) => b.models.includes(m));
  const headline = models.map((model) => {
    const sa = a.summary.find((s) => s.model === model)!;
    const sb = b.summary.find((s) => s.model === model)!;
    return { model, figures: Object.fromEntries(HEADLINE_FIGURES.map(([k]) => [k, delta(Number(sa[k] ?? 0), Number(sb[k] ?? 0))])) };
  });
  const keyed = (ka: readonly KeyedCounts[], kb: readonly KeyedCounts[]): KeyedDelta[] => {
    const ma = new Map(ka.map((k) => [k.key, k]));
    const mb = new Map(kb.map((k) => [k.key, k]));
    const keys = [...new Set([...ma.keys(), ...mb.keys()])];
    const rows = keys.flatMap((key) => models.map((model) => ({ key, model, x: delta(ma.get(key)?.x[model] ?? 0, mb.get(key)?.x[model] ?? 0) })));
    // Keys with the largest change under any model first; models in run order within a key.
    const change = new Map(keys.map((k) => [k, Math.max(...rows.filter((r) => r.key === k).map((r) => Math.abs(r.x.delta)))]));
    const size = new Map(keys.map((k) => [k, Math.max(...rows.filter((r) => r.key === k).map((r) => r.x.a + r.x.b))]));
    return rows.sort(
      (p, q) =>
        change.get(q.key)! - change.get(p.key)! ||
        size.get(q.key)! - size.get(p.key)! ||
        compareText(p.key, q.key) ||
        models.indexOf(p.model) - models.indexOf(q.model),
    );
  };
  return {
    a: side(a),
    b: side(b),
    differences: differences(a, b),
    models,
    baseline: a.baseline,
    headline,
    bySite: keyed(a.bySite, b.bySite),
    byObjectType: keyed(a.byObjectType, b.byObjectType),
    byObjectName: keyed(a.byObjectName, b.byObjectName),
    byProcessName: keyed(a.byProcessName, b.byProcessName),
  };
}

function side(d: ReportData): RunSide {
  return { dir: d.run.dir, version: d.run.version, inputs: d.run.inputs, knobs: d.run.knobs, models: d.models, synthetic: d.run.synthetic };
}

function differences(a: ReportData, b: ReportData): string[] {
  const out: string[] = [];
  const hashes = (d: ReportData) => d.run.inputs.map((i) => i.sha256 ?? `?${i.path}`).join(',');
  out.push(hashes(a) === hashes(b) ? 'A and B replayed the same input (the same sha256).' : 'A and B replayed different inputs.');
  const knobs = [...new Set([...Object.keys(a.run.knobs), ...Object.keys(b.run.knobs)])].sort(compareText);
  for (const k of knobs)
    if (String(a.run.knobs[k]) !== String(b.run.knobs[k])) out.push(`knob ${k}: A ${a.run.knobs[k] ?? 'unset'}, B ${b.run.knobs[k] ?? 'unset'}.`);
  if (a.models.join(',') !== b.models.join(',')) out.push(`models: A ${a.models.join(',')}, B ${b.models.join(',')}; only the models in both are compared.`);
  if (a.baseline !== b.baseline) out.push(`baselines differ: A ${a.baseline}, B ${b.baseline}; saved figures are each against their own.`);
  if (a.run.version !== b.run.version) out.push(`vmreplay versions differ: A ${a.run.version}, B ${b.run.version}.`);
  if (Boolean(a.run.synthetic) !== Boolean(b.run.synthetic)) out.push(`${a.run.synthetic ? 'A' : 'B'} is a generated trace, the other is not.`);
  return out;
}

/** How many keys each breakdown table shows. */
const KEYS_SHOWN = 15;

/** How many sites the comparison chart shows. */
const SITES_CHARTED = 12;

/**
 * What tells A and B apart, for a legend: the knobs that differ
 * (`shared_fault=0`), else the inputs' file names, else the run directories.
 */
export function runLabels(c: Comparison): { a: string; b: string } {
  const knobs = [...new Set([...Object.keys(c.a.knobs), ...Object.keys(c.b.knobs)])]
    .sort(compareText)
    .filter((k) => String(c.a.knobs[k]) !== String(c.b.knobs[k]));
  const describe = (s: RunSide): string => {
    if (knobs.length) return knobs.map((k) => `${k}=${s.knobs[k] ?? 'unset'}`).join(' ');
    const inputs = s.inputs.map((i) => basename(i.path)).join(', ');
    const other = s === c.a ? c.b : c.a;
    return inputs && inputs !== other.inputs.map((i) => basename(i.path)).join(', ') ? inputs : basename(s.dir);
  };
  return { a: `A: ${describe(c.a)}`, b: `B: ${describe(c.b)}` };
}

/** Colours for A and B that no model has elsewhere (blue and orange are old's and new's). */
const RUN_COLOURS = ['#6f6f6f', '#8e44ad'] as const;

/** X token acquisitions per site in A and in B under the first model after the baseline (the baseline itself when alone). */
export function comparisonChart(c: Comparison): ChartSpec | null {
  const model = c.models.find((m) => m !== c.baseline) ?? c.models[0];
  if (model === undefined) return null;
  const rows = c.bySite.filter((r) => r.model === model && (r.x.a > 0 || r.x.b > 0)).slice(0, SITES_CHARTED);
  if (rows.length === 0) return null;
  const labels = runLabels(c);
  return {
    name: 'compare-x-by-site',
    title: `X token acquisitions per site under ${model}, A and B (the ${rows.length} sites that change most under any model)`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: `X token acquisitions per site under ${model}: A vs B`,
      width: 520,
      data: {
        values: rows.flatMap((r) => [
          { site: r.key, run: labels.a, x: r.x.a },
          { site: r.key, run: labels.b, x: r.x.b },
        ]),
      },
      mark: 'bar',
      encoding: {
        y: { field: 'site', type: 'nominal', sort: rows.map((r) => r.key), title: null, axis: { labelLimit: 260 } },
        yOffset: { field: 'run', type: 'nominal', sort: [labels.a, labels.b] },
        x: { field: 'x', type: 'quantitative', title: 'X token acquisitions', axis: { tickMinStep: 1, format: ',d' } },
        color: { field: 'run', type: 'nominal', title: 'run', scale: { domain: [labels.a, labels.b], range: [...RUN_COLOURS] }, legend: { labelLimit: 360 } },
      },
      height: { step: 12, for: 'offset' },
    },
  };
}

/** The X a model saves against the baseline at one site, in A and in B. */
export interface SiteSaving {
  readonly site: string;
  readonly model: string;
  readonly saved: Delta;
}

/** Per site and compared model: the saving in A and in B, largest change first. */
export function savingsBySite(c: Comparison): SiteSaving[] {
  const at = new Map(c.bySite.map((r) => [`${r.key}\u0000${r.model}`, r.x]));
  const keys = [...new Set(c.bySite.map((r) => r.key))];
  const zero = delta(0, 0);
  const rows = keys.flatMap((site) => {
    const base = at.get(`${site}\u0000${c.baseline}`) ?? zero;
    return c.models
      .filter((m) => m !== c.baseline)
      .map((model) => {
        const x = at.get(`${site}\u0000${model}`) ?? zero;
        return { site, model, saved: delta(base.a - x.a, base.b - x.b) };
      });
  });
  return rows.sort(
    (p, q) => Math.abs(q.saved.delta) - Math.abs(p.saved.delta) || compareText(p.site, q.site) || c.models.indexOf(p.model) - c.models.indexOf(q.model),
  );
}

export function buildComparison(c: Comparison, charts: readonly ChartSpec[] = []): Block[] {
  const deltaCells = (d: Delta): Cell[] => [d.a, d.b, d.delta, d.ratio === null ? '-' : `${d.ratio.toFixed(3)}`];
  // Times in one unit per row, the one the largest reads best in.
  const timeCells = (d: Delta): Cell[] => {
    const unit = timeUnit([d.a, d.b, d.delta]);
    return [inUnit(d.a, unit), inUnit(d.b, unit), inUnit(d.delta, unit), d.ratio === null ? '-' : `${d.ratio.toFixed(3)}`];
  };
  const runLine = (name: string, s: RunSide): Inline[] => [
    `${name}: `,
    s.inputs.map((i) => i.path).join(', ') || s.dir,
    ` (vmreplay ${s.version}; knobs `,
    code(
      Object.entries(s.knobs)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ') || 'none',
    ),
    s.synthetic ? '; generated trace)' : ')',
  ];
  /** A table of the rows that changed, and the unchanged ones folded under it. */
  const changedFirst = (header: string[], rows: readonly { cells: Cell[]; changed: boolean }[], what: string): Block[] => {
    const changed = rows.filter((r) => r.changed).map((r) => r.cells);
    const same = rows.filter((r) => !r.changed).map((r) => r.cells);
    return [
      changed.length ? table(header, changed) : para(`No ${what} changed.`),
      ...(same.length ? [details(`${same.length} unchanged ${what}`, [table(header, same)])] : []),
    ];
  };
  const savings = savingsBySite(c);
  const changedSavings = savings.filter((r) => r.saved.delta !== 0);
  const labels = runLabels(c);
  const blocks: Block[] = [
    { kind: 'list', items: [runLine('A', c.a), runLine('B', c.b)] },
    { kind: 'list', items: c.differences.map((d) => [d]) },
    heading(2, 'What changed: X saved per site'),
    para(
      `X token acquisitions each model saves against ${c.baseline} per site, in A (${labels.a.slice(3)}) and in B (${labels.b.slice(3)}), largest change first.`,
    ),
    ...changedFirst(
      ['site', 'model', 'saved in A', 'saved in B', 'B − A'],
      [...changedSavings.slice(0, KEYS_SHOWN), ...savings.filter((r) => r.saved.delta === 0)].map((r) => ({
        cells: [code(r.site), r.model, r.saved.a, r.saved.b, r.saved.delta],
        changed: r.saved.delta !== 0,
      })),
      'site savings',
    ),
    ...(changedSavings.length > KEYS_SHOWN
      ? [para(`${changedSavings.length - KEYS_SHOWN} more changed site savings are in the JSON output (--format json).`)]
      : []),
    heading(2, 'Headline'),
    para(`Per model: A, B, B − A and B / A. "Saved" is X object token acquisitions saved against the baseline (${c.baseline}); chain locks are not in it.`),
  ];
  for (const h of c.headline) {
    blocks.push(
      heading(3, h.model),
      ...changedFirst(
        ['figure', 'A', 'B', 'B − A', 'B / A'],
        HEADLINE_FIGURES.map(([k, label]) => ({
          cells: [label, ...(k === 'waitNs' ? timeCells : deltaCells)(h.figures[k]!)],
          changed: h.figures[k]!.delta !== 0,
        })),
        'figures',
      ),
    );
  }
  const breakdown = (title: string, what: string, rows: readonly KeyedDelta[]): Block[] => {
    const keys = [...new Set(rows.map((r) => r.key))];
    const shown = new Set(keys.slice(0, KEYS_SHOWN));
    const body = rows.filter((r) => shown.has(r.key)).map((r) => ({ cells: [r.key, r.model, ...deltaCells(r.x)], changed: r.x.delta !== 0 }));
    const out: Block[] = [heading(3, title), ...changedFirst([what, 'model', 'X in A', 'X in B', 'B − A', 'B / A'], body, 'rows')];
    if (keys.length > shown.size) out.push(para(`${keys.length - shown.size} more with smaller changes are in the JSON output (--format json).`));
    return out;
  };
  for (const chart of charts) blocks.push({ kind: 'chart', name: chart.name, title: chart.title });
  blocks.push(
    heading(2, 'Where: X token acquisitions, largest change first'),
    ...breakdown('By site', 'site', c.bySite),
    ...breakdown('By object type', 'object type', c.byObjectType),
    ...breakdown('By object name', 'object', c.byObjectName),
    ...breakdown('By process name', 'command', c.byProcessName),
  );
  return blocks;
}
