// One replay run, start to end: ingest the traces, drive the engine, write the
// final tables, and return what the run found as a plain value (the summary
// and the report read that, never the engine). store/replay-into.ts adds the
// store; tests call this with an in-memory output.

import { Dictionaries } from '../columns/dictionaries.js';
import type { FileStats } from '../ingest/common/stats.js';
import { Ingest, type IngestOptions, type IngestProgress } from '../ingest/open.js';
import { ReplayEngine } from './engine.js';
import type { ReplayOptions } from './options.js';
import { writeAgreement, writeIngestStats, writeObjects, writeProcesses } from './final-tables.js';
import type { TableOutput } from './output.js';
import type { ModelTally, TallyCounts } from './tally.js';
import { defaultModels } from '../models/index.js';
import type { Family } from '../models/model.js';

/** A trace's kernel family, from the framing of its first file: perf text and perf.data are Linux captures. */
export function traceFamily(files: readonly FileStats[]): Family {
  const f = files[0]?.format;
  return f === 'perf' || f === 'perf-data' ? 'linux' : 'dragonfly';
}

/** A run's options: the ingest's, and the replay's resolved (options.ts resolveReplayOptions). */
export interface RunOptions extends IngestOptions, ReplayOptions {
  /** called between input batches (progress display) */
  readonly onProgress?: (progress: RunProgress) => void;
}

export interface RunProgress extends IngestProgress {
  /** events replayed */
  readonly events: number;
  readonly faults: number;
}

/** What one model did over the whole run: its tally's counts, and what the tally keeps by site, rule and reason. */
export interface ModelTotals extends Readonly<TallyCounts> {
  readonly model: string;
  readonly family: Family;
  readonly backdownTotal: number;
  /** back-downs by rule (B1..B4, exec_map_page) */
  readonly backdowns: Readonly<Record<string, number>>;
  /** X token acquisitions by site name */
  readonly xTokensBySite: Readonly<Record<string, number>>;
  /** Linux models: the faults that took the mm lock, by why */
  readonly mmReasons: Readonly<Record<string, number>>;
  /** every acquisition, the per-map token included */
  readonly acquisitions: number;
}

export interface AgreementTotals {
  readonly model: string;
  readonly matched: number;
  readonly modelOnly: number;
  readonly traceOnly: number;
}

/** The figures of a finished run; the first model is the baseline. */
export interface RunResult {
  /** the kernel family of the traces (from their framing) */
  readonly family: Family;
  /** DragonFly models replayed a Linux capture through the reader's mapping onto the BSD vocabulary: a labelled proxy */
  readonly proxy: boolean;
  /** Linux faults replayed (lx_fault events) */
  readonly linuxFaults: number;
  readonly events: number;
  readonly faultsReplayed: number;
  /** faults with no first object recorded */
  readonly faultsUnreplayable: number;
  /** faults cut off by the trace window (or by a missing line: see faultsDamaged) */
  readonly faultsTruncated: number;
  /** of the faults truncated or unreplayable, those damaged: a line of theirs rejected or missing */
  readonly faultsDamaged: { readonly truncated: number; readonly unreplayable: number };
  readonly siteOps: number;
  /** the generator's marker payload when the trace was generated, else null */
  readonly synthetic: string | null;
  /** wall time of ingest + replay + final tables, seconds */
  readonly seconds: number;
  readonly files: readonly FileStats[];
  readonly models: readonly ModelTotals[];
  readonly agreement: { readonly faultsCompared: number; readonly totals: readonly AgreementTotals[] };
}

/** Replay `paths` into `out`; `dicts` are the run's dictionaries, shared with `out` when it resolves ids. */
export async function replayTraces(paths: readonly string[], options: RunOptions, out: TableOutput, dicts = new Dictionaries()): Promise<RunResult> {
  const started = performance.now();
  // The engine starts with the first batch: by then the framing tells the trace's family, whose models are the default.
  let engineOf: ReplayEngine | null = null;
  // Progress while reading too: a sort window can hold every event back until the input ends.
  const progress = (): void => options.onProgress?.({ ...ingest.progress(), events: engineOf?.events ?? 0, faults: engineOf?.faultsReplayed ?? 0 });
  const ingest = new Ingest({ ...options, onRead: progress }, dicts);
  const start = (): ReplayEngine =>
    (engineOf ??= new ReplayEngine(ingest, out, { ...options, models: options.models ?? defaultModels(traceFamily(ingest.files)) }));
  for await (const batch of ingest.events(paths)) {
    const engine = start();
    engine.batch(batch);
    progress();
    await out.flush();
  }
  const engine = start();
  engine.finish();
  writeObjects(engine.registry, out);
  writeProcesses(engine.processes, out);
  writeIngestStats(ingest.files, ingest.strings, out);
  writeAgreement(engine.agreement, ingest.strings, out);
  await out.flush();
  const family = traceFamily(ingest.files);
  return {
    family,
    proxy: family === 'linux' && engine.families.has('dragonfly'),
    linuxFaults: engine.linuxFaults,
    events: engine.events,
    faultsReplayed: engine.faultsReplayed,
    faultsUnreplayable: engine.faultsUnreplayable,
    faultsTruncated: engine.assembler.truncated,
    faultsDamaged: { truncated: engine.assembler.damaged, unreplayable: engine.faultsUnreplayableDamaged },
    siteOps: engine.siteOps,
    synthetic: engine.synthetic,
    seconds: (performance.now() - started) / 1000,
    files: ingest.files,
    models: engine.tallies.map((t, m) => totalsOf(t, (id) => ingest.strings.get(id) ?? '?', engine.models[m]!.family ?? 'dragonfly')),
    agreement: { faultsCompared: engine.agreement.faultsCompared, totals: engine.agreement.totals() },
  };
}

function totalsOf(t: ModelTally, siteName: (id: number) => string, family: Family): ModelTotals {
  const xTokensBySite: Record<string, number> = {};
  for (const [site, n] of t.xBySite) xTokensBySite[siteName(site)] = n;
  const c = t.counts;
  return {
    model: t.model,
    ...c,
    backdownTotal: t.backdownTotal,
    backdowns: Object.fromEntries(t.backdowns),
    xTokensBySite,
    family,
    mmReasons: Object.fromEntries(t.mmReasons),
    acquisitions: c.xTokens + c.sTokens + c.xChain + c.sChain + c.mmLocks + c.vmaLocks + c.mapTokens,
  };
}
