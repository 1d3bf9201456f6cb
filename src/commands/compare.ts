// `vmreplay compare A B [-o DIR] [--format md|json]`: two runs (run
// directories or traces) side by side, as deltas. With -o DIR it writes
// compare.md, compare.html, compare.json and a chart there; without, the
// chosen format goes to standard output. Traces are replayed first
// with the replay options, into DIR/a and DIR/b (or a temporary directory).
// Two datasets (`replay --dataset ... -o OUT`) are compared trace by trace,
// matched by trace name; a dataset against a single run or a trace is a usage
// error that says how to compare one of its traces instead.

import { join } from 'node:path';
import { UsageError } from '../common/errors.js';
import { commandLine } from '../common/invocation.js';
import { compareRuns } from '../report/compare.js';
import { loadReportData } from '../report/data.js';
import { type Dataset, loadDatasetData, openDataset, partitionDir } from '../report/dataset.js';
import { compareDatasets, datasetComparisonJson, datasetComparisonMarkdown, writeDatasetComparison } from '../report/dataset-compare.js';
import { comparisonJson, comparisonMarkdown, writeComparison } from '../report/write-compare.js';
import { oneOf, parse } from './args.js';
import { aside, data, say } from './console.js';
import { REPLAY_OPTIONS } from './replay.js';
import { isRunDirectory, REPLAY_OPTION_LINES, runFrom } from './run-source.js';
import { withTempDir } from './temp-dir.js';

const USAGE = `usage: vmreplay compare A B [-o DIR] [--format md|json] [--trace-format F] [replay options]
  A, B            run directories, or one trace each (replayed first, into DIR/a and DIR/b), or two
                  datasets (vmreplay replay --dataset ... -o OUT): compared trace by trace, matched by
                  trace name; with -o, each trace's comparison goes to DIR/trace=NAME/. A dataset and a
                  run: compare one trace of the dataset, A/trace=NAME, with the run. With --dataset, A
                  and B may each be a directory or a quoted glob of traces, replayed as a dataset
  -o DIR          write compare.md, compare.html and compare.json to DIR
  --format        what goes to standard output without -o: md (default) or json
${REPLAY_OPTION_LINES.replace(/^\s+--format .*\n?/m, '')}`;

const { format: _traceFormat, ...REPLAY_WITHOUT_FORMAT } = REPLAY_OPTIONS;
const COMPARE_OPTIONS = { ...REPLAY_WITHOUT_FORMAT, format: { type: 'string' } } as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, COMPARE_OPTIONS, USAGE);
  if (values.help) {
    data(USAGE + '\n');
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError(`give two runs (run directories or traces), A and B\n${USAGE}`);
  const format = oneOf(values.format, ['md', 'json'] as const, '--format', 'md');
  const [a, b] = [positionals[0]!, positionals[1]!];
  // Before any replay: a dataset against a single run or a trace (without --dataset, which makes traces datasets) is refused.
  if (!values.dataset) {
    const both = await twoDatasets(a, b);
    if (both) return compareTwoDatasets(both[0], both[1], a, b, values.out, format, true);
  }
  const { format: _comparison, ...replayValues } = values; // --format is the comparison's; the traces' is --trace-format
  const out = values.out;
  // Without -o standard output is the comparison, so the replays' summaries go to standard error.
  const chatter = out ? say : aside;
  const compare = async (work: string): Promise<number> => {
    const dirA = await runFrom([positionals[0]!], join(work, 'a'), replayValues, (s) => chatter(s + '\n'));
    const dirB = await runFrom([positionals[1]!], join(work, 'b'), replayValues, (s) => chatter(s + '\n'));
    const both = values.dataset ? await twoDatasets(dirA, dirB) : null;
    if (both) return compareTwoDatasets(both[0], both[1], a, b, out, format, false);
    const comparison = compareRuns(await loadReportData(dirA), await loadReportData(dirB));
    const title = `vmreplay compare: A ${positionals[0]} vs B ${positionals[1]}`;
    if (out) {
      const [md, html, json] = await writeComparison(comparison, title, out);
      say(`comparison written to ${md}, ${html} (open it in a browser) and ${json}\n`);
    } else {
      data(format === 'json' ? comparisonJson(comparison) : comparisonMarkdown(comparison, title));
    }
    return 0;
  };
  // Traces are replayed into -o DIR, else into a temporary directory that goes away (on Ctrl-C too).
  if (out || positionals.every(isRunDirectory)) return compare(out ?? '.');
  return withTempDir('vmreplay-compare-', compare);
}

/** Both datasets when A and B are, null when neither is; a dataset against a single run or a trace is a usage error saying what to do. */
async function twoDatasets(a: string, b: string): Promise<[Dataset, Dataset] | null> {
  const [dsA, dsB] = [await datasetAt(a), await datasetAt(b)];
  if (dsA && dsB) return [dsA, dsB];
  if (!dsA && !dsB) return null;
  const [ds, which, other, path] = dsA ? [dsA, 'A', 'B', a] : [dsB!, 'B', 'A', b];
  const example = join(path, partitionDir(ds.traces[0]!.name));
  throw new UsageError(
    `${which} (${path}) is a dataset of ${ds.traces.length} traces and ${other} is a single run or trace, which has no trace names to match them by.\n` +
      `Compare one trace of the dataset with it (e.g. ${commandLine('compare')} ${dsA ? `${example} ${b}` : `${a} ${example}`}), or compare two datasets.`,
  );
}

/** The dataset in `path` when it is one (a run directory whose manifest lists traces), else null. */
async function datasetAt(path: string): Promise<Dataset | null> {
  return isRunDirectory(path) ? openDataset(path) : null;
}

/** Two datasets trace by trace; `given` when A and B were dataset directories (not traces replayed here), so the error can name their partitions. */
async function compareTwoDatasets(
  a: Dataset,
  b: Dataset,
  nameA: string,
  nameB: string,
  out: string | undefined,
  format: 'md' | 'json',
  given: boolean,
): Promise<number> {
  const comparison = compareDatasets(nameA, await loadDatasetData(a), nameB, await loadDatasetData(b));
  if (comparison === null) {
    const names = `A: ${a.traces.map((t) => t.name).join(', ')}; B: ${b.traces.map((t) => t.name).join(', ')}`;
    const hint = given
      ? `compare two traces with ${commandLine('compare')} ${join(nameA, partitionDir(a.traces[0]!.name))} ${join(nameB, partitionDir(b.traces[0]!.name))}`
      : 'name the trace files alike (cpus8.dtrace in both), or compare two traces without --dataset';
    throw new UsageError(`the datasets have no trace name in common (${names}); traces are matched by name: ${hint}`);
  }
  const title = `vmreplay compare: datasets A ${nameA} vs B ${nameB}`;
  if (out) {
    const [md, html, json] = await writeDatasetComparison(comparison, title, out);
    say(
      `comparison of ${comparison.traces.length} traces written to ${md}, ${html} (open it in a browser) and ${json}; each trace's in ${join(out, 'trace=NAME')}/\n`,
    );
  } else {
    data(format === 'json' ? datasetComparisonJson(comparison) : datasetComparisonMarkdown(comparison, title));
  }
  return 0;
}
