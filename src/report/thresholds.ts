// The figures `vmreplay check` gates on, and the verdict: each threshold names
// the figure, its value for the checked model and the limit, so a CI log says
// exactly what failed.

import type { ReportData } from './data.js';
import { nanos } from './render/text-table.js';

export interface Thresholds {
  /** least saved X, in percent of the baseline's X token acquisitions */
  readonly minSavedXPct?: number | undefined;
  readonly maxHazards?: number | undefined;
  /** most back-downs per fault, in percent */
  readonly maxBackdownRatePct?: number | undefined;
  /** most estimated waiting time in all, in nanoseconds */
  readonly maxContentionNs?: number | undefined;
  /** Linux models: least precision and recall, in percent, of the faults predicted to take the mm lock against the captured kernel */
  readonly minAgreementPct?: number | undefined;
}

export interface Verdict {
  readonly ok: boolean;
  /** one line per threshold: what was measured against what limit */
  readonly lines: readonly string[];
}

/** Check `model`'s figures in `d` against every threshold given. */
export function checkThresholds(d: ReportData, model: string, t: Thresholds): Verdict {
  const s = d.summary.find((m) => m.model === model);
  if (!s) throw new Error(`model '${model}' is not in this run (it has ${d.models.join(', ')})`);
  const base = d.summary.find((m) => m.model === d.baseline)!;
  const results: { ok: boolean; pass: string; fail: string }[] = [];
  const pct = (n: number) => `${Number(n.toFixed(2))}%`;
  // No threshold holds on nothing: a run that replayed no fault fails whatever was asked.
  const faults = d.summary.reduce((n, m) => Math.max(n, m.faults), 0);
  if (faults === 0) return { ok: false, lines: ['FAIL nothing replayed: 0 faults in this run, so no figure rests on a fault (see its input warnings)'] };
  const inferred = d.inferredAcquisitions.find((m) => m.model === model);
  if (inferred && inferred.acquisitions > 0 && inferred.inferred * 2 > inferred.acquisitions) {
    results.push({
      ok: false,
      pass: '',
      fail: `${model}'s figures rest on inferred events: ${inferred.inferred} of its ${inferred.acquisitions} acquisitions (acquisitions.inferred); replay a capture in its own family's terms`,
    });
  }
  if (t.minAgreementPct !== undefined) {
    const l = d.linux.find((r) => r.model === model);
    if (!l || l.precisionPct === null || l.recallPct === null) {
      results.push({ ok: false, pass: '', fail: `agreement of ${model}: not measured (a Linux model on a capture with mmap_lock events is needed)` });
    } else {
      const low = Math.min(l.precisionPct, l.recallPct);
      results.push({
        ok: low >= t.minAgreementPct,
        pass: `agreement with the kernel: precision ${pct(l.precisionPct)}, recall ${pct(l.recallPct)} >= ${pct(t.minAgreementPct)}`,
        fail: `agreement of ${model} with the captured kernel: precision ${pct(l.precisionPct)} (${l.both} of ${l.predicted} predicted), recall ${pct(l.recallPct)} (${l.both} of ${l.observed} observed), below the minimum ${pct(t.minAgreementPct)}`,
      });
    }
  }
  if (t.minSavedXPct !== undefined) {
    const saved = base.xTokens === 0 ? 0 : (100 * (base.xTokens - s.xTokens)) / base.xTokens;
    results.push({
      ok: saved >= t.minSavedXPct,
      pass: `saved X ${pct(saved)} >= ${pct(t.minSavedXPct)}`,
      fail: `saved X of ${model} against ${d.baseline} is ${pct(saved)} (${base.xTokens - s.xTokens} of ${base.xTokens}), below the minimum ${pct(t.minSavedXPct)}`,
    });
  }
  if (t.maxHazards !== undefined) {
    results.push({
      ok: s.hazards <= t.maxHazards,
      pass: `hazards ${s.hazards} <= ${t.maxHazards}`,
      fail: `hazards of ${model}: ${s.hazards}, above the maximum ${t.maxHazards}`,
    });
  }
  if (t.maxBackdownRatePct !== undefined) {
    const rate = s.faults === 0 ? 0 : (100 * s.backdowns) / s.faults;
    results.push({
      ok: rate <= t.maxBackdownRatePct,
      pass: `back-down rate ${pct(rate)} <= ${pct(t.maxBackdownRatePct)}`,
      fail: `back-down rate of ${model}: ${pct(rate)} (${s.backdowns} back-downs in ${s.faults} faults), above the maximum ${pct(t.maxBackdownRatePct)}`,
    });
  }
  if (t.maxContentionNs !== undefined) {
    results.push({
      ok: s.waitNs <= t.maxContentionNs,
      pass: `estimated waiting ${nanos(s.waitNs)} <= ${nanos(t.maxContentionNs)}`,
      fail: `estimated waiting time of ${model}: ${Math.round(s.waitNs)} ns (${s.waits} waits), above the maximum ${t.maxContentionNs} ns`,
    });
  }
  const failed = results.filter((r) => !r.ok);
  if (failed.length === 0) return { ok: true, lines: [`OK ${model}: ${results.map((r) => r.pass).join(', ')}`] };
  return { ok: false, lines: failed.map((r) => `FAIL ${r.fail}`) };
}

/**
 * Check `model` in every trace of a dataset: one line per trace that holds
 * (`OK trace=NAME ...`) and one per threshold a trace fails
 * (`FAIL trace=NAME: ...`), in the dataset's order; ok only when all hold.
 */
export function checkDataset(traces: readonly { readonly name: string; readonly data: ReportData }[], model: string, t: Thresholds): Verdict {
  const lines: string[] = [];
  let ok = true;
  for (const trace of traces) {
    const v = checkThresholds(trace.data, model, t);
    ok &&= v.ok;
    lines.push(...v.lines.map((l) => l.replace(/^(OK|FAIL) /, (_, word: string) => `${word} trace=${trace.name}${word === 'OK' ? ' ' : ': '}`)));
  }
  return { ok, lines };
}
