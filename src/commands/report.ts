// `vmreplay report TRACE...|OUT [-o DIR]`: the report of a run, for a code
// review: report.md, report.html and charts/. Given traces it replays them
// first into DIR/run/ (same options as `replay`); given a run directory it
// reads the store, and writes the report beside the run unless -o says where.
// Given a dataset (`replay --dataset ... -o OUT`) it writes each trace's own
// report into DIR/trace=NAME/ and one page across the traces into DIR.

import { isAbsolute, join, relative } from 'node:path';
import { UsageError } from '../common/errors.js';
import { openDataset } from '../report/dataset.js';
import { writeDatasetReport } from '../report/dataset-report.js';
import { writeReport } from '../report/write.js';
import { parse } from './args.js';
import { data, result, say } from './console.js';
import { REPLAY_OPTIONS } from './replay.js';
import { isRunDirectory, REPLAY_OPTION_LINES, runFrom } from './run-source.js';

const USAGE = `usage: vmreplay report TRACE... -o DIR [replay options]
       vmreplay report --dataset DIR|GLOB|TRACE... -o DIR [replay options]
       vmreplay report OUT [-o DIR]
  OUT                  a run directory, or a dataset (vmreplay replay --dataset ... -o OUT): then
                       report.md and report.html hold the headline per trace and model and the
                       charts per trace, and each trace's own report goes to DIR/trace=NAME/
  -o DIR               where report.md, report.html and charts/ go (default for OUT: OUT itself);
                       traces are replayed into DIR/run/ (with --dataset, each on its own: a dataset)
${REPLAY_OPTION_LINES}`;

/** Where a replay made for a report keeps its tables. */
export const RUN_SUBDIR = 'run';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, REPLAY_OPTIONS, USAGE);
  if (values.help) {
    data(USAGE + '\n');
    return 0;
  }
  if (positionals.length === 0) throw new UsageError(`give a run directory or traces\n${USAGE}`);
  const fromRun = positionals.length === 1 && isRunDirectory(positionals[0]!);
  if (!fromRun && !values.out) throw new UsageError(`no report directory (-o DIR) for a report of traces\n${USAGE}`);
  const outDir = values.out ?? positionals[0]!;
  const runDir = await runFrom(positionals, join(outDir, RUN_SUBDIR), values, (s) => result(s + '\n'));
  await reportAndSay(runDir, outDir);
  return 0;
}

/** Write the report of `runDir` (a run or a dataset) into `outDir` and print where it is. */
export async function reportAndSay(runDir: string, outDir: string): Promise<void> {
  const began = performance.now();
  const show = (p: string) => (isAbsolute(p) || p.startsWith('..') ? p : `./${relative('.', p)}`);
  const took = () => ((performance.now() - began) / 1000).toFixed(2);
  const dataset = await openDataset(runDir);
  if (dataset) {
    const written = await writeDatasetReport(dataset, outDir);
    say(
      `dataset report written in ${took()} s: ${show(written.markdown)} (Markdown, charts as PNG), ` +
        `${show(written.html)} (open it in a browser; self-contained), ${written.charts.length} charts in ${show(join(outDir, 'charts'))}; ` +
        `each trace's report in ${show(join(outDir, 'trace=NAME'))}/ (${written.traces.map((t) => t.name).join(', ')})\n`,
    );
    const { removed, kept } = written.stale;
    if (removed.length) say(`removed the reports of traces no longer in the dataset: ${removed.map((d) => show(join(outDir, d))).join(', ')}\n`);
    if (kept.length)
      say(
        `note: ${kept.map((d) => show(join(outDir, d))).join(', ')} belong${kept.length === 1 ? 's' : ''} to no trace of the dataset but hold more than a report; left in place\n`,
      );
    return;
  }
  const written = await writeReport(runDir, outDir);
  say(
    `report written in ${took()} s: ${show(written.markdown)} (Markdown, charts as PNG), ` +
      `${show(written.html)} (open it in a browser; self-contained), ${written.charts.length} charts in ${show(join(outDir, 'charts'))}\n`,
  );
}
