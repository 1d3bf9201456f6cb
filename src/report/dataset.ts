// A dataset written by `vmreplay replay --dataset` (OUT/trace=NAME/, one whole
// run per trace, listed in OUT/manifest.json) as the commands that read runs
// see it: its traces in natural order of their names, each with its partition
// directory, and each trace's report data read from that partition exactly as
// for a single run. Figures per trace come from the trace's own run, never
// from sums across traces: each trace has its own clock, objects and baseline.

import { join, resolve } from 'node:path';
import { InputError } from '../common/errors.js';
import { type Manifest, readManifest } from '../store/manifest.js';
import { PARTITION_PREFIX } from '../store/outdir.js';
import { loadReportData, type ReportData } from './data.js';

export interface DatasetTrace {
  /** the partition's value: the `trace` column, and the directory `trace=NAME` */
  readonly name: string;
  /** the trace file it was replayed from */
  readonly input: string;
  /** the partition directory, a whole run */
  readonly dir: string;
}

export interface Dataset {
  readonly dir: string;
  readonly manifest: Manifest;
  readonly traces: readonly DatasetTrace[];
}

export interface DatasetTraceData extends DatasetTrace {
  readonly data: ReportData;
}

/** The partition directory of trace `name`, relative to the dataset: `trace=NAME`. */
export const partitionDir = (name: string): string => `${PARTITION_PREFIX}${name}`;

/** True when `manifest` is a dataset's (it lists traces) rather than a single run's. */
export const isDatasetManifest = (manifest: Manifest | null): boolean => Array.isArray(manifest?.traces);

/** The dataset in `dir`, or null when `dir` holds a single run (or no run at all). */
export async function openDataset(dir: string): Promise<Dataset | null> {
  const manifest = await readManifest(dir);
  if (!manifest || !isDatasetManifest(manifest)) return null;
  if (manifest.status !== 'complete')
    throw new InputError(dir, 0, 'the dataset replay that wrote this directory did not finish (manifest status is not complete)');
  const traces = manifest
    .traces!.map((t) => ({ name: t.name, input: t.input, dir: join(resolve(dir), partitionDir(t.name)) }))
    .sort((a, b) => naturalOrder(a.name, b.name));
  if (traces.length === 0) throw new InputError(dir, 0, 'the dataset lists no traces');
  return { dir: resolve(dir), manifest, traces };
}

/**
 * Trace names with their numbers compared as numbers (cpus2, cpus4, cpus8,
 * cpus16), so that traces read in the order of the CPU count or size they
 * name; otherwise code-point order, the same on every machine.
 */
export function naturalOrder(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const [x, y] = [pa[i]!, pb[i]!];
    if (x === y) continue;
    const numeric = /^\d/.test(x) && /^\d/.test(y);
    if (numeric && BigInt(x) !== BigInt(y)) return BigInt(x) < BigInt(y) ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Every trace's report data, in the dataset's order. */
export async function loadDatasetData(dataset: Dataset): Promise<DatasetTraceData[]> {
  const out: DatasetTraceData[] = [];
  for (const t of dataset.traces) out.push({ ...t, data: await loadReportData(t.dir) });
  return out;
}

/** The models every trace of the dataset has, in the first trace's order. */
export function commonModels(traces: readonly DatasetTraceData[]): string[] {
  const first = traces[0]?.data.models ?? [];
  return first.filter((m) => traces.every((t) => t.data.models.includes(m)));
}
