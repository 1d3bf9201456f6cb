// Shared test helpers: read a trace into plain rows, paths of fixtures.

import { join } from 'node:path';
import { rowsOf, type Row } from '../src/columns/rows.js';
import { Ingest, type IngestOptions } from '../src/ingest/open.js';

export const ROOT = join(import.meta.dirname, '..');
export const fixture = (name: string): string => join(ROOT, 'traces', 'fixtures', name);

export async function readTrace(paths: string | string[], options: IngestOptions = {}): Promise<{ rows: Row[]; ingest: Ingest }> {
  const ingest = new Ingest(options);
  const rows: Row[] = [];
  for await (const b of ingest.events(Array.isArray(paths) ? paths : [paths])) rows.push(...rowsOf(b, ingest));
  return { rows, ingest };
}

/** Rows without the columns that name where they came from. */
export function content(rows: Row[]): Row[] {
  return rows.map(({ src_file: _f, src_line: _l, ...rest }) => rest);
}

/** Run a CLI entry point in-process, capturing what it writes. */
export async function capture(run: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    const code = await run();
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/** A test as tap hands it to a callback (the type of `t` inside `t.test(name, async (t) => ...)`). */
export type TestContext = Parameters<Parameters<typeof import('tap').default.test>[0]>[0];
