// The short summary `vmreplay replay` prints: per model the X and S token and
// chain acquisitions, back-downs, restarts, upgrades and hazards, and the X
// acquisitions each model saves against the first (`old`), with the
// assumptions and coverage a reader must know next to the figures.

import type { RunResult } from '../replay/run.js';
import { HOLD_MODEL } from '../replay/timeline.js';
import { nanos, percent, textTable } from './text-table.js';

export function formatSummary(run: RunResult, knobs: { sharedFault: boolean }): string {
  const t = run.models;
  const base = t[0]!;
  const files = run.files;
  let out = '';
  if (run.synthetic) out += `SYNTHETIC TRACE (${run.synthetic}): figures describe a generated workload, not a measured one.\n`;
  out += `${run.events} events from ${files.length} file${files.length === 1 ? '' : 's'} in ${run.seconds.toFixed(2)} s`;
  out += ` (${Math.round(run.events / Math.max(run.seconds, 1e-9))} events/s); `;
  out += `${run.faultsReplayed} faults and ${run.siteOps} other lock operations replayed under ${t.length} model${t.length === 1 ? '' : 's'}\n\n`;
  out += textTable(
    ['model', 'X tokens', 'S tokens', 'X chain', 'S chain', 'back-downs', 'restarts', 'upgrades', 'hazards', `X saved vs ${base.model}`],
    t.map((m, i) => [
      m.model,
      m.xTokens,
      m.sTokens,
      m.xChain,
      m.sChain,
      m.backdownTotal,
      m.restarts,
      m.upgrades,
      m.hazards,
      i === 0 ? '' : `${base.xTokens - m.xTokens} (${percent(base.xTokens - m.xTokens, base.xTokens)})`,
    ]),
  );
  out += '\n';
  out += textTable(
    ['model', 'faults', 'attempts', 'vm_prefault', 'waits', 'wait time'],
    t.map((m) => [m.model, m.faults, m.attempts, m.prefaultFull, m.waits, nanos(m.waitNs)]),
  );
  if (run.agreement.faultsCompared > 0) {
    out += `\nagainst the captured kernel's own obj_lock acquisitions in ${run.agreement.faultsCompared} faults (per site: the agreement table)\n`;
    out += textTable(
      ['model', 'matched', 'model only', 'kernel only', 'agreement'],
      run.agreement.totals.map((a) => [a.model, a.matched, a.modelOnly, a.traceOnly, percent(a.matched, a.matched + a.modelOnly + a.traceOnly)]),
    );
  }
  out += `\nper-map tokens (X, the same in every model, not in the token counts): ${base.mapTokens}\n`;
  out += `knobs: shared_fault=${knobs.sharedFault ? 1 : 0}\n`;
  out += 'assumes: first-order replay (page states as recorded stay the same under every model); ';
  out += `hold-time model: ${HOLD_MODEL}; a prefault is counted as one walk (neighbour pages unseen)\n`;
  const notes: string[] = [];
  const truncated = run.faultsTruncated;
  if (truncated > 0) notes.push(`${truncated} faults cut off by the trace window were not replayed`);
  if (run.faultsUnreplayable > 0) notes.push(`${run.faultsUnreplayable} faults without object levels were not replayed`);
  const rejected = files.reduce((n, f) => n + f.rejected, 0);
  if (rejected > 0) notes.push(`${rejected} input lines rejected (see ingest_stats; run validate for the first ones)`);
  const dropped = files.reduce((n, f) => n + f.dropped, 0);
  if (dropped > 0) notes.push(`${dropped} events dropped by the tracer: counts are lower bounds`);
  const unknownLinks = t.reduce((n, m) => n + m.unknownLinks, 0);
  if (unknownLinks > 0) notes.push(`${unknownLinks} chain links below the recorded levels were unknown (vnode pager lock / prefault walks stopped there)`);

  for (const n of notes) out += `note: ${n}\n`;
  // What the readers said about how they got the fields (inferred, relative clocks, ...).
  for (const f of files) {
    for (const n of f.notes) out += `input ${f.path}: ${n}\n`;
    for (const w of f.warnings) out += `input ${f.path}: warning: ${w}\n`;
  }
  return out;
}
