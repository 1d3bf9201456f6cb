// The `--json` summaries of `replay` and `validate`: the figures of the text
// summaries as one JSON document for a script, exact counts rather than
// rounded text, with every file's line accounting.

import type { FileStats } from '../ingest/common/stats.js';
import type { ModelTotals, RunResult } from '../replay/run.js';
import type { RunTiming } from './summary.js';

/** How one input file's lines were accounted for, per file and per CPU (times in trace nanoseconds, null when none). */
export function fileStatsJson(f: FileStats) {
  const ts = (n: number) => (Number.isNaN(n) ? null : n);
  return {
    file: f.path,
    format: f.format,
    bytes: f.bytes,
    lines: f.lines,
    events: f.events,
    context: f.context,
    unknown: f.unknown,
    rejected: f.rejected,
    framing: f.framing,
    derived: f.derived,
    dropped: f.dropped,
    late: f.late,
    unknownKeys: f.unknownKeys,
    rejects: f.rejects.map((r) => ({ line: r.line, reason: r.reason })),
    warnings: [...f.warnings],
    notes: [...f.notes],
    cpus: f.perCpu.map((c) => ({
      cpu: c.cpu,
      lines: c.lines,
      events: c.events,
      context: c.context,
      unknown: c.unknown,
      rejected: c.rejected,
      dropped: c.dropped,
      late: c.late,
      firstTs: ts(c.firstTs),
      lastTs: ts(c.lastTs),
      truncatedBegin: c.truncatedBegin,
      truncatedEnd: c.truncatedEnd,
    })),
  };
}

/** `validate --json`: clean (no rejected line, nothing dropped by the tracer) and every file's accounting. */
export function validateJson(files: readonly FileStats[]): string {
  const clean = files.every((f) => f.rejected + f.dropped === 0);
  return JSON.stringify({ clean, files: files.map(fileStatsJson) }, null, 2) + '\n';
}

/** `replay --json`: the run's figures per model, with what each saves against the baseline (the first model). */
export function runSummaryJson(run: RunResult, knobs: { sharedFault: boolean }, timing: RunTiming, out: string): string {
  const base = run.models[0]!;
  const saved = (m: ModelTotals) => ({ xTokens: base.xTokens - m.xTokens, xChain: base.xChain - m.xChain });
  return (
    JSON.stringify(
      {
        out,
        synthetic: run.synthetic,
        events: run.events,
        faults: { replayed: run.faultsReplayed, unreplayable: run.faultsUnreplayable, truncated: run.faultsTruncated },
        siteOps: run.siteOps,
        knobs: { sharedFault: knobs.sharedFault ? 1 : 0 },
        seconds: timing.seconds,
        phases: timing.phases,
        baseline: base.model,
        models: run.models.map((m) => ({ ...m, savedVsBaseline: saved(m) })),
        agreement: run.agreement,
        files: run.files.map(fileStatsJson),
      },
      null,
      2,
    ) + '\n'
  );
}
