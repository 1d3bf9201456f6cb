// `vmreplay replay TRACE... -o OUTDIR`: replay the traces under each model,
// write the tables and the database to OUTDIR, print a short summary.

import { FORMATS } from '../ingest/framing.js';
import { Ingest } from '../ingest/open.js';
import { DEFAULT_MODELS, modelsByName } from '../models/index.js';
import { formatSummary } from '../report/summary.js';
import { DEFAULT_REPLAY_OPTIONS } from '../replay/engine.js';
import { type RunResult, replayTraces } from '../replay/run.js';
import { openStore } from '../store/index.js';
import { VERSION } from '../version.js';
import { number, oneOf, parse, UsageError } from './args.js';
import { progressReporter } from './progress.js';

export const REPLAY_USAGE = `usage: vmreplay replay TRACE... -o OUTDIR [options]
  --models LIST        comma-separated models (default ${DEFAULT_MODELS.join(',')}); the first is the baseline
  --format F           auto (default) or one of ${FORMATS.join(', ')}
  --shared-fault 0|1   the vm.shared_fault sysctl (default 1)
  --strict             stop at the first malformed line (exit 2)
  --hold-scale F       multiply every hold time in the contention estimate (default 1)
  --site-hold-ns N     hold time of a one-event lock site (default ${DEFAULT_REPLAY_OPTIONS.siteHoldNs})
  --sort-window-ms MS  how late an event may arrive and still be put in order (default 1000)
TRACE may be - (standard input) and may be gzip- or zstd-compressed.`;

export const REPLAY_OPTIONS = {
  out: { type: 'string', short: 'o' },
  models: { type: 'string' },
  format: { type: 'string' },
  'shared-fault': { type: 'string' },
  strict: { type: 'boolean' },
  'hold-scale': { type: 'string' },
  'site-hold-ns': { type: 'string' },
  'sort-window-ms': { type: 'string' },
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
    format: oneOf(values.format, ['auto', ...FORMATS] as const, '--format', 'auto'),
    strict: values.strict ?? false,
    holdScale: number(values['hold-scale'], '--hold-scale', DEFAULT_REPLAY_OPTIONS.holdScale),
    siteHoldNs: number(values['site-hold-ns'], '--site-hold-ns', DEFAULT_REPLAY_OPTIONS.siteHoldNs),
    sortWindowNs: number(values['sort-window-ms'], '--sort-window-ms', 1000) * 1e6,
  };
  const progress = progressReporter();
  const ingest = new Ingest(options);
  const store = await openStore(outDir, ingest);
  let run: RunResult;
  try {
    run = await replayTraces(traces, { ...options, onProgress: progress.update }, store, ingest);
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
    synthetic: run.engine.synthetic,
  });
  return { run, knobs };
}
