// A run that could not be written: the disk filled up, a quota ran out, the
// file system is read-only or failing. Node's errors (ENOSPC from a write,
// without a path) and DuckDB's ("No space left on device") both become one
// line that says what ran out and where, and that OUT was left as it was.

import { dirname } from 'node:path';
import { InputError } from '../common/errors.js';

/** Why writing failed, by errno code, as a person would say it. */
const REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'a file grew past the largest the file system allows',
  EROFS: 'the file system is read-only',
  EIO: 'the device reported an I/O error',
};

/** The same failures as DuckDB words them (it gives the message, not the code). */
const DUCKDB_WORDS: readonly (readonly [RegExp, string])[] = [
  [/No space left on device/i, 'ENOSPC'],
  [/Disk quota exceeded/i, 'EDQUOT'],
  [/File too large/i, 'EFBIG'],
  [/Read-only file system/i, 'EROFS'],
  [/Input\/output error/i, 'EIO'],
];

/**
 * The error as a one-line InputError on `outDir` when it is a failure to
 * write the run (into `workDir`, the temporary directory beside OUT), else null.
 */
export function writeFailure(e: unknown, outDir: string, workDir: string): InputError | null {
  if (e instanceof InputError) return null;
  const err = e as NodeJS.ErrnoException;
  const message = String(err?.message ?? e);
  const code = err?.code && REASONS[err.code] ? err.code : DUCKDB_WORDS.find(([re]) => re.test(message))?.[1];
  if (!code) return null;
  const where = err.path ? `writing ${err.path}` : 'writing its tables';
  return new InputError(
    outDir,
    0,
    `cannot write the run: ${REASONS[code]} (${code}) on the file system holding ${dirname(workDir)}, ${where} in ${workDir}; that directory was removed and OUT is as it was`,
  );
}
