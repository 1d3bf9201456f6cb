// The tool version, read from package.json so the two never disagree.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { projectRoot } from './paths.js';

export const VERSION: string = (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;

let commit: string | null | undefined;

/**
 * The git commit the tool runs from, when it runs from a clone (an installed
 * package has none): read from .git without running git, so it costs nothing
 * and works where git is not installed. A worktree's .git is a file naming
 * its git directory; branch refs may be loose or packed, in the common
 * directory.
 */
export function toolCommit(): string | null {
  if (commit !== undefined) return commit;
  commit = null;
  try {
    let gitDir = join(projectRoot(), '.git');
    if (statSync(gitDir).isFile())
      gitDir = resolve(
        projectRoot(),
        readFileSync(gitDir, 'utf8')
          .replace(/^gitdir:\s*/, '')
          .trim(),
      );
    const common = existsSync(join(gitDir, 'commondir')) ? resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim()) : gitDir;
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    const ref = /^ref:\s*(\S+)$/.exec(head)?.[1];
    if (!ref) commit = /^[0-9a-f]{40}$/.test(head) ? head : null;
    else {
      for (const dir of [gitDir, common]) {
        if (existsSync(join(dir, ref))) {
          commit = readFileSync(join(dir, ref), 'utf8').trim();
          break;
        }
      }
      if (commit === null && existsSync(join(common, 'packed-refs'))) {
        const line = readFileSync(join(common, 'packed-refs'), 'utf8')
          .split('\n')
          .find((l) => l.endsWith(` ${ref}`));
        commit = line?.split(' ')[0] ?? null;
      }
    }
  } catch {
    commit = null; // no clone, or one we cannot read: no commit to give
  }
  if (commit !== null && !/^[0-9a-f]{40}$/.test(commit)) commit = null;
  return commit;
}
