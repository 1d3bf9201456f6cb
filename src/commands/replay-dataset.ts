// `vmreplay replay --dataset DIR|GLOB|TRACE... -o OUT`: many traces as one
// dataset. Each trace is replayed on its own by a child process of this same
// command line (`vmreplay -q replay TRACE -o OUT/trace=NAME`, the options
// passed on), as many at once as there are cores; the store then puts the
// dataset's database and manifest over them (src/store/dataset.ts). Child
// processes rather than worker threads: a replay is a whole command with its
// own interrupt handling and DuckDB instance, and the children's memory is
// their own.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, shownPath } from '../common/errors.js';
import { onInterrupt } from '../common/interrupt.js';
import { commandLine } from '../common/invocation.js';
import { expandTraceArgs } from '../ingest/source/trace-files.js';
import { replayDatasetIntoDirectory } from '../store/dataset.js';
import { textTable } from '../report/render/text-table.js';
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
  const inputs = await expandTraceArgs(args, (dir, hidden) =>
    say(
      `left out ${hidden.length} hidden file${hidden.length === 1 ? '' : 's'} in ${shownPath(dir)}: ${hidden.map(shownPath).join(', ')} (name them to include them)\n`,
    ),
  );
  const parallel = availableParallelism();
  const started = performance.now();
  const seconds = new Map<string, number>();
  say(`replaying ${plural(inputs.length)}, ${Math.min(parallel, inputs.length)} at once\n`);
  // A signal to this process alone (kill, a CI timeout, systemd) goes on to the children, and the
  // dataset's own cleanup (its temporary directory) waits until they are gone.
  // Registered with the first child, after the claim of OUT: cleanups run newest first, so the children stop before the directory goes.
  const children = new Set<ChildProcess>();
  let unregister = null as (() => void) | null;
  let dataset;
  try {
    dataset = await replayDatasetIntoDirectory(inputs, outDir, parallel, async (input, dir, signal) => {
      unregister ??= onInterrupt((received) => stopChildren(children, received));
      const t0 = performance.now();
      await replayInChild(input, dir, options, signal, children);
      seconds.set(input, (performance.now() - t0) / 1000);
    });
  } finally {
    unregister?.();
  }
  const traces = (dataset.manifest.traces ?? []).map((t) => ({
    trace: t.name,
    input: t.input,
    events: t.manifest.tables?.['events']?.rows ?? 0,
    faultRows: t.manifest.tables?.['faults']?.rows ?? 0,
    seconds: Number((seconds.get(t.input) ?? 0).toFixed(1)),
  }));
  if (as === 'json') print(JSON.stringify({ out: outDir, traces }, null, 2) + '\n');
  else
    print(
      textTable(
        ['trace', 'input', 'events', 'fault rows', 'seconds'],
        traces.map((t) => [t.trace, shownPath(t.input), t.events, t.faultRows, t.seconds]),
      ) + '\n',
    );
  say(
    `${plural(inputs.length)} in ${((performance.now() - started) / 1000).toFixed(1)} s; dataset written to ${outDir} (per trace: ${commandLine(`query ${outDir} summary`)}; a report across the traces: ${commandLine(`report ${outDir}`)})\n`,
  );
}

/** How long the children have to clean up after a signal before they are killed outright. */
const CHILD_GRACE_MS = 10_000;

/** Send `signal` to every running child and settle when all have exited (SIGKILL after the grace time). */
async function stopChildren(children: ReadonlySet<ChildProcess>, signal: NodeJS.Signals): Promise<void> {
  // The pool may start the next trace while the first children stop: stop those too, round after round.
  for (let round = 0; round < MAX_STOP_ROUNDS; round++) {
    const running = [...children].filter((c) => c.exitCode === null && c.signalCode === null);
    if (running.length === 0) return;
    const exited = running.map((c) => once(c, 'close').catch(() => {}));
    for (const c of running) c.kill(signal);
    const grace = setTimeout(() => running.forEach((c) => c.kill('SIGKILL')), CHILD_GRACE_MS);
    try {
      await Promise.all(exited);
    } finally {
      clearTimeout(grace);
    }
    await new Promise((resolve) => setImmediate(resolve)); // let the pool react (start or give up its next trace)
  }
}

/** Rounds of stopping children before the parent gives up waiting (each round waits for the ones it signalled). */
const MAX_STOP_ROUNDS = 10;

/** `vmreplay -q replay INPUT -o DIR OPTIONS` in a child (kept in `children` while it runs); rejects with an InputError naming INPUT when it fails. */
async function replayInChild(input: string, dir: string, options: readonly string[], signal: AbortSignal, children: Set<ChildProcess>): Promise<void> {
  const args = [...childNodeFlags(), '--input-type=module', '-e', CHILD_MAIN, '--', '-q', 'replay', input, '-o', dir, ...options];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], signal, killSignal: 'SIGTERM' });
  children.add(child);
  child.once('close', () => children.delete(child));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.on('error', () => {}); // an abort: the close below reports how it ended
  const [code, killed] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  if (code === 0) return;
  if (signal.aborted) throw new InputError(input, 0, 'stopped: another trace of the dataset failed');
  const said =
    stderr
      .split('\n')
      .filter((l) => l.startsWith('vmreplay: '))
      .pop()
      ?.slice('vmreplay: '.length) ?? stderr.trim();
  const shown = shownPath(input); // as the child's message names it
  const at = /^(.*?):(\d+): (.*)$/s.exec(said);
  if (at && at[1] === shown) throw new InputError(input, Number(at[2]), at[3]!);
  if (said.startsWith(`${shown}: `)) throw new InputError(input, 0, said.slice(shown.length + 2));
  throw new InputError(input, 0, `its replay failed (${killed ?? `exit ${code}`}): ${said || 'no message'}`);
}

const plural = (n: number): string => `${n} trace${n === 1 ? '' : 's'}`;
