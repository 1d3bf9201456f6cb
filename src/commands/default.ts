// `vmreplay` with no arguments: replay the bundled sample trace into
// ./vmreplay-out and write its report there, the run a new user starts from.

import { SAMPLE_TRACE } from '../common/paths.js';
import { commandLine } from '../common/invocation.js';
import { result, say } from './console.js';
import { formatRunSummary, replayToDirectory } from './replay.js';
import { reportAndSay } from './report.js';

export const DEFAULT_OUT = 'vmreplay-out';

export async function run(_argv: string[]): Promise<number> {
  const sample = SAMPLE_TRACE();
  say(`vmreplay: no trace given, replaying the bundled sample ${sample}\n\n`);
  result(formatRunSummary(await replayToDirectory([sample], DEFAULT_OUT, {})));
  say(`\ntables and database written to ./${DEFAULT_OUT}; try: ${commandLine(`query ${DEFAULT_OUT} summary`)}\n`);
  await reportAndSay(DEFAULT_OUT, DEFAULT_OUT);
  return 0;
}
