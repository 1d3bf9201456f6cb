// `vmreplay synth WORKLOAD -o FILE`: generate a synthetic DragonFly trace
// (see src/synth/). The output says it is synthetic in its first event.

import { FORMATS, WRITABLE_EXTENSIONS, WRITABLE_FORMATS, WRITERS, writableFormatOf, writerFor } from '../ingest/registry.js';
import { generate } from '../synth/generate.js';
import { PRESSURES } from '../synth/pageout.js';
import { openOutput, TextSink } from '../synth/sink.js';
import { WORKLOAD_NAMES } from '../synth/workloads/index.js';
import { number, oneOf, parse } from './args.js';
import { UsageError } from '../common/errors.js';
import { isQuiet } from './console.js';

const USAGE = `usage: vmreplay synth ${WORKLOAD_NAMES.join('|')} -o FILE [--cpus N] [--events N] [--seed S]
         [--trace-format ${WRITABLE_FORMATS.join('|')}] [--kernel old|new] [--pressure ${PRESSURES.join('|')}]

  -o FILE       output file ('-' for standard output; a .gz name is gzipped, a .zst name
                zstd-compressed)
  --cpus N      CPUs of the simulated machine (default 4)
  --events N    events to generate (default 100000; a few more to finish what is in progress)
  --seed S      random seed: the same seed gives the same trace (default 1)
  --trace-format F  framing (default from the file name: ${WRITABLE_EXTENSIONS.map((e) => `.${e}`).join(', ')}; else jsonl)
  --format F    the same, deprecated: say --trace-format
  --kernel K    kernel the trace pretends to be captured on; new logs its own back-downs (default new)
  --pressure P  memory pressure: swap-outs, page-cache evictions (default: the workload's)

The first event, vmtrace_synthetic, marks the trace as generated.`;

/** Where the command's messages go (tests pass their own). */
export interface Messages {
  out(text: string): void;
  err(text: string): void;
}

const STDIO: Messages = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

export async function run(argv: string[], io: Messages = STDIO): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      output: { type: 'string', short: 'o' },
      cpus: { type: 'string' },
      events: { type: 'string' },
      seed: { type: 'string' },
      'trace-format': { type: 'string' },
      format: { type: 'string' },
      kernel: { type: 'string' },
      pressure: { type: 'string' },
    },
    USAGE,
  );
  if (values.help) {
    io.out(USAGE + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`give one workload (${WORKLOAD_NAMES.join(', ')})\n${USAGE}`);
  const workload = oneOf(positionals[0], WORKLOAD_NAMES, 'the workload', 'forkexec');
  const output = values.output;
  if (!output) throw new UsageError(`no output file (-o FILE, or -o - for standard output)\n${USAGE}`);
  const cpus = integer(values.cpus, '--cpus', 4, 1, 256);
  const events = integer(values.events, '--events', 100_000, 1, Number.MAX_SAFE_INTEGER);
  const seed = integer(values.seed, '--seed', 1, 0, Number.MAX_SAFE_INTEGER);
  if (values.format !== undefined && !isQuiet())
    io.err(`vmreplay: warning: --format for the trace's framing is deprecated: say --trace-format ${values.format}\n`);
  const format = oneOf(values['trace-format'] ?? values.format, FORMATS, '--trace-format', writableFormatOf(output) ?? 'jsonl');
  if (!WRITERS[format]) throw new UsageError(`--trace-format ${format} cannot be written yet (available: ${Object.keys(WRITERS).join(', ')})`);
  const kernel = oneOf(values.kernel, ['old', 'new'] as const, '--kernel', 'new');
  const pressure = values.pressure === undefined ? undefined : oneOf(values.pressure, PRESSURES, '--pressure', 'low');

  const out = openOutput(output);
  const sink = new TextSink(out.stream, writerFor(format));
  const began = performance.now();
  const summary = await generate({ workload, cpus, events, seed, kernel, pressure }, sink);
  await sink.end();
  await out.close();
  const secs = (performance.now() - began) / 1000;
  if (!isQuiet())
    io.err(
      `synth: ${summary.events} events (${workload}, seed ${seed}, ${cpus} CPUs, ${kernel} kernel, ${summary.pressure} pressure, ` +
        `${((summary.endNs - summary.startNs) / 1e6).toFixed(1)} ms simulated) as ${format} to ${output === '-' ? 'standard output' : output} ` +
        `in ${secs.toFixed(2)} s (${Math.round(summary.events / secs)} events/s)\n`,
    );
  return 0;
}

function integer(value: string | undefined, what: string, fallback: number, min: number, max: number): number {
  const n = number(value, what, fallback);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${what} must be an integer from ${min} to ${max} (got '${value}')`);
  return n;
}
