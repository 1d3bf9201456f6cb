// Shared by the dataset tests: the CLI run in process, and a directory of two
// small traces with different figures (the basic fixture, and a generated
// fork/exec storm) to replay as a dataset.

import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { capture, fixture } from '../helpers.js';

/** Run the CLI; its standard output, or an error naming the command, its exit code and its standard error. */
export async function ok(argv: string[]): Promise<string> {
  const r = await capture(() => main(argv));
  if (r.code !== 0) throw new Error(`${argv.join(' ')}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Create `dir` with basic.ktr (the fixture) and fe2.dtrace (generated, 3000 events); returns `dir`. */
export async function writeTraces(dir: string): Promise<string> {
  mkdirSync(dir);
  copyFileSync(fixture('basic.ktr'), join(dir, 'basic.ktr'));
  await ok(['synth', 'forkexec', '--cpus', '2', '--events', '3000', '--seed', '3', '-o', join(dir, 'fe2.dtrace')]);
  return dir;
}
