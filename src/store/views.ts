// The analysis views of the database. They are generated at close, when the
// models of the run are known: the saved_* views pivot X token acquisitions
// into one column per model (conditional aggregation over the model names
// found) and add, for every model but the baseline, baseline X minus its X.
// Each view carries its documentation, which docs/tables.md is generated from.
//
// "X tokens" are always acquisitions with class = 'token' and mode = 'X': the
// per-map token (class 'map') and chain locks never enter token counts.

import { type ModelColumns, modelColumns, runColumns } from '../models/index.js';
import { ident, literal } from './sql.js';

export interface ViewContext {
  /** models in report order; the first is normally the baseline */
  readonly models: readonly string[];
  /** the model saved_* figures are measured against (null: no saved columns) */
  readonly baseline: string | null;
  /** time buckets of saved_over_time and backdowns_over_time */
  readonly t0: number;
  readonly bucketNs: number;
  readonly buckets: number;
  /** a dataset's database: every table has a `trace` column, and each view is per trace (see byTrace) */
  readonly byTrace?: boolean;
}

export interface ViewDoc {
  readonly name: string;
  readonly doc: string;
  readonly columns: readonly (readonly [string, string])[];
}

interface ViewDef extends ViewDoc {
  sql(ctx: ViewContext): string;
  /** false: not made in a dataset (its time buckets are one trace's clock) */
  readonly acrossTraces?: false;
}

/** `trace, ` (qualified by `q`) leading the keys of a view in a dataset, else nothing. */
const tr = (ctx: ViewContext, q = ''): string => (ctx.byTrace ? `${q}trace, ` : '');
/** ` AND a.trace = b.trace` joining two relations of a dataset on their trace, else nothing. */
const sameTrace = (ctx: ViewContext, a: string, b: string): string => (ctx.byTrace ? ` AND ${a}.trace = ${b}.trace` : '');

/** X object token acquisitions; `q` qualifies the columns (`a.`). */
const xToken = (q = ''): string => `${q}"class" = 'token' AND ${q}"mode" = 'X'`;

/** The measured lock of a family's models, as a condition on acquisitions (`q` qualifies the columns). */
const measured = (c: ModelColumns, q = ''): string => (c.family === 'linux' ? `${q}"class" = 'mm'` : xToken(q));

/** The columns of the run's models (models/index.ts: declared slugs, each family's baseline). */
const columnsOf = (ctx: ViewContext): ModelColumns[] => runColumns(ctx.models);

/** Every model's measured lock (X tokens, mm locks) as a row condition. */
function anyMeasured(ctx: ViewContext, q = ''): string {
  const families = new Set(columnsOf(ctx).map((c) => c.family));
  if (families.size === 0) return xToken(q);
  return [...families].map((f) => measured({ family: f } as ModelColumns, q)).join(' OR ');
}

/** `x_<slug>` (`mm_<slug>`) per model, and `saved_...` for every model compared against a baseline in the run. */
function pivot(ctx: ViewContext, qualifier: string): string[] {
  const cols = columnsOf(ctx);
  const count = (c: ModelColumns) => `count(*) FILTER (WHERE ${qualifier}model = ${literal(c.name)} AND (${measured(c, qualifier)}))`;
  const out = cols.map((c) => `${count(c)} AS ${ident(c.countColumn)}`);
  for (const c of cols) {
    const base = cols.find((b) => b.name === c.baseline);
    if (c.savedColumn !== null && base) out.push(`${count(base)} - ${count(c)} AS ${ident(c.savedColumn)}`);
  }
  return out;
}

/** Largest savings first (by the first compared model), else most of the first model's measure first. */
function pivotOrder(ctx: ViewContext): string {
  const cols = columnsOf(ctx);
  const compared = cols.find((c) => c.savedColumn !== null);
  if (compared) return `${ident(compared.savedColumn!)} DESC`;
  return cols.length > 0 ? `${ident(cols[0]!.countColumn)} DESC` : '1';
}

const PIVOT_DOCS: readonly (readonly [string, string])[] = [
  ['x_<model>', 'X token acquisitions under that model (one column per model of the run, e.g. x_old, x_new, x_new_fixed)'],
  ['saved_x', 'baseline X minus `new` X (positive: `new` takes fewer exclusive token acquisitions)'],
  ['saved_x_fixed', 'baseline X minus `new-fixed` X; any other model m gets saved_x_<m>'],
];

function bucketOf(ctx: ViewContext, ts: string): string {
  return `CAST((${ts} - ${Math.round(ctx.t0)}) // ${ctx.bucketNs} AS BIGINT)`;
}

/**
 * The names of objects and processes, made before the analysis views that
 * join them, and read by the report and the Perfetto export: one place for
 * which name an object or a process goes by.
 */
const NAME_VIEW_DEFS: readonly ViewDef[] = [
  {
    name: 'object_names',
    doc: 'The name of every named VM object (its vnode path; of several names seen, the greatest).',
    columns: [
      ['obj', 'object address'],
      ['name', 'vnode path'],
    ],
    sql: (ctx) => `SELECT ${tr(ctx)}obj, max(name) AS name FROM objects WHERE name IS NOT NULL GROUP BY ${tr(ctx)}obj`,
  },
  {
    name: 'process_names',
    doc: 'The command name and executable of every process: the last seen of each (NULL when never seen).',
    columns: [
      ['pid', 'process id'],
      ['comm', 'command name (the last one seen)'],
      ['path', 'executable (proc_exec), when seen'],
    ],
    sql: (ctx) =>
      `SELECT ${tr(ctx)}pid, arg_max(comm, last_ts) FILTER (WHERE comm IS NOT NULL) AS comm, arg_max(path, last_ts) FILTER (WHERE path IS NOT NULL) AS path FROM processes GROUP BY ${tr(ctx)}pid`,
  },
];

const VIEW_DEFS: readonly ViewDef[] = [
  {
    name: 'saved_by_site',
    doc: 'X token acquisitions per kernel site (the function taking the lock), one column per model, and the X each model saves against the baseline.',
    columns: [['site', 'kernel function taking the token'], ...PIVOT_DOCS],
    sql: (ctx) =>
      `SELECT ${tr(ctx)}site, ${pivot(ctx, '').join(', ')} FROM acquisitions WHERE ${anyMeasured(ctx)} GROUP BY ${tr(ctx)}site ORDER BY ${tr(ctx)}${pivotOrder(ctx)}, site`,
  },
  {
    name: 'saved_by_otype',
    doc: 'X token acquisitions per object type, one column per model, and the savings.',
    columns: [['otype', 'object type'], ...PIVOT_DOCS],
    sql: (ctx) =>
      `SELECT ${tr(ctx)}otype, ${pivot(ctx, '').join(', ')} FROM acquisitions WHERE ${anyMeasured(ctx)} GROUP BY ${tr(ctx)}otype ORDER BY ${tr(ctx)}${pivotOrder(ctx)}, otype`,
  },
  {
    name: 'saved_by_object',
    doc: 'X token acquisitions per VM object, with its type and name (objects.name, where the trace named it), one column per model, and the savings.',
    columns: [
      ['obj', 'object address (exact UBIGINT)'],
      ['obj_hex', 'the address as 0x-prefixed hex text'],
      ['otype', 'object type'],
      ['name', 'vnode path, when the trace named the object'],
      ...PIVOT_DOCS,
    ],
    sql: (ctx) =>
      `SELECT ${tr(ctx, 'a.')}a.obj, hex64(a.obj) AS obj_hex, any_value(a.otype) AS otype, n.name, ${pivot(ctx, 'a.').join(', ')} ` +
      `FROM acquisitions a LEFT JOIN object_names n ON n.obj = a.obj${sameTrace(ctx, 'n', 'a')} WHERE (${anyMeasured(ctx, 'a.')}) ` +
      `GROUP BY ${tr(ctx, 'a.')}a.obj, n.name ORDER BY ${tr(ctx, 'a.')}${pivotOrder(ctx)}, a.obj`,
  },
  {
    name: 'saved_by_process',
    doc: 'X token acquisitions per process, with its command name and executable, one column per model, and the savings.',
    columns: [['pid', 'process id'], ['comm', 'command name (the last one seen)'], ['path', 'executable (proc_exec), when seen'], ...PIVOT_DOCS],
    sql: (ctx) =>
      `SELECT ${tr(ctx, 'a.')}a.pid, p.comm, p.path, ${pivot(ctx, 'a.').join(', ')} ` +
      `FROM acquisitions a LEFT JOIN process_names p ON p.pid = a.pid${sameTrace(ctx, 'p', 'a')} WHERE (${anyMeasured(ctx, 'a.')}) ` +
      `GROUP BY ${tr(ctx, 'a.')}a.pid, p.comm, p.path ORDER BY ${tr(ctx, 'a.')}${pivotOrder(ctx)}, a.pid`,
  },
  {
    name: 'saved_over_time',
    acrossTraces: false,
    doc: 'X token acquisitions per time bucket, one column per model, and the savings. The trace span (first to last `ts` of every table that has one: events, acquisitions, waits, faults, hazards, backdowns) is cut into about 100 buckets of a round width (1, 2 or 5 times a power of ten nanoseconds); every bucket has a row, empty ones with zeros. The width is in manifest.json (time_buckets).',
    columns: [
      ['bucket', 'bucket number, 0 = the first'],
      ['start_ns', 'bucket start (same clock as ts)'],
      ['bucket_ns', 'bucket width in nanoseconds'],
      ...PIVOT_DOCS,
    ],
    sql: (ctx) =>
      `WITH x AS (SELECT ${bucketOf(ctx, 'ts')} AS bucket, model, "class", "mode" FROM acquisitions WHERE (${anyMeasured(ctx)}) AND ts IS NOT NULL) ` +
      `SELECT b.bucket, ${Math.round(ctx.t0)} + b.bucket * ${ctx.bucketNs} AS start_ns, CAST(${ctx.bucketNs} AS BIGINT) AS bucket_ns, ${pivot(ctx, 'x.').join(', ')} ` +
      `FROM range(0, ${ctx.buckets}) b(bucket) LEFT JOIN x ON x.bucket = b.bucket GROUP BY b.bucket ORDER BY b.bucket`,
  },
  {
    name: 'backdowns_by_reason',
    doc: 'Back-downs per rule (B1-B4, exec_map_page) and model: the cost side of the shared first-object path.',
    columns: [
      ['rule', 'back-down rule'],
      ['model', 'locking model'],
      ['backdowns', 'back-downs'],
      ['operations', 'distinct operations (faults or site events) that backed down by this rule'],
      ['pct_of_model', "share of the model's back-downs, in percent"],
    ],
    sql: (ctx) =>
      `SELECT ${tr(ctx, 'b.')}b.rule, b.model, count(*) AS backdowns, count(DISTINCT b.op_id) AS operations, ` +
      `round(100.0 * count(*) / sum(count(*)) OVER (PARTITION BY ${tr(ctx, 'b.')}b.model), 2) AS pct_of_model ` +
      `FROM backdowns b LEFT JOIN models m ON m.model = b.model GROUP BY ${tr(ctx, 'b.')}b.rule, b.model, m.position ORDER BY ${tr(ctx, 'b.')}m.position, b.rule`,
  },
  {
    name: 'backdowns_over_time',
    acrossTraces: false,
    doc: 'Back-downs per time bucket (the buckets of saved_over_time), rule and model; buckets without back-downs have no row.',
    columns: [
      ['bucket', 'bucket number'],
      ['start_ns', 'bucket start'],
      ['bucket_ns', 'bucket width in nanoseconds'],
      ['rule', 'back-down rule'],
      ['model', 'locking model'],
      ['backdowns', 'back-downs'],
    ],
    sql: (ctx) =>
      `WITH b AS (SELECT ${bucketOf(ctx, 'ts')} AS bucket, rule, model FROM backdowns WHERE ts IS NOT NULL) ` +
      `SELECT b.bucket, ${Math.round(ctx.t0)} + b.bucket * ${ctx.bucketNs} AS start_ns, CAST(${ctx.bucketNs} AS BIGINT) AS bucket_ns, b.rule, b.model, count(*) AS backdowns ` +
      `FROM b LEFT JOIN models m ON m.model = b.model GROUP BY b.bucket, b.rule, b.model, m.position ORDER BY b.bucket, m.position, b.rule`,
  },
  {
    name: 'contention_by_object',
    doc: 'Contention estimate per object and model (one row each): token acquisitions, how many would have waited (the waits table) and for how long, with the object type and name. Compare models by filtering or pivoting on `model`.',
    columns: [
      ['obj', 'object address'],
      ['obj_hex', 'the address as hex text'],
      ['otype', 'object type'],
      ['name', 'vnode path, when named'],
      ['model', 'locking model'],
      ['token_acquisitions', 'object token acquisitions (S and X)'],
      ['x_tokens', 'X token acquisitions'],
      ['waits', 'token acquisitions that would have waited'],
      ['x_waits', 'of which X'],
      ['wait_ns', 'summed estimated waiting time'],
      ['max_wait_ns', 'longest single wait'],
    ],
    sql: (ctx) =>
      `WITH acq AS (SELECT ${tr(ctx)}model, obj, any_value(otype) AS otype, count(*) AS token_acquisitions, count(*) FILTER (WHERE "mode" = 'X') AS x_tokens ` +
      `FROM acquisitions WHERE "class" = 'token' AND obj IS NOT NULL GROUP BY ${tr(ctx)}model, obj), ` +
      `w AS (SELECT ${tr(ctx)}model, obj, count(*) AS waits, count(*) FILTER (WHERE "mode" = 'X') AS x_waits, sum(wait_ns) AS wait_ns, max(wait_ns) AS max_wait_ns FROM waits GROUP BY ${tr(ctx)}model, obj) ` +
      `SELECT ${tr(ctx, 'acq.')}acq.obj, hex64(acq.obj) AS obj_hex, acq.otype, n.name, acq.model, acq.token_acquisitions, acq.x_tokens, ` +
      `coalesce(w.waits, 0) AS waits, coalesce(w.x_waits, 0) AS x_waits, coalesce(w.wait_ns, 0) AS wait_ns, w.max_wait_ns ` +
      `FROM acq LEFT JOIN w ON w.model = acq.model AND w.obj = acq.obj${sameTrace(ctx, 'w', 'acq')} LEFT JOIN object_names n ON n.obj = acq.obj${sameTrace(ctx, 'n', 'acq')} LEFT JOIN models m ON m.model = acq.model ` +
      `ORDER BY ${tr(ctx, 'acq.')}wait_ns DESC, waits DESC, acq.obj, m.position`,
  },
  {
    name: 'fallback_agreement',
    doc: 'Linux models against the captured kernel, fault by fault: the faults a model predicts to take the mm lock (mmap_lock) against those the capture shows taking it. Faults whose outcome the capture cannot decide (a writer too close in time, a VMA older than the capture) are counted apart and left out of precision and recall.',
    columns: [
      ['model', 'Linux model'],
      ['faults', 'faults with the mm lock observed (the capture has mmap_lock events)'],
      ['undecidable', 'faults the model names undecidable (mm_reason writer_race or anon_vma_unknown)'],
      ['predicted', 'decidable faults the model says take the mm lock'],
      ['observed', 'decidable faults the captured kernel took it in'],
      ['agreed', 'decidable faults in both'],
      ['precision_pct', 'agreed / predicted, percent'],
      ['recall_pct', 'agreed / observed, percent'],
      ['exact', 'decidable faults where the model takes the mm lock as many times as the kernel did'],
    ],
    sql: (ctx) =>
      `WITH f AS (SELECT ${tr(ctx)}model, map_locks, observed_map_locks, coalesce(mm_reason IN ('writer_race', 'anon_vma_unknown'), false) AS undecidable FROM faults WHERE map_locks IS NOT NULL AND observed_map_locks IS NOT NULL) ` +
      `SELECT ${tr(ctx, 'f.')}f.model, count(*) AS faults, count(*) FILTER (WHERE undecidable) AS undecidable, ` +
      `count(*) FILTER (WHERE NOT undecidable AND map_locks > 0) AS predicted, count(*) FILTER (WHERE NOT undecidable AND observed_map_locks > 0) AS observed, ` +
      `count(*) FILTER (WHERE NOT undecidable AND map_locks > 0 AND observed_map_locks > 0) AS agreed, ` +
      `round(100.0 * count(*) FILTER (WHERE NOT undecidable AND map_locks > 0 AND observed_map_locks > 0) / nullif(count(*) FILTER (WHERE NOT undecidable AND map_locks > 0), 0), 2) AS precision_pct, ` +
      `round(100.0 * count(*) FILTER (WHERE NOT undecidable AND map_locks > 0 AND observed_map_locks > 0) / nullif(count(*) FILTER (WHERE NOT undecidable AND observed_map_locks > 0), 0), 2) AS recall_pct, ` +
      `count(*) FILTER (WHERE NOT undecidable AND map_locks = observed_map_locks) AS exact ` +
      `FROM f LEFT JOIN models m ON m.model = f.model GROUP BY ${tr(ctx, 'f.')}f.model, m.position ORDER BY ${tr(ctx, 'f.')}m.position`,
  },
  {
    name: 'mm_lock_reasons',
    doc: 'Linux models: the faults that take the mm lock (mmap_lock), by why they first take it (a fallback from the VMA lock, or the anon_vma trylock), with how many the captured kernel took it in.',
    columns: [
      ['model', 'Linux model'],
      ['mm_reason', 'why (docs/models.md, Linux rules)'],
      ['faults', 'faults'],
      ['map_locks', 'mm lock acquisitions the model takes in them'],
      ['observed', 'of those faults, the ones the capture shows taking the mm lock'],
    ],
    sql: (ctx) =>
      `SELECT ${tr(ctx, 'f.')}f.model, f.mm_reason, count(*) AS faults, CAST(sum(f.map_locks) AS BIGINT) AS map_locks, count(*) FILTER (WHERE f.observed_map_locks > 0) AS observed ` +
      `FROM faults f LEFT JOIN models m ON m.model = f.model WHERE f.mm_reason IS NOT NULL GROUP BY ${tr(ctx, 'f.')}f.model, f.mm_reason, m.position ORDER BY ${tr(ctx, 'f.')}m.position, faults DESC, f.mm_reason`,
  },
  {
    name: 'writer_waits',
    doc: 'Linux models: the waiting behind mmap_lock writers each model implies, estimated from the write holds the capture shows (mmap_lock write acquisition to release or downgrade, per mm and thread). A fault that takes the mm lock while another thread of its mm holds it for writing waits until that hold ends. First-order: the holds are as captured, the fault asks for the lock at its entry, and nothing else moves.',
    columns: [
      ['model', 'Linux model'],
      ['faults_waiting', 'faults that would wait behind a writer'],
      ['wait_ns', 'summed waiting time'],
      ['max_wait_ns', 'longest single wait'],
    ],
    sql: (ctx) =>
      `WITH l AS (SELECT obj, tid, ts, op, "mode", lead(ts) OVER (PARTITION BY ${tr(ctx)}obj, tid ORDER BY ts, src_line) AS next_ts${ctx.byTrace ? ', trace' : ''} FROM events WHERE kind = 'obj_lock' AND "class" = 'map' AND op IN ('acq', 'rel')), ` +
      `h AS (SELECT ${tr(ctx)}obj, tid, ts AS since, next_ts AS until FROM l WHERE op = 'acq' AND "mode" = 'X' AND next_ts IS NOT NULL), ` +
      `w AS (SELECT ${tr(ctx, 'f.')}f.model, f.op_id, max(h.until - f.ts) AS wait_ns FROM faults f JOIN h ON h.obj = f.first_obj AND h.tid <> f.tid AND f.ts >= h.since AND f.ts < h.until${sameTrace(ctx, 'h', 'f')} ` +
      `WHERE f.map_locks > 0 GROUP BY ${tr(ctx, 'f.')}f.model, f.op_id) ` +
      `SELECT ${tr(ctx, 't.')}m.model, count(w.op_id) AS faults_waiting, coalesce(sum(w.wait_ns), 0) AS wait_ns, max(w.wait_ns) AS max_wait_ns ` +
      `FROM ${ctx.byTrace ? 'traces t CROSS JOIN ' : ''}models m LEFT JOIN w ON w.model = m.model${ctx.byTrace ? ' AND w.trace = t.trace' : ''} WHERE m.model LIKE 'linux-%' GROUP BY ${tr(ctx, 't.')}m.model, m.position ORDER BY ${tr(ctx, 't.')}m.position`,
  },
  {
    name: 'summary',
    doc: 'One row per model: the figures `vmreplay replay` prints, from the tables. Token and chain counts cover every operation (faults and the other lock sites); per-map tokens are counted on their own.',
    columns: [
      ['model', 'locking model (in the order given; `baseline` marks the one saved_x compares against)'],
      ['baseline', 'this model is the baseline'],
      ['faults', 'faults replayed'],
      ['attempts', 'fault attempts'],
      ['x_tokens', 'X object token acquisitions'],
      ['s_tokens', 'S object token acquisitions'],
      ['x_chain', 'X chain lock acquisitions'],
      ['s_chain', 'S chain lock acquisitions'],
      ['map_tokens', 'per-map token acquisitions (never in the token counts)'],
      ['acquisitions', 'all acquisitions'],
      ['backdowns', 'back-downs (rows of backdowns)'],
      ['restarts', 'recorded retries replayed as restarts (sum of faults.restarts)'],
      ['hazards', 'hazards (rows of hazards)'],
      ['upgrades', 'S-to-X upgrades (acquisitions with reason `upgrade`)'],
      ['saved_x', 'baseline X tokens minus this model’s'],
      ['saved_x_pct', 'saved_x as a percentage of the baseline’s X tokens'],
      ['waits', 'token acquisitions that would have waited'],
      ['wait_ns', 'summed estimated waiting time'],
      ['mm_locks', 'Linux models only (the columns exist when the run has one): mm lock (mmap_lock) acquisitions'],
      ['vma_locks', 'Linux models only: VMA lock acquisitions'],
      ['saved_mm', 'Linux models only: its baseline’s mm lock acquisitions minus its own'],
      ['saved_mm_pct', 'Linux models only: saved_mm as a percentage of the baseline’s'],
    ],
    sql: (ctx) => summarySql(ctx),
  },
];

/** Every view, for docs/tables.md: the analysis views, then the name views they join. */
export const VIEWS: readonly ViewDoc[] = [...VIEW_DEFS, ...NAME_VIEW_DEFS];

/** A run with Linux models: their mm and VMA lock acquisitions, and the mm locks each saves against its baseline. */
function linuxSummary(ctx: ViewContext, byTrace: boolean): string {
  const cols = columnsOf(ctx);
  if (!cols.some((c) => c.family === 'linux')) return '';
  const mm = (model: string) => `(SELECT count(*) FROM acquisitions x WHERE x.model = ${model} AND x."class" = 'mm'${byTrace ? ' AND x.trace = t.trace' : ''})`;
  const base = `CASE m.model ${cols.map((c) => `WHEN ${literal(c.name)} THEN ${literal(c.baseline)}`).join(' ')} END`;
  const linux = `m.model IN (${cols
    .filter((c) => c.family === 'linux')
    .map((c) => literal(c.name))
    .join(', ')})`;
  return (
    `, CASE WHEN ${linux} THEN ${mm('m.model')} END AS mm_locks, ` +
    `CASE WHEN ${linux} THEN (SELECT count(*) FROM acquisitions x WHERE x.model = m.model AND x."class" = 'vma'${byTrace ? ' AND x.trace = t.trace' : ''}) END AS vma_locks, ` +
    `CASE WHEN ${linux} THEN ${mm(base)} - ${mm('m.model')} END AS saved_mm, ` +
    `CASE WHEN ${linux} THEN round(100.0 * (${mm(base)} - ${mm('m.model')}) / nullif(${mm(base)}, 0), 2) END AS saved_mm_pct`
  );
}

/** The summary's figures per model, or in a dataset per trace and model (every trace has a row per model, from the traces table). */
function summarySql(ctx: ViewContext): string {
  const byTrace = ctx.byTrace === true;
  const keys = byTrace ? 'trace, model' : 'model';
  const on = (t: string) => `${t}.model = m.model${byTrace ? ` AND ${t}.trace = t.trace` : ''}`;
  const base =
    ctx.baseline === null
      ? 'NULL'
      : `coalesce((SELECT x_tokens FROM a a0 WHERE a0.model = ${literal(ctx.baseline)}${byTrace ? ' AND a0.trace = t.trace' : ''}), 0)`;
  return (
    `WITH a AS (SELECT ${keys}, count(*) FILTER (WHERE ${xToken()}) AS x_tokens, count(*) FILTER (WHERE "class" = 'token' AND "mode" = 'S') AS s_tokens, ` +
    `count(*) FILTER (WHERE "class" = 'chain' AND "mode" = 'X') AS x_chain, count(*) FILTER (WHERE "class" = 'chain' AND "mode" = 'S') AS s_chain, ` +
    `count(*) FILTER (WHERE "class" = 'map') AS map_tokens, count(*) FILTER (WHERE reason = 'upgrade') AS upgrades, count(*) AS acquisitions FROM acquisitions GROUP BY ${keys}), ` +
    `f AS (SELECT ${keys}, count(*) AS faults, CAST(sum(attempts) AS BIGINT) AS attempts, CAST(sum(restarts) AS BIGINT) AS restarts FROM faults GROUP BY ${keys}), ` +
    `b AS (SELECT ${keys}, count(*) AS backdowns FROM backdowns GROUP BY ${keys}), ` +
    `h AS (SELECT ${keys}, count(*) AS hazards FROM hazards GROUP BY ${keys}), ` +
    `w AS (SELECT ${keys}, count(*) AS waits, sum(wait_ns) AS wait_ns FROM waits GROUP BY ${keys}) ` +
    `SELECT ${byTrace ? 't.trace, ' : ''}m.model, m.baseline, coalesce(f.faults, 0) AS faults, coalesce(f.attempts, 0) AS attempts, ` +
    `coalesce(a.x_tokens, 0) AS x_tokens, coalesce(a.s_tokens, 0) AS s_tokens, coalesce(a.x_chain, 0) AS x_chain, coalesce(a.s_chain, 0) AS s_chain, ` +
    `coalesce(a.map_tokens, 0) AS map_tokens, coalesce(a.acquisitions, 0) AS acquisitions, coalesce(b.backdowns, 0) AS backdowns, ` +
    `coalesce(f.restarts, 0) AS restarts, coalesce(h.hazards, 0) AS hazards, coalesce(a.upgrades, 0) AS upgrades, ` +
    `${base} - coalesce(a.x_tokens, 0) AS saved_x, round(100.0 * (${base} - coalesce(a.x_tokens, 0)) / nullif(${base}, 0), 2) AS saved_x_pct, ` +
    `coalesce(w.waits, 0) AS waits, coalesce(w.wait_ns, 0) AS wait_ns${linuxSummary(ctx, byTrace)} ` +
    `FROM ${byTrace ? 'traces t CROSS JOIN ' : ''}models m LEFT JOIN a ON ${on('a')} LEFT JOIN f ON ${on('f')} LEFT JOIN b ON ${on('b')} ` +
    `LEFT JOIN h ON ${on('h')} LEFT JOIN w ON ${on('w')} ORDER BY ${byTrace ? 't.trace, ' : ''}m.position`
  );
}

/** The analysis views' names, the canned queries of `vmreplay query` (the name views are there too, as building blocks). */
export const VIEW_NAMES: readonly string[] = VIEW_DEFS.map((v) => v.name);

/** CREATE VIEW statements for the run (or, with ctx.byTrace, the dataset) described by `ctx` (the models table, and a dataset's traces table, must exist). */
export function viewStatements(ctx: ViewContext): string[] {
  return [...NAME_VIEW_DEFS, ...VIEW_DEFS]
    .filter((v) => !ctx.byTrace || v.acrossTraces !== false)
    .map((v) => `CREATE OR REPLACE VIEW ${ident(v.name)} AS ${v.sql(ctx)}`);
}

/** The views of a dataset's database: every view but those whose time buckets are one trace's clock. */
export const DATASET_VIEW_NAMES: readonly string[] = VIEW_DEFS.filter((v) => v.acrossTraces !== false).map((v) => v.name);

/**
 * About `target` buckets over [t0, t1], the width rounded up to 1, 2 or 5
 * times a power of ten nanoseconds so bucket edges read well; 1 ms when the
 * span is empty.
 */
export function chooseBuckets(t0: number, t1: number, target = 100): { bucketNs: number; buckets: number } {
  const span = t1 - t0;
  if (!(span > 0)) return { bucketNs: 1_000_000, buckets: 1 };
  const raw = span / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const bucketNs = Math.max(1, [1, 2, 5, 10].map((m) => m * power).find((w) => w >= raw)!);
  return { bucketNs, buckets: Math.floor(span / bucketNs) + 1 };
}

/** The column of what a model saves against its family's baseline (models/index.ts: declared by the model): `new` -> saved_x, `new-fixed` -> saved_x_fixed. */
export function savedColumn(model: string): string | null {
  return runColumns([model]).length ? modelColumns(model).savedColumn : null;
}
