// Running a notebook's code cells without Jupyter: the cells in order, as one
// TypeScript module under Node (tsx), `vmreplay` resolved to the library in
// src/, and a stand-in for the Deno kernel's `Deno` global whose display
// function records what would be shown. `npm test` uses it to check the
// notebooks on a machine with no Jupyter; `npm run notebooks` uses it to check
// that the kernel delivered every output.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { MimeBundle } from '../src/api/index.js';

export const NOTEBOOKS_DIR = dirname(fileURLToPath(import.meta.url));

export interface Output {
  readonly output_type: string;
  readonly data?: MimeBundle;
  readonly ename?: string;
}
export interface Cell {
  readonly cell_type: string;
  readonly source: string | string[];
  readonly execution_count?: number | null;
  readonly outputs?: readonly Output[];
}
export interface Notebook {
  readonly metadata: { kernelspec?: { name?: string } };
  readonly cells: readonly Cell[];
}

/** Notebook text fields are a string or a list of lines. */
export const joined = (s: unknown): string => (Array.isArray(s) ? s.join('') : String(s ?? ''));

export function readNotebook(path: string): Notebook {
  return JSON.parse(readFileSync(path, 'utf8')) as Notebook;
}

/** The notebook's code cells as one module; `vmreplay` is the library in src/. */
export function moduleOf(nb: Notebook): string {
  const api = pathToFileURL(join(NOTEBOOKS_DIR, '..', 'src', 'api', 'index.ts')).href;
  const code = nb.cells.filter((c) => c.cell_type === 'code').map((c) => joined(c.source));
  return code.join('\n;\n').replaceAll("from 'vmreplay'", `from '${api}'`);
}

/**
 * Run the code cells of `notebookPath` with VMREPLAY_RUN = `runDir`, writing
 * the module into `workDir`; returns what was displayed, in order. A cell
 * that throws makes this throw.
 */
export async function runCells(notebookPath: string, runDir: string, workDir: string, linuxRunDir?: string): Promise<MimeBundle[]> {
  const shown: MimeBundle[] = [];
  const deno = {
    env: { get: (key: string) => (key === 'VMREPLAY_RUN' ? runDir : key === 'VMREPLAY_LINUX_RUN' ? linuxRunDir : undefined) },
    jupyter: {
      display: async (bundle: MimeBundle, options?: { raw?: boolean }) => {
        if (!options?.raw) throw new Error('display without { raw: true }: Deno would show the object itself, not the bundle');
        shown.push(bundle);
      },
    },
  };
  const file = join(workDir, `${notebookPath.replace(/^.*\//, '').replace(/\.ipynb$/, '')}-${Date.now()}.mts`);
  writeFileSync(file, moduleOf(readNotebook(notebookPath)));
  const global = globalThis as { Deno?: unknown };
  global.Deno = deno;
  try {
    await import(pathToFileURL(file).href);
  } finally {
    delete global.Deno;
  }
  return shown;
}

/** The display outputs stored in a notebook, in order. */
export function storedDisplays(nb: Notebook): MimeBundle[] {
  return nb.cells.flatMap((c) => (c.outputs ?? []).filter((o) => o.output_type === 'display_data').map((o) => o.data ?? {}));
}

/** Where two lists of displays first differ in their text form, or null when they agree. */
export function firstDifference(expected: readonly MimeBundle[], got: readonly MimeBundle[]): string | null {
  for (let i = 0; i < Math.max(expected.length, got.length); i++) {
    const a = expected[i] === undefined ? '(nothing)' : joined(expected[i]!['text/plain']);
    const b = got[i] === undefined ? '(nothing)' : joined(got[i]!['text/plain']);
    if (a !== b) return `output ${i + 1}: expected ${JSON.stringify(a.slice(0, 120))}, the notebook has ${JSON.stringify(b.slice(0, 120))}`;
  }
  return null;
}
