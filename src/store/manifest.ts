// manifest.json: what a run read (paths, sizes, SHA-256 of every input), how
// (models, knobs, tool version) and what it wrote (row counts per table), so
// two runs can be checked for being comparable and a run can be reproduced.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

export const MANIFEST_FILE = 'manifest.json';
export const TOOL = 'vmreplay';

/** What the replay command hands to Store.close(). */
export interface ManifestInput {
  /** trace paths as given on the command line (`-` is standard input) */
  readonly inputs: readonly string[];
  /** models in the order given; the first is the baseline the saved_* columns compare against */
  readonly models: readonly string[];
  readonly knobs: Readonly<Record<string, string | number | boolean>>;
  /** the trace's synthetic-workload marker, when it has one */
  readonly synthetic?: string | null;
  /** accepted for the caller's convenience; the store records its own tool name and version */
  readonly tool?: string;
  readonly version?: string;
}

export interface InputRecord {
  readonly path: string;
  /** null for standard input or a file that could not be read after the run */
  readonly bytes: number | null;
  readonly sha256: string | null;
}

export interface TableRecord {
  readonly rows: number;
  readonly parquet: string;
  readonly arrow: string | null;
  /** size and SHA-256 of the Parquet file (a single run's; a dataset's are in each trace's manifest) */
  readonly bytes?: number | null;
  readonly sha256?: string | null;
}

export interface Manifest {
  readonly tool: typeof TOOL;
  readonly version: string;
  /** `writing` while a replay runs (marks the directory as vmreplay's), `complete` after */
  readonly status: 'writing' | 'complete';
  readonly created: string;
  readonly inputs?: readonly InputRecord[];
  readonly models?: readonly string[];
  readonly baseline?: string | null;
  readonly knobs?: Readonly<Record<string, string | number | boolean>>;
  readonly synthetic?: string | null;
  readonly tables?: Readonly<Record<string, TableRecord>>;
  readonly database?: { readonly file: string; readonly layout: string; readonly duckdb: string };
  readonly views?: readonly string[];
  readonly time_buckets?: { readonly t0_ns: number; readonly bucket_ns: number; readonly buckets: number };
  readonly node?: string;
  /** the git commit the tool ran from, when it ran from a clone */
  readonly commit?: string | null;
  /** a dataset's traces (`vmreplay replay --dataset`), each a whole run in its partition directory */
  readonly traces?: readonly DatasetTraceRecord[];
}

export interface DatasetTraceRecord {
  /** the partition's value: the run is in `trace=NAME/` */
  readonly name: string;
  readonly input: string;
  readonly manifest: Manifest;
}

/** Size and SHA-256 of a file, read as a stream (traces can be tens of GB). */
export async function hashFile(path: string): Promise<InputRecord> {
  if (path === '-') return { path, bytes: null, sha256: null };
  try {
    const bytes = (await stat(path)).size;
    const hash = createHash('sha256');
    await pipeline(createReadStream(path), hash);
    return { path, bytes, sha256: hash.digest('hex') };
  } catch {
    return { path, bytes: null, sha256: null };
  }
}

export async function writeManifest(outDir: string, manifest: Manifest): Promise<void> {
  await writeFile(join(outDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}

/** The manifest in `outDir`, or null when there is none or it is not a vmreplay manifest. */
export async function readManifest(outDir: string): Promise<Manifest | null> {
  try {
    const m = JSON.parse(await readFile(join(outDir, MANIFEST_FILE), 'utf8')) as Partial<Manifest>;
    return m && m.tool === TOOL ? (m as Manifest) : null;
  } catch {
    return null;
  }
}
