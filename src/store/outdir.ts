// Taking possession of an output directory, so that OUT only ever holds a
// whole run. OUT must not exist, be empty, or hold an earlier vmreplay run
// (its manifest says so); anything else is refused rather than mixed with or
// overwritten. A run writes into a temporary directory beside OUT (same parent,
// so a rename moves it) and renames it into place when complete: an earlier
// run in OUT stays intact until then, and an interrupted run leaves nothing.
// A lock directory beside OUT (mkdir is atomic) keeps two runs from writing
// the same OUT at once: the second fails at the start with a clear message.
// An OUT that is a symbolic link is followed: the run goes where it points.

import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { MANIFEST_FILE, readManifest, TOOL } from './manifest.js';
import { InputError } from '../common/errors.js';
import { onInterrupt } from '../common/interrupt.js';

export const DATABASE_FILE = 'vmreplay.duckdb';
/** the staging directory runs of earlier versions wrote beside their tables */
export const STAGING_DIR = '.vmreplay-staging';
/** A dataset's per-trace runs are directories `trace=NAME` (a Hive partition); never a user's file to keep. */
export const PARTITION_PREFIX = 'trace=';

/** Files of a run in `outDir` for these tables (whether they exist or not). */
export function runFiles(tables: readonly string[]): string[] {
  return [...tables.flatMap((t) => [`${t}.parquet`, `${t}.arrow`]), DATABASE_FILE, `${DATABASE_FILE}.wal`, `${DATABASE_FILE}.tmp`, MANIFEST_FILE, STAGING_DIR];
}

/** The longest path Linux takes (PATH_MAX less its terminating NUL). */
const PATH_MAX_BYTES = 4095;
/** Room under the temporary directory for the longest file a run makes there (`/.vmreplay-staging/<table>.<n>.parquet`, DuckDB's own). */
const DEEPEST_FILE_BYTES = 100;

/** OUT's own name in the names beside it, at most this many bytes: with `.`, `.vmreplay-tmp-<pid>-<12 hex>` they stay within the 255 a name may have. */
const STEM_BYTES = 200;

/**
 * OUT's name as the names beside it carry it: itself when short, else its
 * first characters and a digest of the whole (two long names that share a
 * beginning still get their own lock).
 */
function besideStem(name: string): string {
  if (Buffer.byteLength(name) <= STEM_BYTES) return name;
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 16);
  let head = '';
  for (const c of name) {
    if (Buffer.byteLength(head + c) > STEM_BYTES - digest.length - 1) break;
    head += c;
  }
  return `${head}~${digest}`;
}

/** The names beside OUT that a run uses: its lock, its temporary directory, the earlier run on its way out. */
export function besideNames(outDir: string): { lock: string; tempPrefix: string; oldPrefix: string } {
  const abs = resolve(outDir);
  const stem = join(dirname(abs), `.${besideStem(basename(abs))}.vmreplay-`);
  return { lock: `${stem}lock`, tempPrefix: `${stem}tmp-${process.pid}-`, oldPrefix: `${stem}old-${process.pid}-` };
}

/** A claimed output directory: write into `workDir`, then commit() or abandon(). */
export interface OutDirClaim {
  /** where the run ends up */
  readonly outDir: string;
  /** the temporary directory the run writes into */
  readonly workDir: string;
  /** Put the finished run in place of OUT (an earlier run in OUT is replaced) and release the lock. */
  commit(): Promise<void>;
  /** Remove the temporary directory and release the lock; OUT is left as it was. */
  abandon(): Promise<void>;
}

/** Lock OUT for one run and make its temporary directory; `tables` are the tables the run writes. */
export async function claimOutDir(outDir: string, tables: readonly string[]): Promise<OutDirClaim> {
  const abs = followLink(outDir);
  if (basename(abs) === '') throw new InputError(outDir, 0, 'cannot write a run over the root directory');
  // The run is renamed into place, so OUT cannot be the directory we stand in (or one above it).
  const cwd = process.cwd();
  if (cwd === abs || cwd.startsWith(abs + sep)) throw new InputError(outDir, 0, 'is the current directory or holds it; give a directory beside or below it');
  const names = besideNames(abs);
  // The deepest file a run writes is its temporary directory's staging files (or DuckDB's beside them).
  const deepest = Buffer.byteLength(names.tempPrefix) + 12 + DEEPEST_FILE_BYTES;
  if (deepest > PATH_MAX_BYTES) {
    throw new InputError(
      outDir,
      0,
      `is too long a path (${Buffer.byteLength(abs)} bytes): the run's files beside and in it would need ${deepest} bytes, more than the ${PATH_MAX_BYTES} a path may have; choose a shorter one`,
    );
  }
  await checkReplaceable(outDir, abs);
  try {
    await mkdir(dirname(abs), { recursive: true });
  } catch (e) {
    throw new InputError(outDir, 0, `cannot create its parent directory: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  await takeLock(outDir, names.lock);
  let workDir: string | null = null;
  let aside: string | null = null;
  const release = () => removeDirectory(names.lock);
  // On Ctrl-C: the temporary directory goes; an earlier run moved aside comes
  // back. Each step is tried whatever the one before did, and the lock is
  // released last in every case; the first failure is then thrown.
  const cleanup = () => {
    const failures: unknown[] = [];
    const attempt = (step: () => void) => {
      try {
        step();
      } catch (e) {
        failures.push(e);
      }
    };
    attempt(() => {
      if (workDir) removeDirectory(workDir);
      workDir = null;
    });
    attempt(() => {
      if (aside && existsSync(aside)) {
        if (!existsSync(abs)) renameSync(aside, abs);
        else removeDirectory(aside);
      }
      aside = null;
    });
    attempt(release);
    if (failures.length > 0) throw failures[0];
  };
  const unregister = onInterrupt(cleanup);
  try {
    await checkReplaceable(outDir, abs); // again, now that no other run can change it
    await removeLeftovers(abs);
    // Not mkdtemp: its 0700 would become OUT's mode; mkdir gives what the umask allows, as for any directory.
    const made = `${names.tempPrefix}${randomBytes(6).toString('hex')}`;
    try {
      await mkdir(made);
      workDir = made;
    } catch (e) {
      throw new InputError(outDir, 0, `cannot make the run's temporary directory ${made}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  } catch (e) {
    try {
      cleanup();
    } catch {
      // the failure to report is the one that stopped the claim
    }
    unregister();
    throw e;
  }
  const work = workDir;
  return {
    outDir: abs,
    workDir: work,
    async commit() {
      try {
        const earlier = await checkReplaceable(outDir, abs);
        // Synchronous from here to the rename of the new run: no interrupt handler runs in between.
        if (earlier) {
          aside = `${names.oldPrefix}${randomBytes(6).toString('hex')}`;
          renameSync(abs, aside);
        }
        renameSync(work, abs);
        workDir = null;
        if (earlier && aside) {
          keepForeignFiles(aside, abs, [...tables, ...earlier]);
          await rm(aside, { recursive: true, force: true, maxRetries: 3 }); // interrupted, cleanup() finishes it
          aside = null;
        }
      } catch (e) {
        try {
          cleanup();
        } catch {
          // the failure to report is the one that stopped the commit
        }
        throw e instanceof InputError ? e : new InputError(outDir, 0, `cannot put the finished run in place: ${(e as Error).message}`);
      } finally {
        try {
          release();
        } finally {
          unregister();
        }
      }
    },
    async abandon() {
      try {
        cleanup();
      } finally {
        unregister();
      }
    },
  };
}

/**
 * OUT as an absolute path; when it is a symbolic link, the directory it
 * points to, so the run is put there and the link stays (renaming the run
 * into place would otherwise replace the link with a directory).
 */
function followLink(outDir: string): string {
  const abs = resolve(outDir);
  let isLink = false;
  try {
    isLink = lstatSync(abs).isSymbolicLink();
  } catch {
    return abs; // does not exist yet
  }
  if (!isLink) return abs;
  try {
    return realpathSync(abs);
  } catch {
    throw new InputError(outDir, 0, `is a symbolic link to ${readlinkSync(abs)}, which does not exist; create that directory or give another OUT`);
  }
}

/**
 * Refuse an OUT that is a file or holds files that are not a vmreplay run.
 * Returns the tables of the earlier run in OUT (possibly none), or null when
 * OUT does not exist.
 */
async function checkReplaceable(outDir: string, abs: string): Promise<string[] | null> {
  let entries: string[];
  try {
    entries = await readdir(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ENOTDIR') {
      const file = firstFileOnPath(abs);
      throw new InputError(outDir, 0, file === abs ? 'is a file, not a directory' : `cannot be made: ${file} is a file, not a directory`);
    }
    throw new InputError(outDir, 0, (e as Error).message);
  }
  // The run is renamed into place: a mount point cannot be renamed over (EBUSY), so say so before any work.
  if (statSync(abs).dev !== statSync(dirname(abs)).dev) {
    throw new InputError(outDir, 0, 'is a mount point: a finished run is renamed into place, which a mount point cannot take; give a directory inside it');
  }
  if (entries.length === 0) return [];
  const previous = await readManifest(abs);
  if (!previous) {
    throw new InputError(outDir, 0, `holds files that are not a vmreplay output (no ${MANIFEST_FILE} from ${TOOL}); choose an empty or new directory`);
  }
  return Object.keys(previous.tables ?? {}).map((t) => basename(t));
}

/** The first path on the way to `abs` (itself included) that exists and is not a directory. */
function firstFileOnPath(abs: string): string {
  const parts: string[] = [];
  for (let p = abs; ; p = dirname(p)) {
    parts.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of parts) {
    try {
      if (!statSync(p).isDirectory()) return p;
    } catch {
      return abs;
    }
  }
  return abs;
}

/** Files a user put in an earlier run's directory (a report, notes) move into the new run's. */
function keepForeignFiles(from: string, to: string, tables: readonly string[]): void {
  const ours = new Set(runFiles(tables));
  for (const name of readdirSync(from)) {
    if (ours.has(name) || name.startsWith(PARTITION_PREFIX) || existsSync(join(to, name))) continue;
    renameSync(join(from, name), join(to, name));
  }
}

/** Lock directories older than this without an owner are taken to be abandoned. */
const UNOWNED_LOCK_MS = 60_000;

async function takeLock(outDir: string, lock: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), `${process.pid}\n`);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new InputError(outDir, 0, `cannot lock it: ${(e as Error).message}`);
    }
    const owner = lockOwner(lock);
    if (owner !== 'gone' || attempt > 0) {
      const who = typeof owner === 'number' ? ` (pid ${owner})` : '';
      throw new InputError(outDir, 0, `another vmreplay run${who} is writing it (lock ${lock}); wait for it to finish or choose another directory`);
    }
    rmSync(lock, { recursive: true, force: true }); // left by a run that was killed outright
  }
}

/** The pid holding a lock, 'gone' when that process no longer exists, 'unknown' while the lock is being made. */
function lockOwner(lock: string): number | 'gone' | 'unknown' {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8').trim());
  } catch {
    try {
      return Date.now() - statSync(lock).mtimeMs > UNOWNED_LOCK_MS ? 'gone' : 'unknown';
    } catch {
      return 'gone';
    }
  }
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : 'gone';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Directories beside OUT left by runs that were killed outright (their process is gone). */
async function removeLeftovers(abs: string): Promise<void> {
  const parent = dirname(abs);
  const pattern = new RegExp(`^\\.${escapeRegExp(besideStem(basename(abs)))}\\.vmreplay-(tmp|old)-(\\d+)-`);
  for (const name of await readdir(parent)) {
    const m = pattern.exec(name);
    if (!m || alive(Number(m[2]))) continue;
    const path = join(parent, name);
    if (!(await stat(path)).isDirectory()) continue;
    // An earlier run moved aside by a run killed before it put its own in place: the only copy, so it goes back.
    if (m[1] === 'old' && !existsSync(abs)) renameSync(path, abs);
    else await rm(path, { recursive: true, force: true });
  }
}

/**
 * Remove a directory and everything in it, trying again a few times: a file
 * still being written into it (DuckDB's threads on an interrupt) makes one
 * removal fail with ENOTEMPTY; anything else is tried again too.
 */
export function removeDirectory(path: string): void {
  for (let attempt = 1; ; attempt++) {
    try {
      rmSync(path, { recursive: true, force: true, maxRetries: 3, retryDelay: 20 });
      return;
    } catch (e) {
      if (attempt >= 4) throw e;
    }
  }
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
