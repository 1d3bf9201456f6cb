// Taking possession of an output directory: it must not exist, be empty, or
// hold an earlier vmreplay run (its manifest says so), whose files are then
// removed. Anything else is refused rather than mixed with or overwritten.

import { mkdir, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { VERSION } from '../common/version.js';
import { MANIFEST_FILE, readManifest, TOOL, writeManifest } from './manifest.js';
import { InputError } from '../common/errors.js';

export const DATABASE_FILE = 'vmreplay.duckdb';
export const STAGING_DIR = '.vmreplay-staging';

/** Files of a run in `outDir` for these tables (whether they exist or not). */
export function runFiles(tables: readonly string[]): string[] {
  return [
    ...tables.flatMap((t) => [`${t}.parquet`, `${t}.arrow`]),
    DATABASE_FILE,
    `${DATABASE_FILE}.wal`,
    `${DATABASE_FILE}.tmp`,
    MANIFEST_FILE,
    STAGING_DIR,
  ];
}

/**
 * Make `outDir` ready for a run writing `tables`, and mark it as vmreplay's
 * with a `writing` manifest so an interrupted run can be overwritten later.
 */
export async function claimOutDir(outDir: string, tables: readonly string[]): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(outDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') entries = [];
    else if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') throw new InputError(outDir, 0, 'is a file, not a directory');
    else throw new InputError(outDir, 0, (e as Error).message);
  }
  if (entries.length > 0) {
    const previous = await readManifest(outDir);
    if (!previous) {
      throw new InputError(outDir, 0, `holds files that are not a vmreplay output (no ${MANIFEST_FILE} from ${TOOL}); choose an empty or new directory`);
    }
    const earlierTables = Object.keys(previous.tables ?? {}).map((t) => basename(t));
    const ours = new Set(runFiles([...tables, ...earlierTables]));
    await Promise.all(entries.filter((e) => ours.has(e)).map((e) => rm(join(outDir, e), { recursive: true, force: true })));
  }
  await mkdir(join(outDir, STAGING_DIR), { recursive: true });
  await writeManifest(outDir, { tool: TOOL, version: VERSION, status: 'writing', created: new Date().toISOString() });
}
