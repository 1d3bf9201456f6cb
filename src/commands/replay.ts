// `vmreplay replay TRACE... -o OUTDIR`: replay the traces under each model,
// write the tables and the database to OUTDIR, print a short summary. OUTDIR
// appears whole when the run is complete (see src/store/outdir.ts); Ctrl-C
// leaves it as it was.

import { completeNote, onInterrupt } from '../common/interrupt.js';
import { FAMILIES } from '../models/index.js';
import { formatSummary, type RunTiming, type WriterWaits } from '../report/summary.js';
import { RunDatabase } from '../store/run-database.js';
import { DEFAULT_REPLAY_OPTIONS, resolveReplayOptions } from '../replay/options.js';
import type { RunResult } from '../replay/run.js';
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
  --models LIST        comma-separated models (default: the trace's family, ${FAMILIES.dragonfly.defaults.join(',')} for a DragonFly or FreeBSD trace, ${FAMILIES.linux.defaults.join(',')} for a Linux capture); each is compared against its family's baseline (old, linux-mmap)
  --shared-fault 0|1   the vm.shared_fault sysctl (default 1)
  --linux-version V    Linux models: the kernel whose per-VMA rules apply, e.g. 6.4, 6.6, 6.18 (default: the capture's uname -r)
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
  'linux-version': { type: 'string' },
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
  // Registered before the replay so no signal finds the process without a handler between the store's commit and the summary.
  let complete = false;
  const unregister = onInterrupt(() => (complete ? completeNote(values.out!) : undefined));
  try {
    const replayed = await replayToDirectory(positionals, values.out, values);
    complete = true;
    if (values.json) data(runSummaryJson(replayed.run, replayed.knobs, replayed.timing, values.out));
    else result(formatRunSummary(replayed));
    say(`tables and database written to ${values.out}; for a report to paste into a review: ${commandLine(`report ${values.out}`)}
`);
    return 0;
  } finally {
    unregister();
  }
}

/** The summary of a replay made by replayToDirectory(), with its timing, as wide as the terminal. */
export function formatRunSummary(replayed: {
  run: RunResult;
  knobs: { sharedFault: boolean };
  timing: RunTiming;
  writerWaits?: readonly WriterWaits[];
}): string {
  return formatSummary(replayed.run, replayed.knobs, { timing: replayed.timing, width: terminalWidth(), writerWaits: replayed.writerWaits ?? [] });
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
  const writerWaits = run.models.some((m) => m.family === 'linux') ? await readWriterWaits(outDir) : [];
  return { run, knobs: options.knobs, timing, writerWaits };
}

/** The writer_waits view of a Linux run just written (the waiting behind mmap_lock writers each Linux model implies). */
async function readWriterWaits(outDir: string): Promise<WriterWaits[]> {
  const db = await RunDatabase.open(outDir);
  try {
    const rows = (await db.connection.runAndReadAll('SELECT model, faults_waiting, wait_ns, max_wait_ns FROM writer_waits')).getRows();
    return rows.map(([model, faults, waitNs, maxNs]) => ({
      model: String(model),
      faults: Number(faults),
      waitNs: Number(waitNs),
      maxWaitNs: maxNs === null ? 0 : Number(maxNs),
    }));
  } finally {
    db.close();
  }
}

/** `--linux-version 6.6` as a knob (606); a version the rules do not cover is a usage error. */
function linuxVersion(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\.(\d+)$/.exec(text.trim());
  const v = m ? Number(m[1]) * 100 + Number(m[2]) : NaN;
  if (!(v >= 300 && v <= 699)) throw new UsageError(`--linux-version ${text}: give a Linux version as MAJOR.MINOR, e.g. 6.4, 6.6 or 6.18`);
  return v;
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
  const given = (flag: 'hold-scale' | 'site-hold-ns') => (values[flag] === undefined ? undefined : number(values[flag], `--${flag}`, NaN));
  const models = values.models
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const sharedFault = values['shared-fault'] === undefined ? undefined : oneOf(values['shared-fault'], ['0', '1'] as const, '--shared-fault', '1') === '1';
  // The replay's defaults are applied in resolveReplayOptions; an option the store learns goes in here too.
  return {
    ...resolveReplayOptions({
      models,
      sharedFault,
      linuxVersion: linuxVersion(values['linux-version']),
      holdScale: given('hold-scale'),
      siteHoldNs: given('site-hold-ns'),
    }),
    ...ingestOptions(values),
    arrow: values.arrow === true,
  };
}
