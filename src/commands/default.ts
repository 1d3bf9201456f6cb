// `vmreplay` with no arguments: replay the bundled sample trace into
// ./vmreplay-out, the run a new user starts from.

import { SAMPLE_TRACE } from '../common/paths.js';
import { formatSummary } from '../report/summary.js';
import { replayToDirectory } from './replay.js';

export const DEFAULT_OUT = 'vmreplay-out';

export async function run(_argv: string[]): Promise<number> {
  const sample = SAMPLE_TRACE();
  process.stdout.write(`vmreplay: no trace given, replaying the bundled sample ${sample}\n\n`);
  const { run, knobs } = await replayToDirectory([sample], DEFAULT_OUT, {});
  process.stdout.write(formatSummary(run, knobs));
  process.stdout.write(`\ntables and database written to ./${DEFAULT_OUT}; try: vmreplay query ${DEFAULT_OUT} summary\n`);
  return 0;
}
