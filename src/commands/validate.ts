// `vmreplay validate TRACE...`: read and check traces without replaying them.
// Prints, per file and CPU, how every line was accounted for, each CPU's time
// window, and the faults cut off at either end of it. Exit 0 when the trace
// is clean, 1 when lines were rejected, the tracer dropped events or it
// failed outright and the trace has no events (so a
// script can tell), 2 for bad usage or, with --strict, the first bad line.

import { Ingest } from '../ingest/open.js';
import { FaultAssembler } from '../replay/assemble.js';
import { formatIngestStats } from '../report/ingest-stats.js';
import { parse } from './args.js';
import { data, result, terminalWidth } from './console.js';
import { validateJson } from '../report/summary-json.js';
import { INGEST_OPTIONS, INGEST_USAGE, ingestOptions } from './ingest-options.js';
import { UsageError } from '../common/errors.js';

const USAGE = `usage: vmreplay validate TRACE... [options]
${INGEST_USAGE}
  --json               the accounting as JSON on standard output (per file and CPU)
Exit 0: the trace is clean; 1: lines were rejected, the tracer dropped events, or it failed and wrote none; 2: bad usage or input.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...INGEST_OPTIONS, json: { type: 'boolean' } }, USAGE);
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (positionals.length === 0) throw new UsageError(`no trace given\n${USAGE}`);
  const ingest = new Ingest(ingestOptions(values));
  // Only the counts of faults cut off by the window are printed: count, build none.
  const faults = FaultAssembler.counter(ingest.files, ingest.strings);
  for await (const batch of ingest.events(positionals)) faults.batch(batch);
  faults.finish();
  if (values.json) data(validateJson(ingest.files));
  else result(formatIngestStats(ingest.files, terminalWidth()));
  const lost = ingest.files.reduce((n, f) => n + f.rejected + f.dropped, 0);
  // No events and the tracer's word that it failed: not a clean (empty) trace.
  const failed = ingest.files.filter((f) => f.tracerFailure !== null && f.events === 0);
  for (const f of failed) result(`${f.path}: no events, and the tracer reported that it failed: ${f.tracerFailure}\n`);
  return lost > 0 || failed.length > 0 ? 1 : 0;
}
