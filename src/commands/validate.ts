// `vmreplay validate TRACE...`: read and check traces without replaying them.
// Prints, per file and CPU, how every line was accounted for, each CPU's time
// window, and the faults cut off at either end of it.

import { Ingest } from '../ingest/open.js';
import { FORMATS } from '../ingest/framing.js';
import { FaultAssembler } from '../replay/assemble.js';
import { formatIngestStats } from '../report/ingest-stats.js';
import { number, oneOf, parse, UsageError } from './args.js';

const USAGE = `usage: vmreplay validate TRACE... [--format auto|${FORMATS.join('|')}] [--strict] [--sort-window-ms MS]`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { format: { type: 'string' }, strict: { type: 'boolean' }, 'sort-window-ms': { type: 'string' } },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (positionals.length === 0) throw new UsageError(`no trace given\n${USAGE}`);
  const ingest = new Ingest({
    format: oneOf(values.format, ['auto', ...FORMATS] as const, '--format', 'auto'),
    strict: values.strict ?? false,
    sortWindowNs: number(values['sort-window-ms'], '--sort-window-ms', 1000) * 1e6,
  });
  const assembler = new FaultAssembler(ingest.files, ingest.strings, () => {});
  for await (const batch of ingest.events(positionals)) assembler.batch(batch);
  assembler.finish();
  process.stdout.write(formatIngestStats(ingest.files));
  const rejected = ingest.files.reduce((n, f) => n + f.rejected, 0);
  return rejected > 0 && values.strict ? 2 : 0;
}
