// The commands that read a run (report, compare, check) take either a run
// directory or traces. Given traces, they replay them first with the replay
// command's own options and print its summary; given a directory, they read
// what it holds.

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_FILE } from '../store/manifest.js';
import type { parse } from './args.js';
import { formatRunSummary, passedOn, REPLAY_OPTIONS, REPLAY_USAGE, replayToDirectory } from './replay.js';
import { replayDataset } from './replay-dataset.js';

export type ReplayValues = ReturnType<typeof parse<typeof REPLAY_OPTIONS>>['values'];

/** The replay options' help lines, for the usage of a command that may replay. */
export const REPLAY_OPTION_LINES = REPLAY_USAGE.split('\n')
  .slice(1)
  .filter((l) => !/^\s+-o\b|^\s*--out\b|^\s+--json\b|^\s+vmreplay /.test(l)) // not replay's own -o and --json, nor its second usage line
  .join('\n');

/** A directory a replay wrote (it has a manifest), as opposed to a trace. */
export function isRunDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory() && existsSync(join(path, MANIFEST_FILE));
}

/**
 * The run to read: `inputs` itself when it is one run directory, else the
 * replay of the traces `inputs` into `replayDir` (its summary goes to `say`),
 * as a dataset of one run per trace with --dataset.
 */
export async function runFrom(inputs: readonly string[], replayDir: string, values: ReplayValues, say: (text: string) => void): Promise<string> {
  if (inputs.length === 1 && isRunDirectory(inputs[0]!)) return inputs[0]!;
  if (values.dataset) {
    // Each trace on its own, as `replay --dataset` does: `replayDir` is then a dataset.
    const replayOnly = Object.fromEntries(Object.entries(values).filter(([name]) => name in REPLAY_OPTIONS)) as ReplayValues; // not the command's own options
    await replayDataset(inputs, replayDir, passedOn(replayOnly), say);
    return replayDir;
  }
  say(formatRunSummary(await replayToDirectory([...inputs], replayDir, values)));
  return replayDir;
}
