// The charts of a dataset's report: one group of bars per trace, in the
// dataset's order, so savings and waits read against the workload or the CPU
// count the traces differ in. Each trace's figures are its own run's.

import type { DatasetTraceData } from '../dataset.js';
import { type Chart, type ChartEntry, type ChartSpec, makeCharts, modelColor, SCHEMA, timeUnit } from './specs.js';

/** What the dataset's charts are made from: the traces, the models they share, the baseline. */
interface DatasetChartData {
  readonly traces: readonly DatasetTraceData[];
  readonly models: readonly string[];
  readonly baseline: string;
}

/** Every chart a dataset report may have, in report order. */
const DATASET_CHARTS: readonly ChartEntry<DatasetChartData>[] = [
  { name: 'saved-by-trace', make: (d) => savedByTrace(d.traces, d.models, d.baseline) },
  { name: 'waits-by-trace', make: (d) => waitsByTrace(d.traces, d.models) },
];

/** Every chart a dataset report may have, by file name stem. */
export const DATASET_CHART_NAMES: readonly string[] = DATASET_CHARTS.map((c) => c.name);

export function datasetCharts(traces: readonly DatasetTraceData[], models: readonly string[], baseline: string): ChartSpec[] {
  return makeCharts(DATASET_CHARTS, { traces, models, baseline });
}

/** X token acquisitions each model saves against the baseline, in percent of the baseline's, per trace. */
export function savedByTrace(traces: readonly DatasetTraceData[], models: readonly string[], baseline: string): Chart | null {
  const compared = models.filter((m) => m !== baseline);
  const values = traces.flatMap((t) =>
    compared.flatMap((model) => {
      const s = t.data.summary.find((r) => r.model === model);
      return s && s.savedXPct !== null ? [{ trace: t.name, model, saved: s.savedXPct, savedX: s.savedX }] : [];
    }),
  );
  if (values.length === 0) return null;
  return {
    title: `X token acquisitions saved against ${baseline}, in percent of ${baseline}'s, per trace and model`,
    spec: {
      $schema: SCHEMA,
      title: `X token acquisitions saved against ${baseline}, per trace`,
      width: Math.max(360, Math.min(720, traces.length * compared.length * 56)),
      height: 240,
      data: { values },
      mark: 'bar',
      encoding: {
        x: { field: 'trace', type: 'nominal', sort: traces.map((t) => t.name), title: 'trace', axis: { labelAngle: 0, labelLimit: 160 } },
        xOffset: { field: 'model', type: 'nominal', sort: compared },
        y: { field: 'saved', type: 'quantitative', title: `X saved, % of ${baseline}` },
        color: modelColor(models, compared),
        tooltip: [{ field: 'trace' }, { field: 'model' }, { field: 'saved', title: '%' }, { field: 'savedX', title: 'X saved' }],
      },
    },
  };
}

/** Estimated waiting time on object tokens per trace and model (the baseline too): how contention grows with the CPU count. */
export function waitsByTrace(traces: readonly DatasetTraceData[], models: readonly string[]): Chart | null {
  const values = traces.flatMap((t) =>
    models.flatMap((model) => {
      const s = t.data.summary.find((r) => r.model === model);
      return s ? [{ trace: t.name, model, waitNs: s.waitNs, waits: s.waits }] : [];
    }),
  );
  if (values.every((v) => v.waits === 0)) return null;
  const unit = timeUnit(Math.max(...values.map((v) => v.waitNs)));
  return {
    title: 'Estimated token waiting time per trace and model',
    spec: {
      $schema: SCHEMA,
      title: 'Estimated waiting time per trace',
      width: Math.max(360, Math.min(720, traces.length * models.length * 44)),
      height: 200,
      data: { values: values.map((v) => ({ ...v, wait: v.waitNs / unit.ns })) },
      mark: 'bar',
      encoding: {
        x: { field: 'trace', type: 'nominal', sort: traces.map((t) => t.name), title: 'trace', axis: { labelAngle: 0, labelLimit: 160 } },
        xOffset: { field: 'model', type: 'nominal', sort: models },
        y: { field: 'wait', type: 'quantitative', title: `estimated waiting time (${unit.label})` },
        color: modelColor(models),
        tooltip: [{ field: 'trace' }, { field: 'model' }, { field: 'waits', title: 'waits' }, { field: 'wait', title: unit.label }],
      },
    },
  };
}
