// A dataset's report directory keeps each trace's report in DIR/trace=NAME/.
// When a trace leaves the dataset, its old report folder would stay behind and
// look current. Such a folder is removed, but only when it is certainly one a
// dataset report wrote: nothing in it but report.md, report.html and charts/
// with our chart files, both reports headed as ours and linking back to the
// dataset page. Anything else (a partition with data, a user's file, a link)
// is left in place and named, so the caller can say so. Never in a directory
// holding a run or a dataset: there trace=NAME/ folders are data.

import { lstat, open, readdir, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readManifest } from '../store/manifest.js';
import { PARTITION_PREFIX } from '../store/outdir.js';
import { CHART_NAMES } from './charts/specs.js';
import { CHART_FILES, CHARTS_DIR, REPORT_HTML, REPORT_MD } from './write.js';

export interface StaleTraceReports {
  /** folders removed: trace=NAME, relative to the report directory */
  readonly removed: readonly string[];
  /** folders of no current trace left in place, as they hold something a report did not write */
  readonly kept: readonly string[];
}

const CHART_FILE_NAMES = new Set(CHART_NAMES.flatMap((n) => CHART_FILES.map((ext) => `${n}${ext}`)));
/** How much of each report is read to recognise it: its heading, and the link back near the top. */
const HEAD_BYTES = 16 * 1024;

/**
 * Remove the trace=NAME/ report folders in `reportDir` whose trace is not in `current`;
 * nothing is touched when `reportDir` is the dataset (`datasetDir`) or holds any run.
 */
export async function removeStaleTraceReports(reportDir: string, datasetDir: string, current: readonly string[]): Promise<StaleTraceReports> {
  const none = { removed: [], kept: [] };
  if ((await realpath(reportDir)) === (await realpath(datasetDir))) return none;
  if (await readManifest(reportDir)) return none;
  const keep = new Set(current);
  const removed: string[] = [];
  const kept: string[] = [];
  for (const entry of await readdir(reportDir, { withFileTypes: true })) {
    if (!entry.name.startsWith(PARTITION_PREFIX) || keep.has(entry.name)) continue;
    if (!entry.isDirectory()) continue; // a file or a link named trace=...: not a folder we wrote
    const dir = join(reportDir, entry.name);
    if (await isTraceReport(dir)) {
      await rm(dir, { recursive: true });
      removed.push(entry.name);
    } else {
      kept.push(entry.name);
    }
  }
  return { removed: removed.sort(), kept: kept.sort() };
}

/** True when `dir` holds exactly a trace report of a dataset as writeDatasetReport writes it, and nothing else. */
export async function isTraceReport(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = new Set(entries.map((e) => e.name));
  if (!names.has(REPORT_MD) || !names.has(REPORT_HTML)) return false;
  for (const e of entries) {
    if (e.name === REPORT_MD || e.name === REPORT_HTML) {
      if (!e.isFile()) return false;
    } else if (e.name === CHARTS_DIR) {
      if (!e.isDirectory()) return false;
      const charts = await readdir(join(dir, CHARTS_DIR), { withFileTypes: true });
      if (!charts.every((c) => c.isFile() && CHART_FILE_NAMES.has(c.name))) return false;
    } else {
      return false;
    }
  }
  const md = await head(join(dir, REPORT_MD));
  const html = await head(join(dir, REPORT_HTML));
  return (
    md.startsWith('# vmreplay report: ') &&
    md.includes(`; the report across the traces: [../${REPORT_MD}](../${REPORT_MD})`) &&
    html.startsWith('<!DOCTYPE html>') &&
    html.includes('<title>vmreplay report: ') &&
    html.includes(`; the report across the traces: <a href="../${REPORT_HTML}">`)
  );
}

async function head(file: string): Promise<string> {
  if (!(await lstat(file)).isFile()) return '';
  const f = await open(file, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await f.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await f.close();
  }
}
