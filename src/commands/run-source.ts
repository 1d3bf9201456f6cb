// The commands that read a run (report, compare, check) take either a run
// directory or traces. Given traces, they replay them first with the replay
// command's own options and print its summary; given a directory, they read
// what it holds.

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_FILE } from '../store/manifest.js';
import { type parse } from './args.js';
import { formatRunSummary, REPLAY_OPTIONS, REPLAY_USAGE, replayToDirectory } from './replay.js';

export type ReplayValues = ReturnType<typeof parse<typeof REPLAY_OPTIONS>>['values'];

/** The replay options' help lines, for the usage of a command that may replay. */
export const REPLAY_OPTION_LINES = REPLAY_USAGE.split('\n')
  .slice(1)
  .filter((l) => !/^\s+-o\b|^\s*--out\b/.test(l))
  .join('\n');

/** A directory a replay wrote (it has a manifest), as opposed to a trace. */
export function isRunDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory() && existsSync(join(path, MANIFEST_FILE));
}

/**
 * The run to read: `inputs` itself when it is one run directory, else the
 * replay of the traces `inputs` into `replayDir` (its summary goes to `say`).
 */
export async function runFrom(inputs: readonly string[], replayDir: string, values: ReplayValues, say: (text: string) => void): Promise<string> {
  if (inputs.length === 1 && isRunDirectory(inputs[0]!)) return inputs[0]!;
  say(formatRunSummary(await replayToDirectory([...inputs], replayDir, values)));
  return replayDir;
}
