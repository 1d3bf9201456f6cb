// `vmreplay replay --dataset DIR|GLOB|TRACE... -o OUT`: many traces as one
// dataset. Each trace is replayed on its own by a child process of this same
// command line (`vmreplay -q replay TRACE -o OUT/trace=NAME`, the options
// passed on), as many at once as there are cores; the store then puts the
// dataset's database and manifest over them (src/store/dataset.ts). Child
// processes rather than worker threads: a replay is a whole command with its
// own interrupt handling and DuckDB instance, and the children's memory is
// their own.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../common/errors.js';
import { commandLine } from '../common/invocation.js';
import { expandTraceArgs } from '../ingest/source/trace-files.js';
import { replayDatasetIntoDirectory } from '../store/dataset.js';
import { textTable } from '../report/text-table.js';
import { result, say } from './console.js';

/** The command line module of this build (src/cli.ts under tsx, dist/src/cli.js when built). */
const CLI_URL = new URL(`../cli${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;
const CHILD_MAIN = `const { main } = await import(${JSON.stringify(CLI_URL)}); process.exitCode = await main(process.argv.slice(1));`;

/** Node flags of this process a child keeps (loaders such as tsx), without the code of an `-e`. */
function childNodeFlags(): string[] {
  const flags: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (['-e', '--eval', '-p', '--print'].includes(a)) i++;
    else if (!a.startsWith('--input-type') && !a.startsWith('--eval=') && !a.startsWith('--print=')) flags.push(a);
  }
  return flags;
}

/** Replay `args` (expanded to trace files) as a dataset into `outDir`; `options` are the replay options each child is given; the table of traces (or, as `json`, its rows) goes to `print`. */
export async function replayDataset(
  args: readonly string[],
  outDir: string,
  options: readonly string[],
  print: (text: string) => void = result,
  as: 'table' | 'json' = 'table',
): Promise<void> {
  const inputs = await expandTraceArgs(args);
  const parallel = availableParallelism();
  const started = performance.now();
  const seconds = new Map<string, number>();
  say(`replaying ${plural(inputs.length)}, ${Math.min(parallel, inputs.length)} at once\n`);
  const dataset = await replayDatasetIntoDirectory(inputs, outDir, parallel, async (input, dir, signal) => {
    const t0 = performance.now();
    await replayInChild(input, dir, options, signal);
    seconds.set(input, (performance.now() - t0) / 1000);
  });
  const traces = (dataset.manifest.traces ?? []).map((t) => ({
    trace: t.name,
    input: t.input,
    events: t.manifest.tables?.['events']?.rows ?? 0,
    faultRows: t.manifest.tables?.['faults']?.rows ?? 0,
    seconds: Number((seconds.get(t.input) ?? 0).toFixed(1)),
  }));
  if (as === 'json') print(JSON.stringify({ out: outDir, traces }, null, 2) + '\n');
  else print(textTable(['trace', 'input', 'events', 'fault rows', 'seconds'], traces.map((t) => [t.trace, t.input, t.events, t.faultRows, t.seconds])) + '\n');
  say(`${plural(inputs.length)} in ${((performance.now() - started) / 1000).toFixed(1)} s; dataset written to ${outDir} (per trace: ${commandLine(`query ${outDir} summary`)}; a report across the traces: ${commandLine(`report ${outDir}`)})\n`);
}

/** `vmreplay -q replay INPUT -o DIR OPTIONS` in a child; rejects with an InputError naming INPUT when it fails. */
async function replayInChild(input: string, dir: string, options: readonly string[], signal: AbortSignal): Promise<void> {
  const args = [...childNodeFlags(), '--input-type=module', '-e', CHILD_MAIN, '--', '-q', 'replay', input, '-o', dir, ...options];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], signal, killSignal: 'SIGTERM' });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.on('error', () => {}); // an abort: the close below reports how it ended
  const [code, killed] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  if (code === 0) return;
  if (signal.aborted) throw new InputError(input, 0, 'stopped: another trace of the dataset failed');
  const said = stderr.split('\n').filter((l) => l.startsWith('vmreplay: ')).pop()?.slice('vmreplay: '.length) ?? stderr.trim();
  const at = /^(.*?):(\d+): (.*)$/s.exec(said);
  if (at && at[1] === input) throw new InputError(input, Number(at[2]), at[3]!);
  if (said.startsWith(`${input}: `)) throw new InputError(input, 0, said.slice(input.length + 2));
  throw new InputError(input, 0, `its replay failed (${killed ?? `exit ${code}`}): ${said || 'no message'}`);
}

const plural = (n: number): string => `${n} trace${n === 1 ? '' : 's'}`;
