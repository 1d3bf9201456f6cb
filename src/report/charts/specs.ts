// The report's charts as Vega-Lite specs, data inlined, one function per
// chart. A chart with nothing to show is not made (the report says so in
// words instead), so every chart written has marks.

import type { ReportData } from '../data.js';

export interface ChartSpec {
  /** file name stem: charts/NAME.vl.json, .svg, .png */
  readonly name: string;
  readonly title: string;
  readonly spec: Readonly<Record<string, unknown>>;
}

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#b279a2', '#e45756', '#72b7b2', '#9d755d'];
const SITES_SHOWN = 12;
/** Counts are whole: no 0.5 ticks. */
const COUNT_AXIS = { tickMinStep: 1, format: ',d' };

/** One colour per model, the same in every chart: a model keeps its place among all the run's models even where only some are shown. */
export function modelColor(models: readonly string[], shown: readonly string[] = models) {
  const range = shown.map((m) => PALETTE[Math.max(0, models.indexOf(m)) % PALETTE.length]!);
  return { field: 'model', type: 'nominal', title: 'model', scale: { domain: shown, range: range.length ? range : PALETTE.slice(0, 1) } };
}

/** The models that have data in `values` (a `model` field, a figure other than 0), in run order: a legend lists only these. */
function withData(models: readonly string[], values: readonly { model: string }[], figure: (v: never) => number): string[] {
  const has = new Set(values.filter((v) => figure(v as never) !== 0).map((v) => v.model));
  return models.filter((m) => has.has(m));
}

/** Longest object label on a chart axis. */
const LABEL_CHARS = 40;

/**
 * A label cut in the middle, keeping the file name at its end: two paths
 * that share a long prefix stay told apart ("/usr/lib/…/libc.so.6").
 */
export function middleTruncate(label: string, max = LABEL_CHARS): string {
  if (label.length <= max) return label;
  const slash = label.lastIndexOf('/');
  const file = slash >= 0 ? label.slice(slash) : label.slice(-Math.ceil(max / 2));
  const tail = file.length > max - 8 ? file.slice(file.length - (max - 8)) : file;
  return `${label.slice(0, max - 1 - tail.length)}…${tail}`;
}

/** What a chart function makes; its name is the one it is registered under. */
export type Chart = Omit<ChartSpec, 'name'>;

/** A chart by its file name stem, and how it is made from `D` (null: nothing to show). */
export interface ChartEntry<D> {
  readonly name: string;
  readonly make: (data: D) => Chart | null;
}

/** The charts of `registry` that have something to show in `data`, in registry order. */
export function makeCharts<D>(registry: readonly ChartEntry<D>[], data: D): ChartSpec[] {
  return registry.flatMap(({ name, make }) => {
    const chart = make(data);
    return chart === null ? [] : [{ name, ...chart }];
  });
}

/** Every chart a report may have, in report order. */
export const REPORT_CHARTS: readonly ChartEntry<ReportData>[] = [
  { name: 'saved-over-time', make: savedOverTime },
  { name: 'x-by-site', make: xBySite },
  { name: 'backdowns-by-rule', make: backdownsByRule },
  { name: 'contention-by-object', make: contentionByObject },
  { name: 'observed-vs-predicted', make: agreementBySite },
];

/** Every chart a report may have, by file name stem. */
export const CHART_NAMES: readonly string[] = REPORT_CHARTS.map((c) => c.name);

export function reportCharts(d: ReportData): ChartSpec[] {
  return makeCharts(REPORT_CHARTS, d);
}

/** Saved X per time bucket for each model against the baseline (X per model when there is only one). */
export function savedOverTime(d: ReportData): Chart | null {
  if (d.overTime.buckets.length === 0) return null;
  const compared = d.models.filter((m) => m !== d.baseline);
  const unit = timeUnit(d.overTime.buckets.at(-1)!.startNs + d.overTime.bucketNs);
  const values = d.overTime.buckets.flatMap((b) =>
    compared.length
      ? compared.map((m) => ({ t: b.startNs / unit.ns, model: m, value: (b.x[d.baseline] ?? 0) - (b.x[m] ?? 0) }))
      : d.models.map((m) => ({ t: b.startNs / unit.ns, model: m, value: b.x[m] ?? 0 })),
  );
  const what = compared.length ? `X token acquisitions saved against ${d.baseline}` : 'X token acquisitions';
  const shown = withData(compared.length ? compared : d.models, values, (v: { value: number }) => v.value);
  const plotted = values.filter((v) => shown.includes(v.model));
  return {
    title: `${what} per ${formatWidth(d.overTime.bucketNs)} over the trace`,
    spec: {
      $schema: SCHEMA,
      title: `${what} over time`,
      width: 640,
      height: 240,
      data: { values: plotted.length ? plotted : values },
      // Buckets are discrete: a step per bucket, not a line joining them.
      mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.8 },
      encoding: {
        x: { field: 't', type: 'quantitative', title: `time since the first event (${unit.label}, buckets of ${formatWidth(d.overTime.bucketNs)})` },
        y: { field: 'value', type: 'quantitative', title: compared.length ? 'X saved per bucket' : 'X per bucket' },
        color: modelColor(d.models, shown.length ? shown : compared.length ? compared : d.models),
      },
    },
  };
}

/** X token acquisitions per site, one bar per model, the sites with most baseline X. */
export function xBySite(d: ReportData): Chart | null {
  const sites = [...d.bySite].sort((a, b) => (b.x[d.baseline] ?? 0) - (a.x[d.baseline] ?? 0) || (a.key < b.key ? -1 : 1)).slice(0, SITES_SHOWN);
  if (sites.length === 0) return null;
  const all = sites.flatMap((s) => d.models.map((m) => ({ site: s.key, model: m, x: s.x[m] ?? 0 })));
  const shown = withData(d.models, all, (v: { x: number }) => v.x);
  const values = all.filter((v) => shown.includes(v.model));
  return {
    title: `X token acquisitions per site and model (the ${sites.length} sites with most under ${d.baseline})`,
    spec: {
      $schema: SCHEMA,
      title: 'X token acquisitions per site',
      width: 560,
      data: { values },
      mark: 'bar',
      encoding: {
        y: { field: 'site', type: 'nominal', sort: sites.map((s) => s.key), title: null, axis: { labelLimit: 260 } },
        yOffset: { field: 'model', type: 'nominal', sort: shown },
        x: { field: 'x', type: 'quantitative', title: 'X token acquisitions', axis: COUNT_AXIS },
        color: modelColor(d.models, shown),
      },
      height: { step: 12, for: 'offset' },
    },
  };
}

/** Back-downs per rule and model. */
export function backdownsByRule(d: ReportData): Chart | null {
  if (d.backdowns.length === 0) return null;
  const rules = [...new Set(d.backdowns.map((b) => b.rule))].sort();
  const shown = withData(d.models, d.backdowns, (b: { backdowns: number }) => b.backdowns);
  return {
    title: 'Back-downs per rule and model',
    spec: {
      $schema: SCHEMA,
      title: 'Back-downs per rule',
      width: 480,
      data: { values: d.backdowns.map((b) => ({ rule: b.rule, model: b.model, backdowns: b.backdowns })) },
      mark: 'bar',
      encoding: {
        y: { field: 'rule', type: 'nominal', sort: rules, title: 'rule' },
        yOffset: { field: 'model', type: 'nominal', sort: shown },
        x: { field: 'backdowns', type: 'quantitative', title: 'back-downs', axis: COUNT_AXIS },
        color: modelColor(d.models, shown),
      },
      height: { step: 14, for: 'offset' },
    },
  };
}

/** Estimated waiting time on the objects that wait longest, per model. */
export function contentionByObject(d: ReportData): Chart | null {
  if (d.contention.length === 0) return null;
  const label = (object: string) => middleTruncate(object);
  const objects = [...new Set(d.contention.map((c) => label(c.object)))];
  const unit = timeUnit(Math.max(...d.contention.map((c) => c.waitNs)));
  const shown = withData(d.models, d.contention, (c: { waitNs: number }) => c.waitNs);
  const rows = d.contention.filter((c) => shown.includes(c.model));
  return {
    title: `Estimated token waiting time on the ${objects.length} objects that wait longest, per model`,
    spec: {
      $schema: SCHEMA,
      title: 'Estimated waiting time per object',
      width: 480,
      data: { values: rows.map((c) => ({ object: label(c.object), path: c.object, model: c.model, wait: c.waitNs / unit.ns, waits: c.waits })) },
      mark: 'bar',
      encoding: {
        y: { field: 'object', type: 'nominal', sort: objects, title: null, axis: { labelLimit: 320 } },
        yOffset: { field: 'model', type: 'nominal', sort: shown },
        x: { field: 'wait', type: 'quantitative', title: `estimated waiting time (${unit.label})` },
        color: modelColor(d.models, shown),
        tooltip: [{ field: 'path', title: 'object' }, { field: 'model' }, { field: 'waits', title: 'waits' }, { field: 'wait', title: unit.label }],
      },
      height: { step: 11, for: 'offset' },
    },
  };
}

/** Where the trace has the kernel's own obj_lock events: acquisitions both took, only the model, only the kernel. */
export function agreementBySite(d: ReportData): Chart | null {
  if (d.agreement.length === 0) return null;
  const values = d.agreement.flatMap((a) => [
    { model: a.model, site: a.site, outcome: 'both', n: a.matched },
    { model: a.model, site: a.site, outcome: 'model only', n: a.modelOnly },
    { model: a.model, site: a.site, outcome: 'kernel only', n: a.traceOnly },
  ]);
  const sites = [...new Set(d.agreement.map((a) => a.site))];
  return {
    title: "Predicted acquisitions against the captured kernel's own (obj_lock), per site and model",
    spec: {
      $schema: SCHEMA,
      title: 'Observed vs predicted acquisitions',
      data: { values },
      facet: {
        row: {
          field: 'model',
          type: 'nominal',
          sort: d.models,
          title: null,
          header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelFontWeight: 'bold', labelFontSize: 12 },
        },
      },
      spacing: 6,
      spec: {
        width: 480,
        height: { step: 14 },
        mark: 'bar',
        encoding: {
          y: { field: 'site', type: 'nominal', sort: sites, title: null },
          x: { field: 'n', type: 'quantitative', stack: 'zero', title: 'acquisitions', axis: COUNT_AXIS },
          color: { field: 'outcome', type: 'nominal', scale: { domain: ['both', 'model only', 'kernel only'], range: ['#54a24b', '#f58518', '#e45756'] } },
        },
      },
    },
  };
}

/** The unit a span of `ns` reads best in. */
export function timeUnit(ns: number): { ns: number; label: string } {
  if (ns >= 10e9) return { ns: 1e9, label: 's' };
  if (ns >= 10e6) return { ns: 1e6, label: 'ms' };
  if (ns >= 10e3) return { ns: 1e3, label: 'µs' };
  return { ns: 1, label: 'ns' };
}

function formatWidth(ns: number): string {
  const u = timeUnit(ns * 10);
  return `${Number((ns / u.ns).toPrecision(3))} ${u.label}`;
}
