// The report's content, in the order a reviewer reads it: the headline per
// model, where the savings come from, the cost side, the charts, what the
// trace covers, and how to reproduce the run. Built from ReportData into a
// document that render/markdown.ts and render/html.ts render the same way.

import { basename } from 'node:path';
import { HOLD_MODEL } from '../replay/timeline.js';
import type { ChartSpec } from './charts/specs.js';
import { type HazardOpsX, type KeyedCounts, LIMITS, type LockstatRow, type ReportData, SENSITIVITY_FACTORS } from './data.js';
import { type Block, type Cell, code, details, heading, type Inline, para, strong, table } from './render/document.js';
import { inUnit, percent, timeUnit } from './render/text-table.js';
import { MODELS } from '../models/index.js';
import { SINCE } from '../models/linux-versions.js';
import { withGlossary } from './glossary.js';
import { faultLinksText, SITE_LINKS_IN_SUMMARY_ONLY } from './unknown-links.js';

/** Rows of each "where" table. */
const TOP = { sites: 15, types: 20, objects: 10, processes: 10 } as const;

export function reportTitle(d: ReportData): string {
  return `vmreplay report: ${d.run.inputs.map((i) => (i.path === '-' ? 'standard input' : basename(i.path))).join(', ') || d.run.dir}`;
}

/** `outDir` is where the report is written, for the command that makes it again. */
export function buildReport(d: ReportData, charts: readonly ChartSpec[], outDir = 'report'): Block[] {
  const dragonfly = d.summary.some((s) => !d.linux.some((l) => l.model === s.model));
  const bsd = dragonfly ? [...headline(d), ...where(d), ...foldSubsections(cost(d)), ...chartSection(d, charts)] : [];
  const body = [
    ...banner(d),
    ...linuxHeadline(d),
    ...pasteSummary(d, outDir),
    ...bsd,
    ...foldSubsections(coverage(d), (h) => h === READER_NOTES),
    ...reproduce(d, outDir),
  ];
  const { blocks, terms } = withGlossary(body, { dragonfly, linux: d.linux.length > 0 });
  return [...blocks, heading(2, 'Glossary'), { kind: 'glossary', terms }];
}

/** A model's back-downs, vm_fault's rules B1-B4 apart from exec_map_page's S-to-X re-acquire. */
export function backdownSplit(d: ReportData, model: string): { b1to4: number; exec: number } {
  const mine = d.backdowns.filter((b) => b.model === model);
  const exec = mine.filter((b) => b.rule === EXEC_RULE).reduce((n, b) => n + b.backdowns, 0);
  return { b1to4: mine.reduce((n, b) => n + b.backdowns, 0) - exec, exec };
}

const EXEC_RULE = 'exec_map_page';

/** The process key of acquisitions whose thread was never seen in a process (data.ts). */
const NO_COMMAND = '(no command name)';

/** Each level-3 heading and the blocks under it, folded into a `<details>` block titled by the heading, but those `keep` leaves open. */
function foldSubsections(blocks: readonly Block[], keep: (heading: string) => boolean = () => false): Block[] {
  const out: Block[] = [];
  let open: { summary: string; blocks: Block[] } | null = null;
  const close = () => {
    if (open) out.push(details(open.summary, open.blocks));
    open = null;
  };
  for (const b of blocks) {
    if (b.kind === 'heading') {
      close();
      if (b.level === 3 && !keep(b.text)) open = { summary: b.text, blocks: [] };
      else out.push(b);
    } else if (open) (open as { blocks: Block[] }).blocks.push(b);
    else out.push(b);
  }
  close();
  return out;
}

/** Most models one summary lists, so that it stays within 15 lines. */
const SUMMARY_MODELS = 9;

/**
 * The part to paste into a review: the saving per model, its cost, the
 * hazards, what the trace lacks, and how to make it again, in at most 15
 * lines of Markdown. Everything else in the report backs these lines up.
 */
function pasteSummary(d: ReportData, outDir: string): Block[] {
  const items: Inline[][] = [];
  const [reference, ...linuxModels] = d.linux;
  for (const l of reference ? linuxModels : []) {
    const pr = l.precisionPct === null ? '' : `; precision ${l.precisionPct}%, recall ${l.recallPct ?? '-'}% against the kernel's own mmap_lock events`;
    items.push([
      code(l.model),
      `: saves ${l.savedMm} of ${reference!.mmLocks} mm lock acquisitions (${l.savedMmPct ?? '-'}%) against `,
      code(reference!.model),
      `${pr}.`,
    ]);
  }
  // DragonFly models against the run's baseline, or against the first of them when the baseline is a Linux model (a proxy run).
  const dragonfly = d.summary.filter((x) => !d.linux.some((l) => l.model === x.model));
  const base = dragonfly.find((s) => s.model === d.baseline) ?? dragonfly[0];
  const againstBaseline = base?.model === d.baseline;
  const waitUnit = timeUnit(d.summary.map((s) => s.waitNs));
  const extra = new Map(d.extraAcquisitions.map((e) => [e.model, e]));
  for (const s of dragonfly.filter((x) => x !== base)) {
    const e = extra.get(s.model);
    const split = backdownSplit(d, s.model);
    const cost = [
      `${split.b1to4} back-down${split.b1to4 === 1 ? '' : 's'} (B1-B4)`,
      `${split.exec} exec_map_page re-acquire${split.exec === 1 ? '' : 's'}`,
      `${s.restarts} restart${s.restarts === 1 ? '' : 's'}`,
      // Extra acquisitions are counted against the run's baseline: left out when that is a Linux model.
      ...(againstBaseline ? [`${e?.extra ?? 0} more acquisitions on ${e?.faults ?? 0} fault${e?.faults === 1 ? '' : 's'}`] : []),
      `${s.waits} wait${s.waits === 1 ? '' : 's'} (${inUnit(s.waitNs, waitUnit)})`,
    ].join(', ');
    const h = againstBaseline ? s.inHazardOps : null;
    const saved = (base?.xTokens ?? 0) - s.xTokens;
    const unsafe = h === null ? '' : `; ${withoutHazards(saved, h)} without the ${h.operations} operation${h.operations === 1 ? '' : 's'} that hit a hazard`;
    items.push([
      code(s.model),
      `: saves ${saved} of ${base?.xTokens ?? 0} X token acquisitions (${percent(saved, base?.xTokens ?? 0)}${unsafe}) against `,
      code(base?.model ?? d.baseline),
      `; costs ${cost}; ${s.hazards} hazard${s.hazards === 1 ? '' : 's'}.`,
    ]);
  }
  if (items.length > SUMMARY_MODELS) items.splice(SUMMARY_MODELS - 1, items.length, [`and ${items.length - SUMMARY_MODELS + 1} more models (tables below).`]);
  items.push(hazardLine(d));
  items.push(gapsLine(d));
  items.push(['Reproduce: ', code(reproduceCommand(d, outDir))]);
  return [heading(2, 'Summary'), { kind: 'list', items }];
}

/** The hazards in one line: how many, and the first few kinds by model and site. */
function hazardLine(d: ReportData): Inline[] {
  if (d.hazardsTotal === 0) return ['Hazards: none under any model.'];
  const groups = new Map<string, { h: ReportData['hazards'][number]; n: number }>();
  for (const h of d.hazards) {
    const key = `${h.model}\u0000${h.kind}\u0000${h.site ?? ''}`;
    const g = groups.get(key);
    if (g) g.n++;
    else groups.set(key, { h, n: 1 });
  }
  const shown = [...groups.values()].slice(0, 3);
  const parts: Inline[] = [`Hazards: ${d.hazardsTotal} — `];
  shown.forEach(({ h, n }, i) => {
    if (i > 0) parts.push('; ');
    parts.push(code(h.model), ` ${h.kind}${n > 1 ? ` ×${n}` : ''}`);
    if (h.site !== null) parts.push(' at ', code(h.site));
    if (h.traceLine !== null)
      parts.push(
        ' (began at ',
        code(h.traceLine),
        ...(h.triggerLine !== null && h.triggerLine !== h.traceLine ? [', triggered at ', code(h.triggerLine)] : []),
        ')',
      );
  });
  if (groups.size > shown.length) parts.push(`; ${groups.size - shown.length} more kinds`);
  parts.push('.');
  return parts;
}

/** What the trace lacks, in one line. */
function gapsLine(d: ReportData): Inline[] {
  const files = d.coverage.files;
  const sum = (f: (x: (typeof files)[number]) => number) => files.reduce((n, x) => n + f(x), 0);
  const warnings = files.reduce((n, f) => n + f.notes.filter((x) => x.kind === 'warning').length, 0);
  const gaps = [
    `${sum((f) => f.truncatedBegin + f.truncatedEnd)} faults cut off by the trace window`,
    `${sum((f) => f.rejected)} lines rejected`,
    `${sum((f) => f.dropped)} events dropped by the tracer`,
    `${d.coverage.inferredFaults} faults with facts filled in by default`,
  ];
  const links = Object.values(d.coverage.unknownLinks).reduce((n, x) => n + x, 0);
  if (links > 0) gaps.push(`${links} chain links no event described`);
  if (warnings > 0) gaps.push(`${warnings} reader warning${warnings === 1 ? '' : 's'}`);
  return [`Coverage gaps: ${gaps.join(', ')}.`];
}

function banner(d: ReportData): Block[] {
  const out: Block[] = [];
  if (d.summary.every((s) => s.faults === 0)) {
    out.push({
      kind: 'banner',
      parts: ['Nothing replayed: 0 faults were replayed, so no figure below rests on a fault. "What the readers noted" says what the trace lacks.'],
    });
  }
  const linuxCapture = d.coverage.files.some((f) => f.notes.some((n) => n.text.startsWith('perf: a Linux trace mapped')));
  if (linuxCapture && d.summary.some((s) => !d.linux.some((l) => l.model === s.model))) {
    out.push({
      kind: 'banner',
      parts: [
        "Proxy: DragonFly models replayed a Linux capture through the reader's mapping onto BSD objects; their objects, chains and reference events are inferred, not observed.",
      ],
    });
  }
  for (const m of d.inferredAcquisitions) {
    if (m.acquisitions > 0 && m.inferred * 2 > m.acquisitions) {
      out.push({
        kind: 'banner',
        parts: [
          `Inferred: ${m.inferred} of ${m.model}'s ${m.acquisitions} acquisitions (${Math.round((100 * m.inferred) / m.acquisitions)}%) rest on events the reader inferred, not on observed ones (acquisitions.inferred).`,
        ],
      });
    }
  }
  if (d.run.synthetic)
    out.push({ kind: 'banner', parts: [`Generated trace (${d.run.synthetic}): every figure below describes a simulated workload, not a measured one.`] });
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
      d.linux.map((l, i) => [
        l.model,
        l.faults,
        l.mmLocks,
        l.vmaLocks,
        i === 0 ? null : l.savedMm,
        i === 0 ? null : pct(l.savedMmPct),
        pct(l.precisionPct),
        pct(l.recallPct),
        l.undecidable,
      ]),
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
    blocks.push(
      table(
        ['model', 'reason', 'faults', 'the kernel took it in'],
        reasons.map((r) => [r.model, { code: r.reason }, r.faults, r.observed]),
      ),
    );
  }
  if (d.writerWaits.length > 0) {
    const base = d.writerWaits[0]!;
    blocks.push(heading(3, 'Waiting behind mmap_lock writers'));
    blocks.push(
      para(
        'Estimated from the write holds the capture shows (mmap_lock write acquisition to release or downgrade, per mm and thread): a fault that takes mmap_lock while another thread of its mm holds it for writing waits until that hold ends. First-order: the holds are as captured, each fault asks at its entry, nothing else moves.',
      ),
    );
    blocks.push(
      table(
        ['model', 'faults waiting', 'wait (ms)', 'longest (ms)', 'avoided (ms)'],
        d.writerWaits.map((w, i) => [w.model, w.faults, ms(w.waitNs), ms(w.maxWaitNs), i === 0 ? null : ms(base.waitNs - w.waitNs)]),
      ),
    );
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
  const unsafe = d.summary.some((s) => s.inHazardOps !== null);
  const safeSaved = (s: ReportData['summary'][number]): Cell => {
    if (s.model === d.baseline) return null;
    const n = s.inHazardOps === null ? s.savedX : withoutHazards(s.savedX, s.inHazardOps);
    return `${n} (${percent(n, baseX - (s.inHazardOps?.baseline ?? 0))})`;
  };
  return [
    heading(2, 'Headline'),
    para(
      strong('What "saved" counts:'),
      ` exclusive (X) acquisitions of VM object tokens, ${d.baseline}'s count minus the model's, on the same trace (faults and every other lock site). `,
      'Chain locks are counted in their own columns and are not part of the saving (X chain acquisitions saved are shown on their own, last); ',
      `the per-map token (${mapTokens} acquisitions, the same under every model) is in neither.`,
      unsafe
        ? ' A model that hit a hazard made part of its saving on an operation that would deadlock or assert: "without hazard ops" leaves those operations out, for both models.'
        : '',
    ),
    table(
      [
        'model',
        'X tokens',
        'S tokens',
        'X chain',
        'S chain',
        'back-downs (B1-B4)',
        'exec re-acquires',
        'restarts',
        'upgrades',
        'hazards',
        `X saved vs ${d.baseline}`,
        ...(unsafe ? ['X saved without hazard ops'] : []),
        `X chain saved vs ${d.baseline}`,
      ],
      d.summary.map((s) => [
        s.model,
        s.xTokens,
        s.sTokens,
        s.xChain,
        s.sChain,
        backdownSplit(d, s.model).b1to4,
        backdownSplit(d, s.model).exec,
        s.restarts,
        s.upgrades,
        s.hazards,
        s.model === d.baseline ? null : `${s.savedX} (${percent(s.savedX, baseX)})`,
        ...(unsafe ? [safeSaved(s)] : []),
        s.model === d.baseline ? null : `${baseChain - s.xChain} (${percent(baseChain - s.xChain, baseChain)})`,
      ]),
    ),
    details('Contention estimate', contention(d)),
    ...observed(d),
  ];
}

/** The contention estimate: per model, then lockstat's figures per object and per site, and how they move with --hold-scale. */
function contention(d: ReportData): Block[] {
  const waitUnit = timeUnit(d.summary.map((s) => s.waitNs));
  const blocks: Block[] = [
    para(
      strong('Contention estimate:'),
      ' a token acquisition waits when another thread holds that token in a conflicting mode at that moment; ',
      `hold times follow the hold-time model (${HOLD_MODEL}), and the replay is first-order: page states stay as recorded under every model and a wait delays nothing after it.`,
    ),
    table(
      ['model', 'faults', 'attempts', 'waits', 'wait time'],
      d.summary.map((s) => [s.model, s.faults, s.attempts, s.waits, inUnit(s.waitNs, waitUnit)]),
    ),
  ];
  if (d.sensitivity.length > 0) {
    const scale = Number(d.run.knobs.hold_scale ?? 1);
    const unit = timeUnit(d.sensitivity.map((r) => r.waitNs));
    const line = (m: string) =>
      SENSITIVITY_FACTORS.map((f) => {
        const r = d.sensitivity.find((x) => x.model === m && x.factor === f);
        return `${f * scale}x: ${r?.waits ?? 0} waits, ${inUnit(r?.waitNs ?? 0, unit)}`;
      }).join('; ');
    blocks.push(
      para(
        strong('Sensitivity to --hold-scale:'),
        ` every operation's holds stretched about its start to 0.5, 1 and 2 times the run's hold scale (${scale}), through the replay's simulator (a hold split by an I/O sleep is taken as one, so 1x may differ a little from the figure above):`,
      ),
      { kind: 'list', items: d.models.map((m): Inline[] => [code(m), `: ${line(m)}.`]) },
    );
  } else
    blocks.push(
      para(
        strong('Sensitivity to --hold-scale:'),
        ` left out: more than ${LIMITS.sensitivityAcquisitions} token acquisitions; replay with --hold-scale 0.5 and 2 to see it.`,
      ),
    );
  const lockstat = (title: string, what: string, rows: readonly LockstatRow[]): Block[] => {
    if (rows.length === 0) return [];
    const avg = (r: LockstatRow) => (r.acquisitions === 0 ? 0 : r.holdNs / r.acquisitions);
    // One unit per column, the one its largest figure reads best in.
    const [total, mean, longest, waited, worst] = [
      (r: LockstatRow) => r.holdNs,
      avg,
      (r: LockstatRow) => r.maxHoldNs,
      (r: LockstatRow) => r.waitNs,
      (r: LockstatRow) => r.maxWaitNs,
    ].map((f) => (r: LockstatRow) => inUnit(f(r), timeUnit(rows.map(f)))) as [
      (r: LockstatRow) => string,
      (r: LockstatRow) => string,
      (r: LockstatRow) => string,
      (r: LockstatRow) => string,
      (r: LockstatRow) => string,
    ];
    return [
      para(strong(title), ` (lockstat's figures; the ${LIMITS.lockstatRows} with the most waiting, then holding, under any model):`),
      table(
        [what, 'model', 'acquisitions', 'total hold', 'avg hold', 'max hold', 'waits', 'total wait', 'max wait'],
        rows.map((r) => [what === 'site' ? code(r.key) : r.key, r.model, r.acquisitions, total(r), mean(r), longest(r), r.waits, waited(r), worst(r)]),
      ),
    ];
  };
  blocks.push(...lockstat('Per object', 'object', d.lockstat.byObject), ...lockstat('Per site', 'site', d.lockstat.bySite));
  return blocks;
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
    details('Observed vs predicted', [
      para(
        strong('Observed vs predicted:'),
        " the trace has the captured kernel's own lock acquisitions inside faults (obj_lock); acquisitions both took (same fault, object, class and mode), only the model, only the kernel:",
      ),
      table(['model', 'both', 'model only', 'kernel only', 'agreement'], rows),
    ]),
  ];
}

function where(d: ReportData): Block[] {
  const others = compared(d);
  const columns = (first: string[]) => [...first, ...d.models.map((m) => `X ${m}`), ...others.map((m) => `saved ${m}`)];
  const saved = (k: KeyedCounts, m: string): Cell => {
    const n = (k.x[d.baseline] ?? 0) - (k.x[m] ?? 0);
    const h = k.inHazardOps[m];
    return h === undefined ? n : `${n} (hazard; ${withoutHazards(n, h)} without)`;
  };
  const counts = (k: KeyedCounts): Cell[] => [...d.models.map((m) => k.x[m] ?? 0), ...others.map((m) => saved(k, m))];
  const more = (shown: number, all: number, what: string, view: string): Block[] =>
    all > shown ? [para(`${all - shown} more ${what} not shown; `, code(`vmreplay query RUN ${view}`), ' lists them all.')] : [];
  const sites = d.bySite.slice(0, TOP.sites);
  const objects = d.byObjectName.slice(0, TOP.objects);
  const types = d.byObjectType.slice(0, TOP.types);
  const procs = d.byProcessName.slice(0, TOP.processes);
  const unattributed = d.byProcessName.find((k) => k.key === NO_COMMAND);
  // One table for objects: the named ones and the unnamed ones per type, then every type's total.
  const objectRows: Cell[][] = [
    ...objects.map((k): Cell[] => [k.otype ?? '-', k.key, k.members, ...counts(k)]),
    ...types.map((k): Cell[] => [k.key, `(all ${k.key} objects)`, null, ...counts(k)]),
  ];
  return [
    heading(2, 'Where the saved X acquisitions are'),
    para(
      `X token acquisitions per model and the X each model saves against ${d.baseline}, largest saving first. `,
      'A saving marked "(hazard; N without)" includes operations on which that model hit a hazard; N is the saving without them.',
    ),
    details(`By site (${d.bySite.length})`, [
      table(
        columns(['site']),
        sites.map((k) => [code(k.key), ...counts(k)]),
      ),
      ...more(sites.length, d.bySite.length, 'sites', 'saved_by_site'),
    ]),
    details(`By object (${d.byObjectName.length} names, ${d.byObjectType.length} types)`, [
      para('Objects the trace named (vnode paths); unnamed objects are counted together per type; the last rows total each type.'),
      table(columns(['object type', 'object', 'objects']), objectRows),
      ...more(objects.length, d.byObjectName.length, 'object names', 'saved_by_object'),
    ]),
    details(`By process (${d.byProcessName.length} command names)`, [
      para(
        'A thread’s acquisitions logged before its process was known (site events name only the thread) count for the process the thread is seen in later',
        unattributed === undefined ? '.' : `; ${unattributed.x[d.baseline] ?? 0} X under ${d.baseline} are on threads never seen in a process.`,
      ),
      table(
        columns(['command', 'processes']),
        procs.map((k) => [k.key, k.members, ...counts(k)]),
      ),
      ...more(procs.length, d.byProcessName.length, 'command names', 'saved_by_process'),
    ]),
  ];
}

function cost(d: ReportData): Block[] {
  const faults = new Map(d.summary.map((s) => [s.model, s.faults]));
  const blocks: Block[] = [heading(2, 'Cost side'), heading(3, 'Back-downs by rule')];
  if (d.backdowns.length === 0) blocks.push(para('No model backed down on this trace.'));
  else {
    blocks.push(
      para(
        "B1-B4 are vm_fault's back-downs; exec_map_page's S-to-X re-acquire has its own row and is not among them. The rate is per 100 faults the model replayed.",
      ),
      table(
        ['model', 'rule', 'back-downs', 'per 100 faults'],
        d.models.flatMap((m) => {
          const mine = d.backdowns.filter((b) => b.model === m);
          const rules = mine.filter((b) => b.rule !== EXEC_RULE);
          const exec = mine.filter((b) => b.rule === EXEC_RULE);
          const { b1to4 } = backdownSplit(d, m);
          const rows: Cell[][] = rules.map((b): Cell[] => [m, b.rule, b.backdowns, per100(b.backdowns, faults.get(m) ?? 0)]);
          if (rules.length > 1) rows.push([m, 'B1-B4', b1to4, per100(b1to4, faults.get(m) ?? 0)]);
          for (const b of exec) rows.push([m, 'exec_map_page (re-acquire)', b.backdowns, per100(b.backdowns, faults.get(m) ?? 0)]);
          return rows;
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
          ['op', 'command', 'pid', 'va', d.baseline, e.model, 'more', 'back-downs', 'upgrades', 'attempts', 'trace line'],
          e.top.map((f) => [
            f.opId,
            f.comm,
            f.pid,
            f.va === null ? null : code(f.va),
            f.baselineAcquisitions,
            f.acquisitions,
            f.acquisitions - f.baselineAcquisitions,
            f.backdowns,
            f.upgrades,
            f.attempts,
            f.traceLine === null ? null : code(f.traceLine),
          ]),
        ),
      );
      if (e.faults > e.top.length) blocks.push(para(`The ${e.top.length} with most extra acquisitions are shown.`));
    }
  }

  blocks.push(heading(3, 'Hazards'));
  if (d.hazardsTotal === 0) blocks.push(para('No model hit a hazard (a lock order that would deadlock or assert) on this trace.'));
  else {
    blocks.push(
      para(
        `${d.hazardsTotal} hazard${d.hazardsTotal === 1 ? '' : 's'}: lock requests that would deadlock or assert under the model. `,
        'Each names its operation, the hold it conflicts with (the mode, site and reason the same operation took that token with, as WITNESS names where a lock was acquired), ',
        'the trace line the operation began at, and the line of the event that triggers it (the last event before the hazard naming its object).',
      ),
      table(
        ['model', 'op', 'thread', 'command', 'va', 'object', 'site', 'hazard', 'conflicting hold', 'detail', 'began at', 'triggered at'],
        d.hazards.map((h) => [
          h.model,
          h.opId,
          h.tid,
          h.comm,
          h.va === null ? null : code(h.va),
          h.objName ?? (h.obj === null ? null : `${h.otype ?? ''} ${h.obj}`.trim()),
          h.site === null ? null : code(h.site),
          h.kind,
          h.held === null ? null : `${h.held.mode} at ${h.held.site}${h.held.reason === null ? '' : ` (${h.held.reason})`}`,
          h.detail,
          h.traceLine === null ? null : code(h.traceLine),
          h.triggerLine === null ? null : code(h.triggerLine),
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
  if (!has.has('observed-vs-predicted')) missing.push(['Observed vs predicted: the trace has no obj_lock events from the captured kernel to compare with.']);
  if (d.overTime.buckets.length === 0) missing.push(['Saved X over time: the trace has no time span.']);
  if (missing.length) blocks.push(para('Not drawn:'), { kind: 'list', items: missing });
  return blocks;
}

function coverage(d: ReportData): Block[] {
  const files = d.coverage.files;
  const windowUnit = timeUnit(files.flatMap((f) => f.cpus.map((c) => (c.firstTs === null || c.lastTs === null ? 0 : c.lastTs - c.firstTs))));
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
      files.flatMap((f) =>
        f.cpus.map((c) => [
          basename(f.path),
          c.cpu,
          c.events,
          c.firstTs,
          c.lastTs,
          c.firstTs === null || c.lastTs === null ? null : inUnit(c.lastTs - c.firstTs, windowUnit),
        ]),
      ),
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

/** Left open in the report: a reader's warning may make every figure less exact. */
const READER_NOTES = 'What the readers noted';

/** What the readers said about each file: how they got the fields (relative clocks, inferred fields, compression) and what may make figures less exact. */
function readerNotes(files: ReportData['coverage']['files']): Block[] {
  const items = files.flatMap((f) => f.notes.map((n): Inline[] => [code(f.path), ': ', ...(n.kind === 'warning' ? [strong('warning:'), ' '] : []), n.text]));
  return [heading(3, READER_NOTES), items.length ? { kind: 'list', items } : para('The readers left no note or warning about the input.')];
}

/** The command that makes this report again, from what the manifest recorded. */
export function reproduceCommand(d: ReportData, outDir: string): string {
  const knobs = d.run.knobs;
  const args = [
    'vmreplay',
    'report',
    ...d.run.inputs.map((i) => shellWord(i.path)),
    '-o',
    shellWord(outDir),
    '--models',
    d.models.join(','),
    ...knobArgs(knobs),
  ];
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

function reproduce(d: ReportData, outDir: string): Block[] {
  const stdin = d.run.inputs.some((i) => i.path === '-');
  const tool = `vmreplay ${d.run.version}${d.run.commit === null ? '' : ` (git ${d.run.commit.slice(0, 12)})`}`;
  return [
    heading(2, 'How to reproduce it'),
    para(
      stdin
        ? 'The trace came on standard input: give it the same way (the file it came from is not recorded). '
        : 'Run from the directory the replay ran in (the trace paths are as given then); it replays the traces into ',
      ...(stdin ? [] : [code(`${outDir}/run`), ' and writes this report into ', code(outDir), '.']),
    ),
    { kind: 'code', text: reproduceCommand(d, outDir) },
    {
      kind: 'list',
      items: [
        [
          `${tool}; models ${d.models.join(', ')} (baseline ${d.baseline}); knobs `,
          code(
            Object.entries(d.run.knobs)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ') || 'none',
          ),
        ],
        ...d.run.inputs.map((i): Inline[] => [i.path, `: ${i.bytes ?? '?'} bytes, sha256 `, code(i.sha256 ?? 'unknown (standard input)')]),
      ],
    },
    heading(3, 'What the models stand for'),
    { kind: 'list', items: d.models.map((m): Inline[] => [code(m), `: ${modelProvenance(m, d.run.knobs)}`]) },
  ];
}

/** The kernel a model stands for: DragonFly commits, or for Linux the version rules used. */
function modelProvenance(model: string, knobs: ReportData['run']['knobs']): string {
  const description = MODELS.find((m) => m.name === model)?.description ?? 'a model this version of vmreplay does not know';
  if (model !== 'linux-vma') return `${description}.`;
  const version =
    knobs.linuxVersion === undefined ? "the capture's kernel release (uname -r from the perf header)" : `knobs.linuxVersion ${knobs.linuxVersion}`;
  return (
    `${description}. Rules by kernel version, from ${version}: per-VMA locks from 6.${SINCE.perVmaLocks % 100}; file-backed VMAs from 6.${SINCE.fileVmas % 100} ` +
    `(6.${SINCE.fileVmas % 100} retries every file ->fault); file faults under the VMA lock from 6.${SINCE.fileFaultUnderVmaLock % 100}; ` +
    `the anon_vma check moved into vmf_anon_prepare (trylock) from 6.${SINCE.anonVmaInPrepare % 100}.`
  );
}

/** A saving without the operations on which the model hit a hazard (the baseline's X there minus the model's). */
const withoutHazards = (saved: number, h: HazardOpsX): number => saved - (h.baseline - h.model);

const per100 = (part: number, faults: number): string => (faults === 0 ? '-' : ((100 * part) / faults).toFixed(1));

/** A path as one shell word: quoted when it holds anything but safe characters. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./,:=@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
