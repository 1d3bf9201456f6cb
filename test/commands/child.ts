// Running the command line in a child process, for what an in-process call
// cannot show: signals, two runs at once, standard input.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../helpers.js';

const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href;
const CLI = `const { main } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src', 'cli.ts')).href)}); process.exitCode = await main(process.argv.slice(1));`;

/** `vmreplay ARGS` as a child process, run in `cwd`. */
/** How a child ended: its exit code (null when a signal killed it, unhandled), the signal, and its output. */
export interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export type Cli = ChildProcess & { done: Promise<Ended> };

/** `vmreplay ARGS` as a child process, run in `cwd`; with `stdin`, its standard input is a pipe the caller writes; `extraEnv` is added to its environment. */
export function spawnCli(args: readonly string[], cwd: string = ROOT, stdin = false, extraEnv: NodeJS.ProcessEnv = {}): Cli {
  // Without tap's NODE_OPTIONS: the child's coverage (transformed without
  // source text) would blur the report's, not add to it.
  const env = { ...process.env, ...extraEnv, NODE_OPTIONS: '' };
  const child = spawn(process.execPath, ['--import', TSX, '--input-type=module', '-e', CLI, '--', ...args], {
    cwd,
    env,
    stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  child.stdin?.on('error', () => {}); // a child that stops reading (it was interrupted) is what some tests want
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = once(child, 'close').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null, stdout, stderr }));
  return Object.assign(child, { done });
}

/** Poll `ready` every few ms until it holds (true) or `ms` pass (false). */
export async function waitFor(ready: () => boolean, ms = 60_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (ready()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return ready();
}
