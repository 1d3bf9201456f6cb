// `vmreplay check OUT|TRACE... [--model M] --min-saved-x PCT ...`: a gate for
// a kernel tree's CI. Exit 0 with one OK line when every threshold holds,
// exit 1 with one line per failed threshold, exit 2 for bad usage or input.
// Traces are replayed first into -o DIR, or into a temporary directory that
// is removed afterwards. Given a dataset (`replay --dataset ... -o OUT`), the
// thresholds apply to every trace: a line per trace that holds, a line per
// trace and threshold that fails (exit 1 when any does).

import { join } from 'node:path';
import { UsageError } from '../common/errors.js';
import { loadReportData } from '../report/data.js';
import { commonModels, loadDatasetData, openDataset } from '../report/dataset.js';
import { checkDataset, checkThresholds, type Thresholds, type Verdict } from '../report/thresholds.js';
import { number, parse } from './args.js';
import { aside, data as write } from './console.js';
import { REPLAY_OPTIONS } from './replay.js';
import { isRunDirectory, REPLAY_OPTION_LINES, runFrom } from './run-source.js';
import { withTempDir } from './temp-dir.js';

const USAGE = `usage: vmreplay check OUT|TRACE... [--model M] [thresholds] [-o DIR] [replay options]
       vmreplay check --dataset DIR|GLOB|TRACE... [--model M] [thresholds] [-o DIR] [replay options]
  OUT                      a run directory, or a dataset (vmreplay replay --dataset ... -o OUT): every
                           trace is checked, one line each (OK trace=NAME ... or FAIL trace=NAME: ...)
  --model M                the model checked (default: the first model after the baseline)
  --min-saved-x PCT        least X token acquisitions saved against the baseline, in percent
  --min-agreement PCT      Linux models: least precision and recall of the faults predicted to take mmap_lock, against the capture
  --max-hazards N          most hazards
  --max-backdown-rate PCT  most back-downs per fault, in percent
  --max-contention-ns N    most estimated waiting time, in nanoseconds
  -o DIR                   keep the replay of traces in DIR (default: a temporary directory); with
                           --dataset, each trace is replayed on its own and checked as in a dataset
  --json                   the verdict as JSON on standard output: {"ok", "model", "lines"}
At least one threshold is required. Exit 0: all hold (in every trace); 1: one failed (one line each);
2: bad usage or input.
${REPLAY_OPTION_LINES}`;

const CHECK_OPTIONS = {
  ...REPLAY_OPTIONS,
  model: { type: 'string' },
  'min-saved-x': { type: 'string' },
  'min-agreement': { type: 'string' },
  'max-hazards': { type: 'string' },
  'max-backdown-rate': { type: 'string' },
  'max-contention-ns': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, CHECK_OPTIONS, USAGE);
  if (values.help) {
    write(USAGE + '\n');
    return 0;
  }
  if (positionals.length === 0) throw new UsageError(`give a run directory or traces\n${USAGE}`);
  const optional = (v: string | undefined, what: string, min = 0): number | undefined => {
    if (v === undefined) return undefined;
    const n = number(v, what, 0);
    if (n < min) throw new UsageError(`${what} must be at least ${min} (got '${v}')`);
    return n;
  };
  const thresholds: Thresholds = {
    minSavedXPct: values['min-saved-x'] === undefined ? undefined : number(values['min-saved-x'], '--min-saved-x', 0),
    minAgreementPct: values['min-agreement'] === undefined ? undefined : number(values['min-agreement'], '--min-agreement', 0),
    maxHazards: optional(values['max-hazards'], '--max-hazards'),
    maxBackdownRatePct: optional(values['max-backdown-rate'], '--max-backdown-rate'),
    maxContentionNs: optional(values['max-contention-ns'], '--max-contention-ns'),
  };
  if (Object.values(thresholds).every((v) => v === undefined)) throw new UsageError(`give at least one threshold\n${USAGE}`);

  // The replay's summary goes to stderr: stdout is the verdict a CI log greps (printed even with --quiet).
  const check = async (replayDir: string): Promise<number> => {
    const runDir = await runFrom(positionals, replayDir, values, (s) => aside(s + '\n'));
    const { model, verdict } = await checkRun(runDir, values.model, thresholds);
    write(values.json ? JSON.stringify({ ok: verdict.ok, model, lines: verdict.lines }, null, 2) + '\n' : verdict.lines.join('\n') + '\n');
    return verdict.ok ? 0 : 1;
  };
  const fromRun = positionals.length === 1 && isRunDirectory(positionals[0]!);
  if (fromRun || values.out) return check(values.out ?? '.');
  // Traces without -o: replayed into a temporary directory that goes away (on Ctrl-C too).
  return withTempDir('vmreplay-check-', (temp) => check(join(temp, 'run')));
}

/** The verdict on the run in `runDir`, or on every trace when it is a dataset; `model` defaults to the first after the baseline. */
async function checkRun(runDir: string, given: string | undefined, thresholds: Thresholds): Promise<{ model: string; verdict: Verdict }> {
  const dataset = await openDataset(runDir);
  if (dataset) {
    const traces = await loadDatasetData(dataset);
    const models = commonModels(traces);
    const baseline = traces[0]!.data.baseline;
    const model = given ?? models.find((m) => m !== baseline) ?? baseline;
    if (!models.includes(model)) throw new UsageError(`--model ${model} is not in every trace of the dataset (they all have ${models.join(', ')})`);
    return { model, verdict: checkDataset(traces, model, thresholds) };
  }
  const data = await loadReportData(runDir);
  const model = given ?? data.models.find((m) => m !== data.baseline) ?? data.baseline;
  if (!data.models.includes(model)) throw new UsageError(`--model ${model} is not in the run (it has ${data.models.join(', ')})`);
  return { model, verdict: checkThresholds(data, model, thresholds) };
}
