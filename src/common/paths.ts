// Where the installed tool lives, so it finds its bundled files (the sample
// trace, package.json) whether it runs from dist/ or from src/ under tsx.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

export function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('vmreplay: cannot find the package root');
    dir = up;
  }
  root = dir;
  return dir;
}

export const SAMPLE_TRACE = (): string => join(projectRoot(), 'traces', 'sample', 'forkexec.ktr.gz');
