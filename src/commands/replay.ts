// `vmreplay replay TRACE... -o OUTDIR`: replay the traces under each model,
// write the tables and the database to OUTDIR, print a short summary. OUTDIR
// appears whole when the run is complete (see src/store/outdir.ts); Ctrl-C
// leaves it as it was.

import { DEFAULT_MODELS, modelsByName } from '../models/index.js';
import { formatSummary, type RunTiming } from '../report/summary.js';
import { DEFAULT_REPLAY_OPTIONS } from '../replay/engine.js';
import { type RunResult } from '../replay/run.js';
import { replayIntoDirectory } from '../store/replay-into.js';
import { number, oneOf, parse } from './args.js';
import { INGEST_OPTIONS, INGEST_USAGE, ingestOptions } from './ingest-options.js';
import { progressReporter } from './progress.js';
import { data, keepStdoutForData, result, say, terminalWidth } from './console.js';
import { runSummaryJson } from '../report/summary-json.js';
import { statSync } from 'node:fs';
import { UsageError } from '../common/errors.js';
import { commandLine } from '../common/invocation.js';
import { replayDataset } from './replay-dataset.js';

export const REPLAY_USAGE = `usage: vmreplay replay TRACE... -o OUTDIR [options]
       vmreplay replay --dataset DIR|GLOB|TRACE... -o OUTDIR [options]
  TRACE...             the files of one capture (per-CPU files, a capture in pieces), merged by time as one trace
  --dataset            many traces as one dataset: each file (a directory's trace files, a quoted glob's matches)
                       replayed on its own, in parallel, into OUTDIR/trace=NAME/, with one database over them all
  --models LIST        comma-separated models (default ${DEFAULT_MODELS.join(',')}); the first is the baseline
  --shared-fault 0|1   the vm.shared_fault sysctl (default 1)
  --hold-scale F       multiply every hold time in the contention estimate (default 1)
  --site-hold-ns N     hold time of a one-event lock site (default ${DEFAULT_REPLAY_OPTIONS.siteHoldNs})
  --arrow              also write every table as an Arrow IPC stream (OUT/<table>.arrow, uncompressed)
  --json               the summary as JSON on standard output (per model, exact counts; per file, its lines)
${INGEST_USAGE}
TRACE may be - (standard input) and may be gzip- or zstd-compressed.`;

export const REPLAY_OPTIONS = {
  out: { type: 'string', short: 'o' },
  models: { type: 'string' },
  'shared-fault': { type: 'string' },
  'hold-scale': { type: 'string' },
  'site-hold-ns': { type: 'string' },
  arrow: { type: 'boolean' },
  dataset: { type: 'boolean' },
  ...INGEST_OPTIONS,
} as const;

type Values = ReturnType<typeof parse<typeof REPLAY_OPTIONS>>['values'];

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...REPLAY_OPTIONS, json: { type: 'boolean' } }, REPLAY_USAGE);
  if (values.help) {
    process.stdout.write(REPLAY_USAGE + '\n');
    return 0;
  }
  if (positionals.length === 0) throw new UsageError(`no trace given\n${REPLAY_USAGE}`);
  if (!values.out) throw new UsageError(`no output directory (-o OUTDIR)\n${REPLAY_USAGE}`);
  if (values.json) keepStdoutForData();
  if (values.dataset) {
    replayOptions(values); // a usage error before any trace is read
    await replayDataset(positionals, values.out, passedOn(values), values.json ? data : result, values.json ? 'json' : 'table');
    return 0;
  }
  const replayed = await replayToDirectory(positionals, values.out, values);
  if (values.json) data(runSummaryJson(replayed.run, replayed.knobs, replayed.timing, values.out));
  else result(formatRunSummary(replayed));
  say(`tables and database written to ${values.out}; for a report to paste into a review: ${commandLine(`report ${values.out}`)}\n`);
  return 0;
}

/** The summary of a replay made by replayToDirectory(), with its timing, as wide as the terminal. */
export function formatRunSummary(replayed: { run: RunResult; knobs: { sharedFault: boolean }; timing: RunTiming }): string {
  return formatSummary(replayed.run, replayed.knobs, { timing: replayed.timing, width: terminalWidth() });
}

/** The options of `values` as command-line words again, for each trace's replay in a dataset. */
export function passedOn(values: Values): string[] {
  const words: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (name === 'out' || name === 'dataset' || name === 'help' || name === 'json' || value === undefined || value === false) continue;
    // The deprecated --format is passed on as what it means (the parent has warned about it once).
    if (name === 'format' && values['trace-format'] === undefined) words.push(`--trace-format=${String(value)}`);
    else if (name !== 'format') words.push(value === true ? `--${name}` : `--${name}=${String(value)}`);
  }
  return words;
}

export async function replayToDirectory(traces: string[], outDir: string, values: Values) {
  const options = replayOptions(values);
  const started = performance.now();
  const progress = progressReporter(inputBytes(traces));
  let replayed;
  try {
    replayed = await replayIntoDirectory(traces, outDir, { ...options, onProgress: progress.update, onBuilding: progress.building });
  } finally {
    progress.done();
  }
  const { run } = replayed;
  const timing: RunTiming = {
    seconds: (performance.now() - started) / 1000,
    phases: [
      { name: 'read + replay', seconds: run.seconds },
      { name: 'build tables', seconds: replayed.buildSeconds },
    ],
  };
  return { run, knobs: options.knobs, timing };
}

/** Total size of the traces on disk, for the progress percentage; null when one is standard input or unreadable. */
function inputBytes(traces: readonly string[]): number | null {
  let total = 0;
  for (const t of traces) {
    if (t === '-') return null;
    try {
      total += statSync(t).size;
    } catch {
      return null; // the ingest reports the file
    }
  }
  return total;
}

/** What the replay and the store take, from the command line; usage errors are thrown here. */
function replayOptions(values: Values) {
  const modelNames = (values.models ?? DEFAULT_MODELS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  let models;
  try {
    models = modelsByName(modelNames);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const knobs = { sharedFault: oneOf(values['shared-fault'], ['0', '1'] as const, '--shared-fault', '1') === '1' };
  // Open: an option the replay or the store learns goes in here and reaches them through replayIntoDirectory.
  return {
    models,
    knobs,
    ...ingestOptions(values),
    holdScale: number(values['hold-scale'], '--hold-scale', DEFAULT_REPLAY_OPTIONS.holdScale),
    siteHoldNs: number(values['site-hold-ns'], '--site-hold-ns', DEFAULT_REPLAY_OPTIONS.siteHoldNs),
    arrow: values.arrow === true,
  };
}
