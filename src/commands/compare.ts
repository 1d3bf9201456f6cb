// `vmreplay compare A B [-o DIR] [--format md|json]`: two runs (run
// directories or traces) side by side, as deltas. With -o DIR it writes
// compare.md, compare.html, compare.json and a chart there; without, the
// chosen format goes to standard output. Traces are replayed first
// with the replay options, into DIR/a and DIR/b (or a temporary directory).

import { join } from 'node:path';
import { UsageError } from '../common/errors.js';
import { compareRuns } from '../report/compare.js';
import { loadReportData } from '../report/data.js';
import { comparisonJson, comparisonMarkdown, writeComparison } from '../report/write-compare.js';
import { oneOf, parse } from './args.js';
import { aside, data, say } from './console.js';
import { REPLAY_OPTIONS } from './replay.js';
import { isRunDirectory, REPLAY_OPTION_LINES, runFrom } from './run-source.js';
import { withTempDir } from './temp-dir.js';

const USAGE = `usage: vmreplay compare A B [-o DIR] [--format md|json] [--trace-format F] [replay options]
  A, B            run directories, or one trace each (replayed first, into DIR/a and DIR/b)
  -o DIR          write compare.md, compare.html and compare.json to DIR
  --format        what goes to standard output without -o: md (default) or json
  --trace-format  the framing of traces given as A or B (the replay option --format)
${REPLAY_OPTION_LINES.replace(/^\s+--format .*\n?/m, '')}`;

const { format: _traceFormat, ...REPLAY_WITHOUT_FORMAT } = REPLAY_OPTIONS;
const COMPARE_OPTIONS = { ...REPLAY_WITHOUT_FORMAT, format: { type: 'string' }, 'trace-format': { type: 'string' } } as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, COMPARE_OPTIONS, USAGE);
  if (values.help) {
    data(USAGE + '\n');
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError(`give two runs (run directories or traces), A and B\n${USAGE}`);
  const format = oneOf(values.format, ['md', 'json'] as const, '--format', 'md');
  const replayValues = { ...values, format: values['trace-format'] };
  const out = values.out;
  // Without -o standard output is the comparison, so the replays' summaries go to standard error.
  const chatter = out ? say : aside;
  const compare = async (work: string): Promise<number> => {
    const dirA = await runFrom([positionals[0]!], join(work, 'a'), replayValues, (s) => chatter(s + '\n'));
    const dirB = await runFrom([positionals[1]!], join(work, 'b'), replayValues, (s) => chatter(s + '\n'));
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
