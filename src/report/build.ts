// The report's content, in the order a reviewer reads it: the headline per
// model, where the savings come from, the cost side, the charts, what the
// trace covers, and how to reproduce the run. Built from ReportData into a
// document that markdown.ts and html.ts render the same way.

import { basename } from 'node:path';
import { HOLD_MODEL } from '../replay/timeline.js';
import type { ChartSpec } from './charts/specs.js';
import type { KeyedCounts, ReportData } from './data.js';
import { type Block, type Cell, code, heading, type Inline, para, strong, table } from './document.js';
import { nanos, percent } from './text-table.js';
import { faultLinksText, SITE_LINKS_IN_SUMMARY_ONLY } from './unknown-links.js';

/** Rows of each "where" table. */
const TOP = { sites: 15, types: 20, objects: 10, processes: 10 } as const;

export function reportTitle(d: ReportData): string {
  return `vmreplay report: ${d.run.inputs.map((i) => (i.path === '-' ? 'standard input' : basename(i.path))).join(', ') || d.run.dir}`;
}

export function buildReport(d: ReportData, charts: readonly ChartSpec[]): Block[] {
  const dragonfly = d.summary.some((s) => !d.linux.some((l) => l.model === s.model));
  const bsd = dragonfly ? [...headline(d), ...where(d), ...cost(d), ...chartSection(d, charts)] : [];
  return [...banner(d), ...linuxHeadline(d), ...bsd, ...coverage(d), ...reproduce(d)];
}

function banner(d: ReportData): Block[] {
  const out: Block[] = [];
  if (d.summary.every((s) => s.faults === 0)) {
    out.push({ kind: 'banner', parts: ['Nothing replayed: 0 faults were replayed, so no figure below rests on a fault. "What the readers noted" says what the trace lacks.'] });
  }
  const linuxCapture = d.coverage.files.some((f) => f.notes.some((n) => n.text.startsWith('perf: a Linux trace mapped')));
  if (linuxCapture && d.summary.some((s) => !d.linux.some((l) => l.model === s.model))) {
    out.push({ kind: 'banner', parts: ["Proxy: DragonFly models replayed a Linux capture through the reader's mapping onto BSD objects; their objects, chains and reference events are inferred, not observed."] });
  }
  for (const m of d.inferredAcquisitions) {
    if (m.acquisitions > 0 && m.inferred * 2 > m.acquisitions) {
      out.push({ kind: 'banner', parts: [`Inferred: ${m.inferred} of ${m.model}'s ${m.acquisitions} acquisitions (${Math.round((100 * m.inferred) / m.acquisitions)}%) rest on events the reader inferred, not on observed ones (acquisitions.inferred).`] });
    }
  }
  if (d.run.synthetic) out.push({ kind: 'banner', parts: [`Generated trace (${d.run.synthetic}): every figure below describes a simulated workload, not a measured one.`] });
  return out;
}

/** A Linux capture: the mmap_lock acquisitions per-VMA locking saves, why faults still take it, and the agreement with the kernel. */
function linuxHeadline(d: ReportData): Block[] {
  if (d.linux.length === 0) return [];
  const pct = (n: number | null) => (n === null ? '-' : `${n}%`);
  const blocks: Block[] = [
    heading(2, 'Linux: mmap_lock acquisitions saved by per-VMA locks'),
    para(
      strong('What "saved" counts:'),
      ' mm lock (mmap_lock) acquisitions of the faults, under each Linux model, against linux-mmap (every fault under mmap_lock, as up to 6.3). ' +
        'The faults are the capture’s own; what linux-vma predicts is checked against the mmap_lock events of each faulting thread.',
    ),
    table(
      ['model', 'faults', 'mm locks', 'VMA locks', 'saved', 'saved %', 'precision', 'recall', 'undecidable'],
      d.linux.map((l, i) => [l.model, l.faults, l.mmLocks, l.vmaLocks, i === 0 ? null : l.savedMm, i === 0 ? null : pct(l.savedMmPct), pct(l.precisionPct), pct(l.recallPct), l.undecidable]),
    ),
    para(
      'Precision: of the faults a model says take mmap_lock, the share the kernel took it in; recall: of the faults the kernel took it in, the share the model predicted. ' +
        'Undecidable faults (a writer’s hold began or ended within 1 µs of the fault; a VMA older than the capture) are counted apart. ' +
        'Why faults take the mm lock: the mm_lock_reasons view; the waiting behind writers each model implies: the writer_waits view (first-order, from the captured write holds).',
    ),
  ];
  const reasons = d.linuxReasons.filter((r) => r.model !== d.linux[0]!.model);
  if (reasons.length > 0) {
    blocks.push(heading(3, 'Why faults still take mmap_lock'));
    blocks.push(table(['model', 'reason', 'faults', 'the kernel took it in'], reasons.map((r) => [r.model, { code: r.reason }, r.faults, r.observed])));
  }
  if (d.writerWaits.length > 0) {
    const base = d.writerWaits[0]!;
    blocks.push(heading(3, 'Waiting behind mmap_lock writers'));
    blocks.push(
      para(
        'Estimated from the write holds the capture shows (mmap_lock write acquisition to release or downgrade, per mm and thread): a fault that takes mmap_lock while another thread of its mm holds it for writing waits until that hold ends. First-order: the holds are as captured, each fault asks at its entry, nothing else moves.',
      ),
    );
    blocks.push(table(['model', 'faults waiting', 'wait (ms)', 'longest (ms)', 'avoided (ms)'], d.writerWaits.map((w, i) => [w.model, w.faults, ms(w.waitNs), ms(w.maxWaitNs), i === 0 ? null : ms(base.waitNs - w.waitNs)])));
  }
  return blocks;
}

const ms = (ns: number): string => (ns / 1e6).toFixed(3);

const compared = (d: ReportData): string[] => d.models.filter((m) => m !== d.baseline);

function headline(d: ReportData): Block[] {
  const base = d.summary.find((s) => s.model === d.baseline);
  const baseX = base?.xTokens ?? 0;
  const baseChain = base?.xChain ?? 0;
  const mapTokens = base?.mapTokens ?? 0;
  return [
    heading(2, 'Headline'),
    para(
      strong('What "saved" counts:'),
      ` exclusive (X) acquisitions of VM object tokens, ${d.baseline}'s count minus the model's, on the same trace (faults and every other lock site). `,
      'Chain locks are counted in their own columns and are not part of the saving (X chain acquisitions saved are shown on their own, last); ',
      `the per-map token (${mapTokens} acquisitions, the same under every model) is in neither.`,
    ),
    table(
      ['model', 'X tokens', 'S tokens', 'X chain', 'S chain', 'back-downs', 'restarts', 'upgrades', 'hazards', `X saved vs ${d.baseline}`, `X chain saved vs ${d.baseline}`],
      d.summary.map((s) => [
        s.model,
        s.xTokens,
        s.sTokens,
        s.xChain,
        s.sChain,
        s.backdowns,
        s.restarts,
        s.upgrades,
        s.hazards,
        s.model === d.baseline ? null : `${s.savedX} (${percent(s.savedX, baseX)})`,
        s.model === d.baseline ? null : `${baseChain - s.xChain} (${percent(baseChain - s.xChain, baseChain)})`,
      ]),
    ),
    para(
      strong('Contention estimate:'),
      ' a token acquisition waits when another thread holds that token in a conflicting mode at that moment; ',
      `hold times follow the hold-time model (${HOLD_MODEL}), and the replay is first-order: page states stay as recorded under every model and a wait delays nothing after it.`,
    ),
    table(
      ['model', 'faults', 'attempts', 'waits', 'wait time'],
      d.summary.map((s) => [s.model, s.faults, s.attempts, s.waits, nanos(s.waitNs)]),
    ),
    ...observed(d),
  ];
}

/** Where the trace has the captured kernel's own obj_lock events: how far each model agrees with them. */
function observed(d: ReportData): Block[] {
  if (d.agreement.length === 0) return [];
  const rows = d.models.map((m): Cell[] => {
    const mine = d.agreement.filter((a) => a.model === m);
    const sum = (k: 'matched' | 'modelOnly' | 'traceOnly') => mine.reduce((n, a) => n + a[k], 0);
    const [matched, modelOnly, traceOnly] = [sum('matched'), sum('modelOnly'), sum('traceOnly')];
    return [m, matched, modelOnly, traceOnly, percent(matched, matched + modelOnly + traceOnly)];
  });
  return [
    para(
      strong('Observed vs predicted:'),
      " the trace has the captured kernel's own lock acquisitions inside faults (obj_lock); acquisitions both took (same fault, object, class and mode), only the model, only the kernel:",
    ),
    table(['model', 'both', 'model only', 'kernel only', 'agreement'], rows),
  ];
}

function where(d: ReportData): Block[] {
  const others = compared(d);
  const columns = (first: string[]) => [...first, ...d.models.map((m) => `X ${m}`), ...others.map((m) => `saved ${m}`)];
  const counts = (k: KeyedCounts): Cell[] => [...d.models.map((m) => k.x[m] ?? 0), ...others.map((m) => (k.x[d.baseline] ?? 0) - (k.x[m] ?? 0))];
  const more = (shown: number, all: number, what: string, view: string): Block[] =>
    all > shown ? [para(`${all - shown} more ${what} not shown; `, code(`vmreplay query RUN ${view}`), ' lists them all.')] : [];
  const sites = d.bySite.slice(0, TOP.sites);
  const types = d.byObjectType.slice(0, TOP.types);
  const objects = d.byObjectName.slice(0, TOP.objects);
  const procs = d.byProcessName.slice(0, TOP.processes);
  return [
    heading(2, 'Where the saved X acquisitions are'),
    para(`X token acquisitions per model and the X each model saves against ${d.baseline}, largest saving first.`),
    heading(3, 'By site'),
    table(columns(['site']), sites.map((k) => [code(k.key), ...counts(k)])),
    ...more(sites.length, d.bySite.length, 'sites', 'saved_by_site'),
    heading(3, 'By object type'),
    table(columns(['object type']), types.map((k) => [k.key, ...counts(k)])),
    heading(3, 'Top objects, by name'),
    para('Objects the trace named (vnode paths); unnamed objects are counted together per type.'),
    table(columns(['object', 'objects']), objects.map((k) => [k.key, k.members, ...counts(k)])),
    ...more(objects.length, d.byObjectName.length, 'object names', 'saved_by_object'),
    heading(3, 'Top processes, by command name'),
    table(columns(['command', 'processes']), procs.map((k) => [k.key, k.members, ...counts(k)])),
    ...more(procs.length, d.byProcessName.length, 'command names', 'saved_by_process'),
  ];
}

function cost(d: ReportData): Block[] {
  const faults = new Map(d.summary.map((s) => [s.model, s.faults]));
  const blocks: Block[] = [heading(2, 'Cost side'), heading(3, 'Back-downs by rule')];
  if (d.backdowns.length === 0) blocks.push(para('No model backed down on this trace.'));
  else {
    blocks.push(
      para('The rate is back-downs per 100 faults the model replayed (back-downs at other lock sites, exec_map_page, count too); "all" sums the rules.'),
      table(
        ['model', 'rule', 'back-downs', 'operations', 'per 100 faults'],
        d.models.flatMap((m) => {
          const mine = d.backdowns.filter((b) => b.model === m);
          if (mine.length === 0) return [];
          const total = mine.reduce((n, b) => n + b.backdowns, 0);
          const rows = mine.map((b): Cell[] => [m, b.rule, b.backdowns, b.operations, per100(b.backdowns, faults.get(m) ?? 0)]);
          return mine.length > 1 ? [...rows, [m, 'all', total, null, per100(total, faults.get(m) ?? 0)]] : rows;
        }),
      ),
    );
  }

  blocks.push(heading(3, `Faults where a model takes more acquisitions than ${d.baseline}`));
  blocks.push(para('Object token and chain lock acquisitions per fault, S and X together (the per-map token is the same in every model).'));
  for (const e of d.extraAcquisitions) {
    const total = faults.get(e.model) ?? 0;
    blocks.push(para(code(e.model), `: ${e.faults} of ${total} faults (${percent(e.faults, total)}) take more, ${e.extra} acquisitions more in all.`));
    if (e.top.length > 0) {
      blocks.push(
        table(
          ['fault', 'command', 'pid', d.baseline, e.model, 'more', 'back-downs', 'upgrades', 'attempts'],
          e.top.map((f) => [f.opId, f.comm, f.pid, f.baselineAcquisitions, f.acquisitions, f.acquisitions - f.baselineAcquisitions, f.backdowns, f.upgrades, f.attempts]),
        ),
      );
      if (e.faults > e.top.length) blocks.push(para(`The ${e.top.length} with most extra acquisitions are shown.`));
    }
  }

  blocks.push(heading(3, 'Hazards'));
  if (d.hazardsTotal === 0) blocks.push(para('No model hit a hazard (a lock order that would deadlock or assert) on this trace.'));
  else {
    blocks.push(
      para(`${d.hazardsTotal} hazard${d.hazardsTotal === 1 ? '' : 's'}: lock requests that would deadlock or assert under the model. Each names its fault and the trace line the operation began at.`),
      table(
        ['model', 'fault', 'thread', 'command', 'va', 'object', 'site', 'hazard', 'detail', 'trace line'],
        d.hazards.map((h) => [
          h.model,
          h.opId,
          h.tid,
          h.comm,
          h.va === null ? null : code(h.va),
          h.objName ?? (h.obj === null ? null : `${h.otype ?? ''} ${h.obj}`.trim()),
          h.site === null ? null : code(h.site),
          h.kind,
          h.detail,
          h.traceLine === null ? null : code(h.traceLine),
        ]),
      ),
    );
    if (d.hazardsTotal > d.hazards.length) blocks.push(para(`The first ${d.hazards.length} are shown; the hazards table has all ${d.hazardsTotal}.`));
  }
  return blocks;
}

function chartSection(d: ReportData, charts: readonly ChartSpec[]): Block[] {
  const blocks: Block[] = [heading(2, 'Charts')];
  for (const c of charts) blocks.push({ kind: 'chart', name: c.name, title: c.title });
  const has = new Set(charts.map((c) => c.name));
  const missing: Inline[][] = [];
  if (!has.has('x-by-site')) missing.push(['X token acquisitions per site: none on this trace.']);
  if (!has.has('backdowns-by-rule')) missing.push(['Back-downs per rule: none on this trace.']);
  if (!has.has('contention-by-object')) missing.push(['Contention per object: the estimate found no waits on this trace.']);
  if (!has.has('observed-vs-predicted')) missing.push(["Observed vs predicted: the trace has no obj_lock events from the captured kernel to compare with."]);
  if (d.overTime.buckets.length === 0) missing.push(['Saved X over time: the trace has no time span.']);
  if (missing.length) blocks.push(para('Not drawn:'), { kind: 'list', items: missing });
  return blocks;
}

function coverage(d: ReportData): Block[] {
  const files = d.coverage.files;
  const sum = (f: (x: (typeof files)[number]) => number) => files.reduce((n, x) => n + f(x), 0);
  const blocks: Block[] = [
    heading(2, 'What the trace covers'),
    para(
      `${sum((f) => f.events)} events from ${sum((f) => f.lines)} lines in ${files.length} file${files.length === 1 ? '' : 's'}; `,
      `${sum((f) => f.rejected)} lines rejected, ${sum((f) => f.dropped)} events dropped by the tracer, `,
      `${sum((f) => f.truncatedBegin + f.truncatedEnd)} faults cut off by the trace window (not replayed), ${sum((f) => f.late)} events that arrived too late to be put in order.`,
      sum((f) => f.dropped) > 0 ? ' Because the tracer dropped events, every count is a lower bound.' : '',
    ),
    table(
      ['file', 'format', 'lines', 'events', 'context', 'unknown', 'rejected', 'dropped', 'cut off at start', 'cut off at end'],
      files.map((f) => [f.path, f.format, f.lines, f.events, f.context, f.unknown, f.rejected, f.dropped, f.truncatedBegin, f.truncatedEnd]),
    ),
    ...readerNotes(files),
    heading(3, 'Time window per CPU'),
    table(
      ['file', 'cpu', 'events', 'first ts (ns)', 'last ts (ns)', 'window'],
      files.flatMap((f) => f.cpus.map((c) => [basename(f.path), c.cpu, c.events, c.firstTs, c.lastTs, c.firstTs === null || c.lastTs === null ? null : nanos(c.lastTs - c.firstTs)])),
    ),
    heading(3, 'Inferred fields'),
  ];
  const inferred = d.coverage.inferredEvents;
  const items: Inline[][] = [
    [
      `${d.coverage.inferredFaults} faults had facts the trace did not give filled in by default (nthreads 1, user map, backing from a deeper level or the object registry, ...; `,
      code('faults.inferred'),
      ').',
    ],
    inferred.length === 0
      ? ['No event carries inferred keys: every key was observed.']
      : ['Events with inferred keys (derived by the reader rather than logged): ', inferred.map((i) => `${i.kind} ${i.events}`).join(', '), '.'],
  ];
  // Worded as in the terminal summary (unknown-links.ts), which also counts the links met outside faults.
  const links = d.models.map((m) => [m, d.coverage.unknownLinks[m] ?? 0] as const);
  if (links.some(([, n]) => n > 0)) {
    const text = faultLinksText(links);
    items.push([`${text[0]!.toUpperCase()}${text.slice(1)}; ${SITE_LINKS_IN_SUMMARY_ONLY}.`]);
  }
  blocks.push({ kind: 'list', items });
  return blocks;
}

/** What the readers said about each file: how they got the fields (relative clocks, inferred fields, compression) and what may make figures less exact. */
function readerNotes(files: ReportData['coverage']['files']): Block[] {
  const items = files.flatMap((f) => f.notes.map((n): Inline[] => [code(f.path), ': ', ...(n.kind === 'warning' ? [strong('warning:'), ' '] : []), n.text]));
  return [heading(3, 'What the readers noted'), items.length ? { kind: 'list', items } : para('The readers left no note or warning about the input.')];
}

/** The command that makes this report again, from what the manifest recorded. */
export function reproduceCommand(d: ReportData): string {
  const knobs = d.run.knobs;
  const args = ['vmreplay', 'report', ...d.run.inputs.map((i) => shellWord(i.path)), '-o', 'report', '--models', d.models.join(','), ...knobArgs(knobs)];
  return args.join(' ');
}

/** The replay options that set the knobs a manifest recorded. */
export function knobArgs(knobs: ReportData['run']['knobs']): string[] {
  const args: string[] = [];
  if (knobs.shared_fault !== undefined) args.push('--shared-fault', String(knobs.shared_fault));
  if (knobs.hold_scale !== undefined) args.push('--hold-scale', String(knobs.hold_scale));
  if (knobs.site_hold_ns !== undefined) args.push('--site-hold-ns', String(knobs.site_hold_ns));
  return args;
}

function reproduce(d: ReportData): Block[] {
  return [
    heading(2, 'How to reproduce it'),
    { kind: 'code', text: reproduceCommand(d) },
    {
      kind: 'list',
      items: [
        [`vmreplay ${d.run.version}; models ${d.models.join(', ')} (baseline ${d.baseline}); knobs `, code(Object.entries(d.run.knobs).map(([k, v]) => `${k}=${v}`).join(' ') || 'none')],
        ...d.run.inputs.map((i): Inline[] => [i.path, `: ${i.bytes ?? '?'} bytes, sha256 `, code(i.sha256 ?? 'unknown (standard input)')]),
      ],
    },
  ];
}

const per100 = (part: number, faults: number): string => (faults === 0 ? '-' : ((100 * part) / faults).toFixed(1));

/** A path as one shell word: quoted when it holds anything but safe characters. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./,:=@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
