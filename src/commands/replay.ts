// `vmreplay replay TRACE... -o OUTDIR`: replay the traces under each model,
// write the tables and the database to OUTDIR, print a short summary.

import { Dictionaries } from '../columns/dictionaries.js';
import { DEFAULT_MODELS, modelsByName } from '../models/index.js';
import { formatSummary } from '../report/summary.js';
import { DEFAULT_REPLAY_OPTIONS } from '../replay/engine.js';
import { type RunResult, replayTraces } from '../replay/run.js';
import { openStore } from '../store/index.js';
import { VERSION } from '../common/version.js';
import { number, oneOf, parse } from './args.js';
import { INGEST_OPTIONS, INGEST_USAGE, ingestOptions } from './ingest-options.js';
import { progressReporter } from './progress.js';
import { UsageError } from '../common/errors.js';

export const REPLAY_USAGE = `usage: vmreplay replay TRACE... -o OUTDIR [options]
  --models LIST        comma-separated models (default ${DEFAULT_MODELS.join(',')}); the first is the baseline
  --shared-fault 0|1   the vm.shared_fault sysctl (default 1)
  --hold-scale F       multiply every hold time in the contention estimate (default 1)
  --site-hold-ns N     hold time of a one-event lock site (default ${DEFAULT_REPLAY_OPTIONS.siteHoldNs})
${INGEST_USAGE}
TRACE may be - (standard input) and may be gzip- or zstd-compressed.`;

export const REPLAY_OPTIONS = {
  out: { type: 'string', short: 'o' },
  models: { type: 'string' },
  'shared-fault': { type: 'string' },
  'hold-scale': { type: 'string' },
  'site-hold-ns': { type: 'string' },
  ...INGEST_OPTIONS,
} as const;

type Values = ReturnType<typeof parse<typeof REPLAY_OPTIONS>>['values'];

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, REPLAY_OPTIONS, REPLAY_USAGE);
  if (values.help) {
    process.stdout.write(REPLAY_USAGE + '\n');
    return 0;
  }
  if (positionals.length === 0) throw new UsageError(`no trace given\n${REPLAY_USAGE}`);
  if (!values.out) throw new UsageError(`no output directory (-o OUTDIR)\n${REPLAY_USAGE}`);
  const result = await replayToDirectory(positionals, values.out, values);
  process.stdout.write(formatSummary(result.run, result.knobs));
  process.stdout.write(`tables and database written to ${values.out}\n`);
  return 0;
}

export async function replayToDirectory(traces: string[], outDir: string, values: Values) {
  const modelNames = (values.models ?? DEFAULT_MODELS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  let models;
  try {
    models = modelsByName(modelNames);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const knobs = { sharedFault: oneOf(values['shared-fault'], ['0', '1'] as const, '--shared-fault', '1') === '1' };
  const options = {
    models,
    knobs,
    ...ingestOptions(values),
    holdScale: number(values['hold-scale'], '--hold-scale', DEFAULT_REPLAY_OPTIONS.holdScale),
    siteHoldNs: number(values['site-hold-ns'], '--site-hold-ns', DEFAULT_REPLAY_OPTIONS.siteHoldNs),
  };
  const progress = progressReporter();
  const dicts = new Dictionaries();
  const store = await openStore(outDir, dicts);
  let run: RunResult;
  try {
    run = await replayTraces(traces, { ...options, onProgress: progress.update }, store, dicts);
  } catch (e) {
    await store.abort(); // no half-written run left behind
    throw e;
  } finally {
    progress.done();
  }
  await store.close({
    tool: 'vmreplay',
    version: VERSION,
    inputs: traces,
    models: modelNames,
    knobs: { shared_fault: knobs.sharedFault ? 1 : 0, hold_scale: options.holdScale, site_hold_ns: options.siteHoldNs },
    synthetic: run.synthetic,
  });
  return { run, knobs };
}
