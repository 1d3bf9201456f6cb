// `vmreplay export OUT --perfetto FILE.json`: a run's lock holds as a
// timeline (Chrome trace-event JSON) for the Perfetto UI or chrome://tracing.

import { UsageError } from '../common/errors.js';
import { formatOf, PERFETTO_JSON_LIMIT, type PerfettoFilter, writePerfetto } from '../report/export/perfetto.js';
import { parse } from './args.js';
import { aside, data, say } from './console.js';

const USAGE = `usage: vmreplay export OUT --perfetto FILE.json|FILE.pftrace|- [--proto] [--model M,...] [--pid PID] [--from NS] [--to NS]
  --perfetto FILE  write the timeline (- for standard output): one process per model, one track
                   per thread, token and chain holds as slices (each drawn up to the thread's
                   next acquisition), back-downs and hazards (with their trace line) as instant
                   events; open it at ui.perfetto.dev. Chrome trace-event JSON, or Perfetto's
                   protobuf trace (smaller, loads fastest) for FILE.pftrace or with --proto
  --proto          write Perfetto's protobuf trace whatever FILE is called
  --model M,...    only these models (also --models)
  --pid PID        only this process
  --from NS, --to NS
                   only what happens in this window of the trace's clock (nanoseconds, the ts
                   of the run's tables)`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      perfetto: { type: 'string' },
      proto: { type: 'boolean' },
      model: { type: 'string' },
      models: { type: 'string' },
      pid: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
    },
    USAGE,
  );
  if (values.help) {
    data(USAGE + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`give one run directory\n${USAGE}`);
  if (!values.perfetto) throw new UsageError(`say what to export (--perfetto FILE.json)\n${USAGE}`);
  const integer = (v: string | undefined, flag: string): number | undefined => {
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v.trim())) throw new UsageError(`${flag} takes a whole number (got '${v}')`);
    return Number(v);
  };
  const modelList = values.model ?? values.models;
  const filter: PerfettoFilter = {
    ...(modelList === undefined
      ? {}
      : {
          models: modelList
            .split(',')
            .map((m) => m.trim())
            .filter(Boolean),
        }),
    ...(values.pid === undefined ? {} : { pid: integer(values.pid, '--pid') }),
    ...(values.from === undefined ? {} : { from: integer(values.from, '--from') }),
    ...(values.to === undefined ? {} : { to: integer(values.to, '--to') }),
  };
  if (filter.from !== undefined && filter.to !== undefined && filter.from > filter.to) throw new UsageError(`--from ${filter.from} is after --to ${filter.to}`);
  const toStdout = values.perfetto === '-';
  const tell = toStdout ? aside : say; // standard output carries the timeline
  const began = performance.now();
  const format = values.proto ? 'proto' : formatOf(values.perfetto);
  const s = await writePerfetto(positionals[0]!, values.perfetto, filter, format);
  tell(
    `timeline written to ${toStdout ? 'standard output' : values.perfetto} in ${((performance.now() - began) / 1000).toFixed(2)} s: ` +
      `${s.slices} lock holds on ${s.tracks} tracks, ${s.instants} back-downs and hazards; open it at https://ui.perfetto.dev or chrome://tracing\n`,
  );
  const warning = format === 'json' ? sizeWarning(s.bytes) : null;
  if (warning) aside(warning + '\n');
  return 0;
}

/** The warning for a timeline too big for the Perfetto UI's JSON importer, or null. */
export function sizeWarning(bytes: number, limit = PERFETTO_JSON_LIMIT): string | null {
  if (bytes <= limit) return null;
  return (
    `warning: the timeline is ${(bytes / 1e6).toFixed(1)} MB, more than the Perfetto UI's JSON importer takes (about ${(limit / 1e6).toFixed(0)} MB); ` +
    'narrow it with --model, --pid or --from/--to'
  );
}
