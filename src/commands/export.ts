// `vmreplay export OUT --perfetto FILE.json`: a run's lock holds as a
// timeline (Chrome trace-event JSON) for the Perfetto UI or chrome://tracing.

import { UsageError } from '../common/errors.js';
import { writePerfetto } from '../report/perfetto.js';
import { parse } from './args.js';
import { data, say } from './console.js';

const USAGE = `usage: vmreplay export OUT --perfetto FILE.json
  --perfetto FILE  write Chrome trace-event JSON: one process per model, one track per thread
                   (and per lock held at once), token and chain holds as slices,
                   back-downs and hazards as instant events; open it at ui.perfetto.dev`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { perfetto: { type: 'string' } }, USAGE);
  if (values.help) {
    data(USAGE + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`give one run directory\n${USAGE}`);
  if (!values.perfetto) throw new UsageError(`say what to export (--perfetto FILE.json)\n${USAGE}`);
  const began = performance.now();
  const s = await writePerfetto(positionals[0]!, values.perfetto);
  say(
    `timeline written to ${values.perfetto} in ${((performance.now() - began) / 1000).toFixed(2)} s: ` +
      `${s.slices} lock holds on ${s.tracks} tracks, ${s.instants} back-downs and hazards; open it at https://ui.perfetto.dev or chrome://tracing\n`,
  );
  return 0;
}
