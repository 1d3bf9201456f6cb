// The short summary `vmreplay replay` prints: per model the X and S token and
// chain acquisitions, back-downs, restarts, upgrades and hazards, and the X
// token and X chain acquisitions each model saves against the first (`old`),
// with the assumptions and coverage a reader must know next to the figures.
// Prose lines are wrapped to the terminal's width; table rows never are.

import type { RunResult } from '../replay/run.js';
import { commandLine } from '../common/invocation.js';
import { HOLD_MODEL } from '../replay/timeline.js';
import { nanos, percent, textTable } from './render/text-table.js';
import { faultLinksText, siteLinksText } from './unknown-links.js';
import { wrap } from './render/wrap.js';

/** Wall time of a whole command run, and of its phases in order (e.g. read + replay, build tables). */
export interface RunTiming {
  readonly seconds: number;
  readonly phases: readonly { readonly name: string; readonly seconds: number }[];
}

/** The waiting behind mmap_lock writers a Linux model implies (the writer_waits view). */
export interface WriterWaits {
  readonly model: string;
  readonly faults: number;
  readonly waitNs: number;
  readonly maxWaitNs: number;
}

export interface SummaryOptions {
  /** Linux runs: the writer_waits view, when the run was written */
  readonly writerWaits?: readonly WriterWaits[];
  /** the whole run's wall time; without it the summary gives RunResult.seconds (read + replay only) */
  readonly timing?: RunTiming;
  /** characters per line for prose (default 80) */
  readonly width?: number;
}

/** Sites in the "where" block. */
export const WHERE_SITES = 5;

export function formatSummary(run: RunResult, knobs: { sharedFault: boolean }, options: SummaryOptions = {}): string {
  const width = options.width ?? 80;
  const para = (text: string) => wrap(text, width);
  const all = run.models;
  const t = all.filter((m) => m.family !== 'linux');
  const base = t[0] ?? all[0]!;
  const files = run.files;
  let out = '';
  for (const b of banners(run)) out += para(b);
  if (run.synthetic) out += para(`SYNTHETIC TRACE (${run.synthetic}): figures describe a generated workload, not a measured one.`);
  out += para(
    `${run.events} events from ${files.length} file${files.length === 1 ? '' : 's'} in ${timingText(run, options.timing)}; ` +
      `${run.faultsReplayed} faults and ${run.siteOps} other lock operations replayed under ${all.length} model${all.length === 1 ? '' : 's'}`,
  );
  out += '\n';
  const linux = all.filter((m) => m.family === 'linux');
  if (linux.length > 0) out += linuxBlock(linux, para, options.writerWaits ?? []);
  if (t.length === 0) {
    for (const f of files) {
      for (const n of f.notes) out += para(`input ${f.path}: ${n}`);
      for (const w of f.warnings) out += para(`input ${f.path}: warning: ${w}`);
    }
    return out;
  }
  out += textTable(
    [
      'model',
      'X tokens',
      'S tokens',
      'X chain',
      'S chain',
      'back-downs',
      'restarts',
      'upgrades',
      'hazards',
      `X tokens saved vs ${base.model}`,
      `X chain saved vs ${base.model}`,
    ],
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
      i === 0 ? '' : `${base.xChain - m.xChain} (${percent(base.xChain - m.xChain, base.xChain)})`,
    ]),
  );
  out += '\n';
  out += textTable(
    ['model', 'faults', 'attempts', 'vm_prefault', 'waits', 'wait time'],
    t.map((m) => [m.model, m.faults, m.attempts, m.prefaultFull, m.waits, nanos(m.waitNs)]),
  );
  if (t.length > 1) out += '\n' + whereBlock(t, para);
  if (run.agreement.faultsCompared > 0) {
    out += '\n' + para(`against the captured kernel's own obj_lock acquisitions in ${run.agreement.faultsCompared} faults (per site: the agreement table)`);
    out += textTable(
      ['model', 'matched', 'model only', 'kernel only', 'agreement'],
      run.agreement.totals.map((a) => [a.model, a.matched, a.modelOnly, a.traceOnly, percent(a.matched, a.matched + a.modelOnly + a.traceOnly)]),
    );
  }
  out += '\n' + para(`per-map tokens (X, the same in every model, not in the token counts): ${base.mapTokens}`);
  out += para(`knobs: shared_fault=${knobs.sharedFault ? 1 : 0}`);
  out += para(
    'assumes: first-order replay (page states as recorded stay the same under every model); ' +
      `hold-time model: ${HOLD_MODEL}; a prefault is counted as one walk (neighbour pages unseen)`,
  );
  const notes: string[] = [];
  const damaged = run.faultsDamaged.truncated + run.faultsDamaged.unreplayable;
  const truncated = run.faultsTruncated - run.faultsDamaged.truncated;
  const withoutLevels = run.faultsUnreplayable - run.faultsDamaged.unreplayable;
  if (truncated > 0) notes.push(`${truncated} faults cut off by the trace window were not replayed`);
  if (withoutLevels > 0) notes.push(`${withoutLevels} faults without object levels were not replayed`);
  if (damaged > 0) notes.push(`${damaged} faults damaged (a line of theirs rejected or missing) were not replayed`);
  const rejected = files.reduce((n, f) => n + f.rejected, 0);
  if (rejected > 0) notes.push(`${rejected} input lines rejected (see ingest_stats; run validate for the first ones)`);
  const dropped = files.reduce((n, f) => n + f.dropped, 0);
  if (dropped > 0) notes.push(`${dropped} events dropped by the tracer: counts are lower bounds`);
  // Per model and split by where they were met: the report can show the links in faults only (unknown-links.ts).
  const inFaults = t.map((m) => [m.model, m.unknownLinks] as const);
  const atSites = t.map((m) => [m.model, m.siteUnknownLinks] as const);
  if (atSites.some(([, n]) => n > 0)) notes.push(`${faultLinksText(inFaults)}; ${siteLinksText(atSites)}`);
  else if (inFaults.some(([, n]) => n > 0)) notes.push(faultLinksText(inFaults));

  for (const n of notes) out += para(`note: ${n}`);
  // What the readers said about how they got the fields (inferred, relative clocks, ...).
  for (const f of files) {
    for (const n of f.notes) out += para(`input ${f.path}: ${n}`);
    for (const w of f.warnings) out += para(`input ${f.path}: warning: ${w}`);
  }
  return out;
}

/**
 * What must be read before any figure: a run that replayed nothing, and
 * DragonFly models replayed on a Linux capture through the reader's mapping.
 */
export function banners(run: RunResult): string[] {
  const out: string[] = [];
  if (run.faultsReplayed === 0) {
    out.push(
      'NOTHING REPLAYED: 0 faults were replayed, so no figure below rests on a fault. ' +
        'See the input warnings for what the trace lacks (fault entry tracepoints, or their ends).',
    );
  }
  if (run.proxy) {
    out.push(
      "PROXY: DragonFly models replayed a Linux capture through the reader's mapping onto BSD objects; their objects, chains and " +
        'reference events are inferred, not observed (the Linux models, the default for a Linux capture, read it in its own terms).',
    );
  }
  for (const m of run.models) {
    if (m.acquisitions > 0 && m.inferredAcquisitions * 2 > m.acquisitions) {
      out.push(
        `INFERRED: ${m.inferredAcquisitions} of ${m.model}'s ${m.acquisitions} acquisitions (${percent(m.inferredAcquisitions, m.acquisitions)}) rest on events the reader inferred, not on observed ones (acquisitions.inferred).`,
      );
    }
  }
  return out;
}

/** The Linux models: mm and VMA lock acquisitions, the saving, why faults take the mm lock, and agreement with the kernel. */
function linuxBlock(models: RunResult['models'], para: (text: string) => string, waits: readonly WriterWaits[]): string {
  const base = models[0]!;
  let out = textTable(
    ['model', 'faults', 'mm locks', 'VMA locks', 'faults taking mm lock', `mm locks saved vs ${base.model}`],
    models.map((m, i) => [
      m.model,
      m.faults,
      m.mmLocks,
      m.vmaLocks,
      m.mmFaults,
      i === 0 ? '' : `${base.mmLocks - m.mmLocks} (${percent(base.mmLocks - m.mmLocks, base.mmLocks)})`,
    ]),
  );
  for (const m of models.slice(1)) {
    const reasons = Object.entries(m.mmReasons).sort((a, b) => b[1] - a[1]);
    if (reasons.length > 0) out += para(`${m.model} takes the mm lock for: ${reasons.map(([r, n]) => `${r} ${n}`).join(', ')}`);
  }
  if (waits.length > 0) {
    const base = waits[0]!;
    out +=
      '\n' +
      para('waiting behind mmap_lock writers (estimated: the write holds as captured, each fault asking at its entry; first-order, nothing else moves):');
    out += textTable(
      ['model', 'faults waiting', 'wait time', 'longest', 'avoided'],
      waits.map((w, i) => [w.model, w.faults, nanos(w.waitNs), nanos(w.maxWaitNs), i === 0 ? '' : nanos(base.waitNs - w.waitNs)]),
    );
  }
  const observed = models.some((m) => m.observedMmFaults > 0);
  if (observed) {
    out += '\n' + para('against the captured kernel, fault by fault (the fallback_agreement view leaves undecidable faults out):');
    out += textTable(
      ['model', 'predicted', 'observed', 'agreed', 'precision', 'recall'],
      models.map((m) => [
        m.model,
        m.mmFaults,
        m.observedMmFaults,
        m.agreedMmFaults,
        percent(m.agreedMmFaults, m.mmFaults),
        percent(m.agreedMmFaults, m.observedMmFaults),
      ]),
    );
  }
  return out + '\n';
}

/** `17.30 s (read + replay 7.69 s, build tables 9.61 s; 26000 events/s)`: the whole run, then its phases. */
function timingText(run: RunResult, timing: RunTiming | undefined): string {
  const rate = `${Math.round(run.events / Math.max(run.seconds, 1e-9))} events/s replayed`;
  if (!timing) return `${run.seconds.toFixed(2)} s of read + replay (${rate})`;
  const phases = timing.phases.map((p) => `${p.name} ${p.seconds.toFixed(2)} s`).join(', ');
  return `${timing.seconds.toFixed(2)} s (${phases ? `${phases}; ` : ''}${rate})`;
}

/**
 * "where": the sites with most X tokens saved by the first model after the
 * baseline (ties: most baseline X, then the name), X per model and the saving
 * of each model.
 */
function whereBlock(models: RunResult['models'], para: (text: string) => string): string {
  const [base, first, ...rest] = models;
  const others = [first!, ...rest];
  const x = (m: (typeof models)[number], site: string) => m.xTokensBySite[site] ?? 0;
  const sites = [...new Set(models.flatMap((m) => Object.keys(m.xTokensBySite)))]
    .map((site) => ({ site, saved: x(base!, site) - x(first!, site), base: x(base!, site) }))
    .sort((a, b) => b.saved - a.saved || b.base - a.base || (a.site < b.site ? -1 : a.site > b.site ? 1 : 0))
    .slice(0, WHERE_SITES);
  if (sites.length === 0) return '';
  return (
    para(`where: the ${sites.length} sites with most X tokens saved vs ${base!.model} (all sites: ${commandLine('query OUT saved_by_site')})`) +
    textTable(
      ['site', ...models.map((m) => `X ${m.model}`), ...others.map((m) => `saved ${m.model}`)],
      sites.map(({ site }) => [site, ...models.map((m) => x(m, site)), ...others.map((m) => x(base!, site) - x(m, site))]),
    )
  );
}
