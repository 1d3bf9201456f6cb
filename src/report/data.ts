// What a report says, read from a finished run directory: the manifest and a
// set of DuckDB queries over its tables and views. The result is a plain value
// (numbers and strings only, no engine internals), so the renderers, `compare`
// and `check` work on any run directory, today's or one copied from elsewhere.
//
// Every list has a defined order (ties broken by name), so the same run always
// gives the same report.

import type { DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../common/errors.js';
import { RunDatabase } from '../store/run-database.js';
import { type Manifest, readManifest } from '../store/manifest.js';
import { literal } from '../store/sql.js';
import { plainValue } from '../store/values.js';
import { modelColumns } from '../models/index.js';
import { ContentionSimulator } from '../replay/contention.js';
import type { ModelTotals } from '../replay/run.js';

/** A model's headline figures, as the run's summary view has them: the tally's counts by the same names, and the saving against the baseline. */
export interface ModelSummary
  extends Pick<
    ModelTotals,
    'model' | 'faults' | 'attempts' | 'xTokens' | 'sTokens' | 'xChain' | 'sChain' | 'mapTokens' | 'restarts' | 'upgrades' | 'hazards' | 'waits' | 'waitNs'
  > {
  readonly baseline: boolean;
  /** back-downs, all rules */
  readonly backdowns: number;
  /** baseline X tokens minus this model's (0 for the baseline) */
  readonly savedX: number;
  /** savedX as a percentage of the baseline's X tokens; null when the baseline took none */
  readonly savedXPct: number | null;
  /** X token acquisitions of the operations on which this model hit a hazard (null when none) */
  readonly inHazardOps: HazardOpsX | null;
}

/** X token acquisitions per model for one key (a site, object type, object name, process name). */
export interface KeyedCounts {
  readonly key: string;
  /** how many distinct objects or processes share this name (1 for sites and types) */
  readonly members: number;
  /** the object type the key's acquisitions were on (the largest, when several); null when none had one */
  readonly otype: string | null;
  readonly x: Readonly<Record<string, number>>;
  /**
   * Per model that hit a hazard on an operation counted under this key: the X
   * the baseline and the model took in those operations, so that the saving
   * can be shown without them.
   */
  readonly inHazardOps: Readonly<Record<string, HazardOpsX>>;
}

/** X token acquisitions of the operations on which a model hit a hazard: the baseline's and the model's own. */
export interface HazardOpsX {
  readonly operations: number;
  readonly baseline: number;
  readonly model: number;
}

export interface BackdownRow {
  readonly rule: string;
  readonly model: string;
  readonly backdowns: number;
  readonly operations: number;
}

export interface ExtraFault {
  readonly opId: number;
  readonly comm: string | null;
  readonly pid: number | null;
  /** the faulting address, as hex */
  readonly va: string | null;
  /** `file:line` of the fault's fault_begin event */
  readonly traceLine: string | null;
  readonly baselineAcquisitions: number;
  readonly acquisitions: number;
  readonly backdowns: number;
  readonly upgrades: number;
  readonly attempts: number;
}

/** A Linux model's figures: the summary's mm and VMA locks and saving, and its agreement with the captured kernel (null without mmap_lock events). */
export interface LinuxRow {
  readonly model: string;
  readonly faults: number;
  readonly mmLocks: number;
  readonly vmaLocks: number;
  readonly savedMm: number;
  readonly savedMmPct: number | null;
  readonly undecidable: number | null;
  readonly predicted: number | null;
  readonly observed: number | null;
  readonly both: number | null;
  readonly precisionPct: number | null;
  readonly recallPct: number | null;
}

/** Faults where a model takes more token and chain acquisitions than the baseline. */
export interface ExtraAcquisitions {
  readonly model: string;
  readonly faults: number;
  readonly extra: number;
  readonly top: readonly ExtraFault[];
}

export interface HazardRow {
  readonly model: string;
  readonly opId: number;
  readonly attempt: number | null;
  readonly ts: number;
  readonly tid: number | null;
  readonly pid: number | null;
  readonly comm: string | null;
  readonly va: string | null;
  readonly obj: string | null;
  readonly otype: string | null;
  readonly objName: string | null;
  readonly site: string | null;
  readonly kind: string;
  readonly detail: string | null;
  /** `file:line` of the event the hazard's operation began with, when found */
  readonly traceLine: string | null;
  /** `file:line` of the event that triggers the hazard: the operation's last event naming the object (e.g. a fault_obj with swapped=1) */
  readonly triggerLine: string | null;
  /** the conflicting hold: the mode, site and reason of the operation's last acquisition of that token before the hazard */
  readonly held: { readonly mode: string; readonly site: string; readonly reason: string | null } | null;
}

export interface ContentionRow {
  /** the object's name, else its type and address */
  readonly object: string;
  readonly model: string;
  readonly tokenAcquisitions: number;
  readonly waits: number;
  readonly waitNs: number;
}

/** Per-lock figures the way lockstat gives them: per key (an object or a site) and model. */
export interface LockstatRow {
  readonly key: string;
  readonly model: string;
  readonly acquisitions: number;
  readonly holdNs: number;
  readonly maxHoldNs: number;
  readonly waits: number;
  readonly waitNs: number;
  readonly maxWaitNs: number;
}

/** The contention estimate again with every hold scaled: how much the waits depend on --hold-scale. */
export interface SensitivityRow {
  /** relative to the run's own --hold-scale */
  readonly factor: number;
  readonly model: string;
  readonly waits: number;
  readonly waitNs: number;
}

export interface AgreementRow {
  readonly model: string;
  readonly site: string;
  readonly matched: number;
  readonly modelOnly: number;
  readonly traceOnly: number;
}

export interface CpuWindow {
  readonly cpu: number;
  readonly events: number;
  readonly firstTs: number | null;
  readonly lastTs: number | null;
}

export interface FileCoverage {
  readonly path: string;
  readonly format: string;
  readonly lines: number;
  readonly events: number;
  readonly context: number;
  readonly unknown: number;
  readonly rejected: number;
  readonly derived: number;
  readonly dropped: number;
  readonly late: number;
  readonly truncatedBegin: number;
  readonly truncatedEnd: number;
  readonly cpus: readonly CpuWindow[];
  /** what the reader noted about the file (how fields were obtained) and warned of (what may make figures less exact), in order */
  readonly notes: readonly ReaderNote[];
}

export interface ReaderNote {
  readonly kind: 'note' | 'warning';
  readonly text: string;
}

export interface Coverage {
  readonly files: readonly FileCoverage[];
  /** events with at least one inferred key, per event kind */
  readonly inferredEvents: readonly { readonly kind: string; readonly events: number }[];
  /** faults (of the baseline) with at least one fact filled in by default */
  readonly inferredFaults: number;
  /** chain links below the recorded levels that no event described, per model */
  readonly unknownLinks: Readonly<Record<string, number>>;
}

export interface OverTime {
  readonly bucketNs: number;
  /** per bucket: its start relative to the first timestamp, and X tokens per model */
  readonly buckets: readonly { readonly startNs: number; readonly x: Readonly<Record<string, number>> }[];
}

export interface RunInfo {
  readonly dir: string;
  readonly version: string;
  /** the git commit the replay ran from (null for an installed package, or a run written before it was recorded) */
  readonly commit: string | null;
  readonly created: string;
  readonly inputs: readonly { readonly path: string; readonly bytes: number | null; readonly sha256: string | null }[];
  readonly knobs: Readonly<Record<string, string | number | boolean>>;
  readonly synthetic: string | null;
}

export interface ReportData {
  readonly run: RunInfo;
  /** per model: acquisitions of operations that rest on inferred events, of all its acquisitions (empty for runs written before the column) */
  readonly inferredAcquisitions: readonly { readonly model: string; readonly inferred: number; readonly acquisitions: number }[];
  /** the Linux models' figures (empty when the run has none) */
  readonly linux: readonly LinuxRow[];
  /** Linux models: faults taking the mm lock, by why (the mm_lock_reasons view) */
  readonly linuxReasons: readonly { readonly model: string; readonly reason: string; readonly faults: number; readonly observed: number }[];
  /** Linux models: the waiting behind mmap_lock writers each implies (the writer_waits view) */
  readonly writerWaits: readonly { readonly model: string; readonly faults: number; readonly waitNs: number; readonly maxWaitNs: number }[];
  /** models in report order; the baseline first */
  readonly models: readonly string[];
  readonly baseline: string;
  readonly summary: readonly ModelSummary[];
  readonly bySite: readonly KeyedCounts[];
  readonly byObjectType: readonly KeyedCounts[];
  readonly byObjectName: readonly KeyedCounts[];
  readonly byProcessName: readonly KeyedCounts[];
  readonly overTime: OverTime;
  readonly backdowns: readonly BackdownRow[];
  readonly extraAcquisitions: readonly ExtraAcquisitions[];
  readonly hazards: readonly HazardRow[];
  readonly hazardsTotal: number;
  readonly contention: readonly ContentionRow[];
  readonly lockstat: { readonly byObject: readonly LockstatRow[]; readonly bySite: readonly LockstatRow[] };
  readonly sensitivity: readonly SensitivityRow[];
  readonly agreement: readonly AgreementRow[];
  readonly coverage: Coverage;
}

/** How many rows of the long lists a report keeps (the rest are counted). */
export const LIMITS = { hazards: 50, extraFaults: 10, contentionObjects: 10, lockstatRows: 10, sensitivityAcquisitions: 2_000_000 } as const;

type Row = Record<string, unknown>;

/** Read everything a report shows from the run in `dir`. */
export async function loadReportData(dir: string): Promise<ReportData> {
  const manifest = await readManifest(dir);
  if (!manifest) throw new InputError(dir, 0, 'not a vmreplay run directory (no manifest.json from vmreplay)');
  if (manifest.status !== 'complete') throw new InputError(dir, 0, 'the replay that wrote this directory did not finish (manifest status is not complete)');
  const db = await RunDatabase.open(dir);
  try {
    return await query(db.connection, dir, manifest);
  } finally {
    db.close();
  }
}

async function query(con: DuckDBConnection, dir: string, manifest: Manifest): Promise<ReportData> {
  const all = async (sql: string): Promise<Row[]> => (await con.runAndReadAll(sql)).convertRowObjects(plainValue);
  const models = (await all('SELECT model FROM models ORDER BY position')).map((r) => String(r.model));
  const baseline = String((await all('SELECT model FROM models WHERE baseline'))[0]?.model ?? models[0] ?? 'old');

  const hazardOps = await xInHazardOps(all, baseline, `'all'`, '');
  const summary: ModelSummary[] = (await all('SELECT * FROM summary')).map((r) => ({
    model: str(r.model),
    baseline: r.baseline === true,
    faults: num(r.faults),
    attempts: num(r.attempts),
    xTokens: num(r.x_tokens),
    sTokens: num(r.s_tokens),
    xChain: num(r.x_chain),
    sChain: num(r.s_chain),
    mapTokens: num(r.map_tokens),
    backdowns: num(r.backdowns),
    restarts: num(r.restarts),
    upgrades: num(r.upgrades),
    hazards: num(r.hazards),
    savedX: num(r.saved_x),
    savedXPct: r.saved_x_pct === null ? null : num(r.saved_x_pct),
    inHazardOps: hazardOps.get('all')?.[str(r.model)] ?? null,
    waits: num(r.waits),
    waitNs: num(r.wait_ns),
  }));

  const keyed = (keyExpr: string, memberExpr: string, joins = '') => xTokensBy(all, models, baseline, keyExpr, memberExpr, joins);
  const objectNames = `LEFT JOIN object_names n ON n.obj = a.obj`;
  // A thread's acquisitions before its process became known (a site event logs only the thread) go to the process the thread is seen in later.
  const threadPids = `LEFT JOIN (SELECT tid, arg_min(pid, (ts, pid)) AS pid FROM events WHERE tid IS NOT NULL AND pid IS NOT NULL GROUP BY tid) tp ON tp.tid = a.tid`;
  const processNames = `${threadPids} LEFT JOIN process_names p ON p.pid = coalesce(a.pid, tp.pid)`;

  const bySite = await keyed(SITE_KEY, SITE_MEMBER);
  const byObjectType = await keyed(`coalesce(a.otype, '(no type)')`, `coalesce(a.otype, '')`);
  const byObjectName = await keyed(`coalesce(n.name, '(unnamed ' || coalesce(a.otype, '?') || ' objects)')`, 'a.obj', objectNames);
  const byProcessName = await keyed(`coalesce(p.comm, '(no command name)')`, 'coalesce(a.pid, tp.pid)', processNames);

  const overTime = await readOverTime(all, models);

  const backdowns: BackdownRow[] = (
    await all(`SELECT b.rule, b.model, b.backdowns, b.operations FROM backdowns_by_reason b JOIN models m ON m.model = b.model ORDER BY m.position, b.rule`)
  ).map((r) => ({ rule: str(r.rule), model: str(r.model), backdowns: num(r.backdowns), operations: num(r.operations) }));

  const extraAcquisitions = await readExtraAcquisitions(all, models, baseline);
  const { hazards, hazardsTotal } = await readHazards(all);

  const contention: ContentionRow[] = (
    await all(
      `WITH c AS (SELECT obj, coalesce(name, coalesce(otype, '?') || ' ' || obj_hex) AS object, model, token_acquisitions, waits, wait_ns FROM contention_by_object), ` +
        `top AS (SELECT obj, max(wait_ns) AS worst FROM c GROUP BY obj HAVING sum(waits) > 0 ORDER BY worst DESC, obj LIMIT ${LIMITS.contentionObjects}) ` +
        `SELECT c.object, c.model, c.token_acquisitions, c.waits, c.wait_ns FROM c JOIN top USING (obj) JOIN models m ON m.model = c.model ` +
        `ORDER BY top.worst DESC, c.obj, m.position`,
    )
  ).map((r) => ({ object: str(r.object), model: str(r.model), tokenAcquisitions: num(r.token_acquisitions), waits: num(r.waits), waitNs: num(r.wait_ns) }));

  const lockstat = {
    byObject: await readLockstat(
      all,
      `coalesce(n.name, coalesce(a.otype, '?') || ' ' || hex64(a.obj))`,
      `coalesce(n.name, coalesce(w.otype, '?') || ' ' || hex64(w.obj))`,
    ),
    bySite: await readLockstat(all, `coalesce(a.site, '(no site)')`, `coalesce(w.site, '(no site)')`),
  };
  const sensitivity = await holdScaleSensitivity(all, models);

  const agreement: AgreementRow[] = (
    await all(`SELECT a.* FROM agreement a JOIN models m ON m.model = a.model ORDER BY m.position, a.matched + a.model_only + a.trace_only DESC, a.site`)
  ).map((r) => ({
    model: str(r.model),
    site: str(r.site ?? '(no site)'),
    matched: num(r.matched),
    modelOnly: num(r.model_only),
    traceOnly: num(r.trace_only),
  }));

  const coverage = await readCoverage(all, baseline);
  const hasView = async (name: string) => (await all(`SELECT 1 FROM duckdb_views() WHERE view_name = ${literal(name)}`)).length > 0;
  const linux: LinuxRow[] =
    (await all(`SELECT 1 FROM duckdb_columns() WHERE table_name = 'summary' AND column_name = 'mm_locks'`)).length > 0 && (await hasView('fallback_agreement'))
      ? (
          await all(
            'SELECT s.model, s.faults, s.mm_locks, s.vma_locks, s.saved_mm, s.saved_mm_pct, a.undecidable, a.predicted, a.observed, a.agreed, a.precision_pct, a.recall_pct FROM summary s LEFT JOIN fallback_agreement a USING (model) WHERE s.mm_locks IS NOT NULL',
          )
        ).map((r) => ({
          model: str(r.model),
          faults: num(r.faults),
          mmLocks: num(r.mm_locks),
          vmaLocks: num(r.vma_locks),
          savedMm: num(r.saved_mm),
          savedMmPct: r.saved_mm_pct === null ? null : num(r.saved_mm_pct),
          undecidable: r.undecidable === null ? null : num(r.undecidable),
          predicted: r.predicted === null ? null : num(r.predicted),
          observed: r.observed === null ? null : num(r.observed),
          both: r.agreed === null ? null : num(r.agreed),
          precisionPct: r.precision_pct === null ? null : num(r.precision_pct),
          recallPct: r.recall_pct === null ? null : num(r.recall_pct),
        }))
      : [];
  const linuxReasons = linux.length
    ? (await all('SELECT model, mm_reason, faults, observed FROM mm_lock_reasons')).map((r) => ({
        model: str(r.model),
        reason: str(r.mm_reason),
        faults: num(r.faults),
        observed: num(r.observed),
      }))
    : [];
  const writerWaits = linux.length
    ? (await all('SELECT model, faults_waiting, wait_ns, max_wait_ns FROM writer_waits')).map((r) => ({
        model: str(r.model),
        faults: num(r.faults_waiting),
        waitNs: num(r.wait_ns),
        maxWaitNs: r.max_wait_ns === null ? 0 : num(r.max_wait_ns),
      }))
    : [];
  const hasInferred = (await all(`SELECT 1 FROM duckdb_columns() WHERE table_name = 'acquisitions' AND column_name = 'inferred'`)).length > 0;
  const inferredAcquisitions = hasInferred
    ? (await all('SELECT model, count(*) FILTER (WHERE inferred) AS inferred, count(*) AS acquisitions FROM acquisitions GROUP BY model ORDER BY model')).map(
        (r) => ({ model: str(r.model), inferred: num(r.inferred), acquisitions: num(r.acquisitions) }),
      )
    : [];
  return {
    inferredAcquisitions,
    linux,
    linuxReasons,
    writerWaits,
    run: {
      dir,
      version: manifest.version,
      commit: manifest.commit ?? null,
      created: manifest.created,
      inputs: manifest.inputs ?? [],
      knobs: manifest.knobs ?? {},
      synthetic: manifest.synthetic ?? null,
    },
    models,
    baseline,
    summary,
    bySite,
    byObjectType,
    byObjectName,
    byProcessName,
    overTime,
    backdowns,
    extraAcquisitions,
    hazards,
    hazardsTotal,
    contention,
    lockstat,
    sensitivity,
    agreement,
    coverage,
  };
}

type All = (sql: string) => Promise<Row[]>;

const SITE_KEY = `coalesce(a.site, '(no site)')`;
const SITE_MEMBER = `coalesce(a.site, '')`;

/** X token acquisitions per key and model, largest saving (then largest baseline count, then key) first. */
async function xTokensBy(all: All, models: readonly string[], baseline: string, keyExpr: string, memberExpr: string, joins: string): Promise<KeyedCounts[]> {
  const compared = models.find((m) => m !== baseline);
  const rows = await all(
    `SELECT ${keyExpr} AS key, a.model, count(*) AS x, count(DISTINCT ${memberExpr}) AS members, max(a.otype) AS otype FROM acquisitions a ${joins} ` +
      `WHERE a."class" = 'token' AND a."mode" = 'X' GROUP BY ALL`,
  );
  const inHazard = await xInHazardOps(all, baseline, keyExpr, joins);
  const byKey = new Map<string, { members: number; otype: string | null; x: Record<string, number> }>();
  for (const r of rows) {
    const key = str(r.key);
    const entry = byKey.get(key) ?? { members: 0, otype: null, x: Object.fromEntries(models.map((m) => [m, 0])) };
    if (r.otype !== null && r.otype !== undefined && (entry.otype === null || str(r.otype) > entry.otype)) entry.otype = str(r.otype);
    entry.x[str(r.model)] = num(r.x);
    entry.members = Math.max(entry.members, num(r.members));
    byKey.set(key, entry);
  }
  const saved = (x: Record<string, number>) => (compared === undefined ? 0 : (x[baseline] ?? 0) - (x[compared] ?? 0));
  return [...byKey.entries()]
    .map(([key, e]) => ({ key, members: e.members, otype: e.otype, x: e.x, inHazardOps: inHazard.get(key) ?? {} }))
    .sort((a, b) => saved(b.x) - saved(a.x) || (b.x[baseline] ?? 0) - (a.x[baseline] ?? 0) || compareText(a.key, b.key));
}

/**
 * Per key, per model with hazards: the X token acquisitions of the operations
 * on which that model hit a hazard, the baseline's and the model's. An
 * operation's number is the same under every model, so the baseline's
 * acquisitions of the same operation are found by op_id.
 */
async function xInHazardOps(all: All, baseline: string, keyExpr: string, joins: string): Promise<Map<string, Record<string, HazardOpsX>>> {
  const rows = await all(
    `WITH hz AS (SELECT DISTINCT model, op_id FROM hazards) ` +
      `SELECT ${keyExpr} AS key, hz.model AS hazard_model, count(DISTINCT a.op_id) AS operations, ` +
      `count(*) FILTER (WHERE a.model = ${literal(baseline)}) AS base_x, count(*) FILTER (WHERE a.model = hz.model) AS own_x ` +
      `FROM acquisitions a JOIN hz ON hz.op_id = a.op_id AND (a.model = hz.model OR a.model = ${literal(baseline)}) ${joins} ` +
      `WHERE a."class" = 'token' AND a."mode" = 'X' AND hz.model <> ${literal(baseline)} GROUP BY ALL`,
  );
  const out = new Map<string, Record<string, HazardOpsX>>();
  for (const r of rows) {
    const entry = out.get(str(r.key)) ?? {};
    entry[str(r.hazard_model)] = { operations: num(r.operations), baseline: num(r.base_x), model: num(r.own_x) };
    out.set(str(r.key), entry);
  }
  return out;
}

/**
 * lockstat's figures per key and model: token acquisitions with their total,
 * average and longest estimated hold, and the acquisitions that would have
 * waited with their total and longest wait. The keys with the most waiting
 * (then the most holding) under any model first.
 */
async function readLockstat(all: All, acqKey: string, waitKey: string): Promise<LockstatRow[]> {
  const names = `LEFT JOIN (SELECT obj, max(name) AS name FROM objects WHERE name IS NOT NULL GROUP BY obj) n ON n.obj = `;
  const rows = await all(
    `WITH acq AS (SELECT ${acqKey} AS key, a.model, count(*) AS n, sum(a.hold_ns) AS hold, max(a.hold_ns) AS max_hold FROM acquisitions a ${names}a.obj ` +
      `WHERE a."class" = 'token' AND a.obj IS NOT NULL GROUP BY ALL), ` +
      `w AS (SELECT ${waitKey} AS key, w.model, count(*) AS waits, sum(w.wait_ns) AS wait, max(w.wait_ns) AS max_wait FROM waits w ${names}w.obj GROUP BY ALL), ` +
      `j AS (SELECT acq.*, coalesce(w.waits, 0) AS waits, coalesce(w.wait, 0) AS wait, coalesce(w.max_wait, 0) AS max_wait FROM acq LEFT JOIN w USING (key, model)), ` +
      `top AS (SELECT key, max(wait) AS worst, max(hold) AS held FROM j GROUP BY key ORDER BY worst DESC, held DESC, key LIMIT ${LIMITS.lockstatRows}) ` +
      `SELECT j.* FROM j JOIN top USING (key) JOIN models m ON m.model = j.model ORDER BY top.worst DESC, top.held DESC, j.key, m.position`,
  );
  return rows.map((r) => ({
    key: str(r.key),
    model: str(r.model),
    acquisitions: num(r.n),
    holdNs: num(r.hold),
    maxHoldNs: num(r.max_hold),
    waits: num(r.waits),
    waitNs: num(r.wait),
    maxWaitNs: num(r.max_wait),
  }));
}

/** Hold scales the sensitivity line gives, relative to the run's own. */
export const SENSITIVITY_FACTORS = [0.5, 1, 2] as const;

/**
 * The contention estimate with every operation's holds stretched by each
 * factor about the operation's start (its first acquisition, the map token's
 * for a fault), run through the replay's own simulator. First-order, like the
 * replay; a hold split by an I/O sleep is taken as one, so 1x can differ
 * slightly from the replay's figure.
 */
async function holdScaleSensitivity(all: All, models: readonly string[]): Promise<SensitivityRow[]> {
  const out: SensitivityRow[] = [];
  const tokens = num((await all(`SELECT count(*) AS n FROM acquisitions WHERE "class" = 'token'`))[0]!.n);
  if (tokens > LIMITS.sensitivityAcquisitions) return out; // each pass holds them all in memory: the report says it was left out
  for (const factor of SENSITIVITY_FACTORS) {
    const rows = await all(
      `WITH t0 AS (SELECT model, op_id, min(ts) AS t0 FROM acquisitions GROUP BY ALL) ` +
        `SELECT a.model, hex64(a.obj) AS obj, a."mode" = 'X' AS x, a.tid, t0.t0 + (a.ts - t0.t0) * ${factor} AS start, t0.t0 + (a.ts + a.hold_ns - t0.t0) * ${factor} AS stop ` +
        `FROM acquisitions a JOIN t0 USING (model, op_id) WHERE a."class" = 'token' AND a.obj IS NOT NULL ORDER BY start`,
    );
    const tally = models.map(() => ({ waits: 0, waitNs: 0 }));
    const sim = new ContentionSimulator(models.length, (w) => {
      tally[w.segment.model]!.waits++;
      tally[w.segment.model]!.waitNs += w.waitNs;
    });
    const objects = new Map<string, number>();
    for (const r of rows) {
      const m = models.indexOf(str(r.model));
      const objKey = str(r.obj); // as hex: an address as a JS number would lose its low bits
      let obj = objects.get(objKey);
      if (obj === undefined) objects.set(objKey, (obj = objects.size));
      sim.add(m, num(r.start), num(r.stop), obj, 0, r.x === true ? 1 : 0, num(r.tid), 0, 0, 0, 0);
    }
    sim.finish();
    models.forEach((model, m) => out.push({ factor, model, waits: tally[m]!.waits, waitNs: tally[m]!.waitNs }));
  }
  return out;
}

async function readOverTime(all: All, models: readonly string[]): Promise<OverTime> {
  const rows = await all('SELECT * FROM saved_over_time ORDER BY bucket');
  const t0 = rows.length ? num(rows[0]!.start_ns) : 0;
  return {
    bucketNs: rows.length ? num(rows[0]!.bucket_ns) : 0,
    buckets: rows.map((r) => ({ startNs: num(r.start_ns) - t0, x: Object.fromEntries(models.map((m) => [m, num(r[modelColumns(m).countColumn] ?? 0)])) })),
  };
}

async function readExtraAcquisitions(all: All, models: readonly string[], baseline: string): Promise<ExtraAcquisitions[]> {
  const rows = await all(
    `WITH pf AS (SELECT op_id, model, comm, pid, tid, ts, va, x_tokens + s_tokens + x_chain + s_chain AS acq, backdowns, upgrades, attempts FROM faults), ` +
      `more AS (SELECT n.model, o.op_id, o.comm, o.pid, o.tid, o.ts, o.va, o.acq AS base_acq, n.acq, n.backdowns, n.upgrades, n.attempts, ` +
      `row_number() OVER (PARTITION BY n.model ORDER BY n.acq - o.acq DESC, o.op_id) AS rank, count(*) OVER (PARTITION BY n.model) AS faults, ` +
      `sum(n.acq - o.acq) OVER (PARTITION BY n.model) AS extra ` +
      `FROM pf o JOIN pf n ON n.op_id = o.op_id AND n.model <> o.model WHERE o.model = ${literal(baseline)} AND n.acq > o.acq), ` +
      `shown AS (SELECT * FROM more WHERE rank <= ${LIMITS.extraFaults}), ` +
      `files AS (SELECT DISTINCT file_index, path FROM ingest_stats), ` +
      // Each fault's line is its fault_begin event's.
      `lines AS (SELECT e.tid, e.ts, min(e.src_file) AS file, min(e.src_line) AS line FROM events e ` +
      `JOIN (SELECT DISTINCT tid, ts FROM shown) w ON e.tid = w.tid AND e.ts = w.ts WHERE e.kind = 'fault_begin' GROUP BY e.tid, e.ts) ` +
      `SELECT s.*, hex64(s.va) AS va_hex, f.path || ':' || l.line AS trace_line FROM shown s LEFT JOIN lines l ON l.tid = s.tid AND l.ts = s.ts ` +
      `LEFT JOIN files f ON f.file_index = l.file ORDER BY s.model, s.rank`,
  );
  return models
    .filter((m) => m !== baseline)
    .map((model) => {
      const mine = rows.filter((r) => r.model === model);
      return {
        model,
        faults: mine.length ? num(mine[0]!.faults) : 0,
        extra: mine.length ? num(mine[0]!.extra) : 0,
        top: mine.map((r) => ({
          opId: num(r.op_id),
          comm: r.comm === null ? null : str(r.comm),
          pid: r.pid === null ? null : num(r.pid),
          va: r.va_hex === null || r.va_hex === undefined ? null : str(r.va_hex),
          traceLine: r.trace_line === null || r.trace_line === undefined ? null : str(r.trace_line),
          baselineAcquisitions: num(r.base_acq),
          acquisitions: num(r.acq),
          backdowns: num(r.backdowns),
          upgrades: num(r.upgrades),
          attempts: num(r.attempts),
        })),
      };
    });
}

/**
 * Hazards with what a reviewer needs to find them in the trace: the fault's
 * first line (its fault_begin), or for a lock site the event at the hazard's
 * time on that thread.
 */
async function readHazards(all: All): Promise<{ hazards: HazardRow[]; hazardsTotal: number }> {
  const total = num((await all('SELECT count(*) AS n FROM hazards'))[0]!.n);
  // The hazards shown first, then only the events at their (thread, time): no pass over all events grouped.
  const rows = await all(
    `WITH shown AS (SELECT h.*, m.position, f.comm, f.va, f.op_id IS NOT NULL AS in_fault, coalesce(f.tid, h.tid) AS line_tid, coalesce(f.ts, h.ts) AS line_ts ` +
      `FROM hazards h JOIN models m ON m.model = h.model LEFT JOIN faults f ON f.model = h.model AND f.op_id = h.op_id ` +
      `ORDER BY m.position, h.ts, h.op_id, h.attempt LIMIT ${LIMITS.hazards}), ` +
      `files AS (SELECT DISTINCT file_index, path FROM ingest_stats), ` +
      `lines AS (SELECT e.tid, e.ts, min(e.src_file) FILTER (WHERE e.kind = 'fault_begin') AS begin_file, min(e.src_line) FILTER (WHERE e.kind = 'fault_begin') AS begin_line, ` +
      `min(e.src_file) AS any_file, min(e.src_line) AS any_line ` +
      `FROM events e JOIN (SELECT DISTINCT line_tid, line_ts FROM shown) w ON e.tid = w.line_tid AND e.ts = w.line_ts ` +
      `WHERE e.kind NOT IN ('context', 'unknown') GROUP BY e.tid, e.ts), ` +
      // The event that triggers the hazard: the operation's last event on that thread, up to the hazard, that names the hazard's object (a fault_obj with swapped=1, ...).
      `trig AS (SELECT s.model, s.op_id, s.attempt, s.ts, arg_max(e.src_file, (e.ts, e.src_line)) AS file, arg_max(e.src_line, (e.ts, e.src_line)) AS line ` +
      `FROM shown s JOIN events e ON e.tid = s.line_tid AND e.ts BETWEEN s.line_ts AND s.ts AND e.obj = s.obj ` +
      `WHERE e.kind NOT IN ('context', 'unknown', 'fault_end') GROUP BY ALL), ` +
      // Where the conflicting hold was taken: the same operation's last acquisition of that token before the hazard, in this attempt.
      `held AS (SELECT s.model, s.op_id, s.attempt, s.ts, arg_max(a."mode", (a.ts, a.seq)) AS mode, arg_max(a.site, (a.ts, a.seq)) AS site, arg_max(a.reason, (a.ts, a.seq)) AS reason ` +
      `FROM shown s JOIN acquisitions a ON a.model = s.model AND a.op_id = s.op_id AND a.attempt IS NOT DISTINCT FROM s.attempt AND a.obj = s.obj AND a."class" = 'token' AND a.ts <= s.ts GROUP BY ALL) ` +
      `SELECT s.model, s.op_id, s.attempt, s.ts, s.tid, s.pid, s.comm, hex64(s.va) AS va, hex64(s.obj) AS obj, s.otype, n.name, s.site, s.kind, s.detail, ` +
      // A fault's line is its fault_begin; another operation's, the event at the hazard's time on its thread.
      `CASE WHEN s.in_fault THEN fl.path || ':' || l.begin_line ELSE al.path || ':' || l.any_line END AS trace_line, ` +
      `tf.path || ':' || t.line AS trigger_line, hd.mode AS held_mode, hd.site AS held_site, hd.reason AS held_reason ` +
      `FROM shown s LEFT JOIN lines l ON l.tid = s.line_tid AND l.ts = s.line_ts ` +
      `LEFT JOIN files fl ON fl.file_index = l.begin_file LEFT JOIN files al ON al.file_index = l.any_file ` +
      `LEFT JOIN trig t ON t.model = s.model AND t.op_id = s.op_id AND t.attempt IS NOT DISTINCT FROM s.attempt AND t.ts = s.ts LEFT JOIN files tf ON tf.file_index = t.file ` +
      `LEFT JOIN held hd ON hd.model = s.model AND hd.op_id = s.op_id AND hd.attempt IS NOT DISTINCT FROM s.attempt AND hd.ts = s.ts ` +
      `LEFT JOIN object_names n ON n.obj = s.obj ` +
      `ORDER BY s.position, s.ts, s.op_id, s.attempt`,
  );
  const opt = (v: unknown) => (v === null || v === undefined ? null : str(v));
  const optNum = (v: unknown) => (v === null || v === undefined ? null : num(v));
  return {
    hazardsTotal: total,
    hazards: rows.map((r) => ({
      model: str(r.model),
      opId: num(r.op_id),
      attempt: optNum(r.attempt),
      ts: num(r.ts),
      tid: optNum(r.tid),
      pid: optNum(r.pid),
      comm: opt(r.comm),
      va: opt(r.va),
      obj: opt(r.obj),
      otype: opt(r.otype),
      objName: opt(r.name),
      site: opt(r.site),
      kind: str(r.kind),
      detail: opt(r.detail),
      traceLine: opt(r.trace_line),
      triggerLine: opt(r.trigger_line),
      held: r.held_mode === null || r.held_mode === undefined ? null : { mode: str(r.held_mode), site: str(r.held_site), reason: opt(r.held_reason) },
    })),
  };
}

async function readCoverage(all: All, baseline: string): Promise<Coverage> {
  const stats = await all('SELECT * FROM ingest_stats ORDER BY file_index, cpu');
  // Runs written before ingest_notes existed have no notes to show.
  const hasNotes = (await all(`SELECT 1 FROM information_schema.tables WHERE table_name = 'ingest_notes'`)).length > 0;
  const noteRows = hasNotes ? await all('SELECT file_index, kind, text FROM ingest_notes') : [];
  const files: FileCoverage[] = [];
  for (const r of stats.filter((s) => num(s.cpu) < 0)) {
    const cpus = stats
      .filter((s) => num(s.cpu) >= 0 && s.file_index === r.file_index)
      .map((s) => ({
        cpu: num(s.cpu),
        events: num(s.events),
        firstTs: s.first_ts === null ? null : num(s.first_ts),
        lastTs: s.last_ts === null ? null : num(s.last_ts),
      }));
    files.push({
      path: str(r.path),
      format: str(r.format),
      lines: num(r.lines),
      events: num(r.events),
      context: num(r.context),
      unknown: num(r.unknown),
      rejected: num(r.rejected),
      derived: num(r.derived),
      dropped: num(r.dropped),
      late: num(r.late),
      truncatedBegin: num(r.truncated_begin),
      truncatedEnd: num(r.truncated_end),
      cpus,
      notes: noteRows.filter((n) => n.file_index === r.file_index).map((n) => ({ kind: str(n.kind) === 'warning' ? 'warning' : 'note', text: str(n.text) })),
    });
  }
  const inferredEvents = (await all(`SELECT kind, count(*) AS events FROM events WHERE inferred <> 0 GROUP BY kind ORDER BY kind`)).map((r) => ({
    kind: str(r.kind),
    events: num(r.events),
  }));
  const inferredFaults = num((await all(`SELECT count(*) AS n FROM faults WHERE inferred <> 0 AND model = ${literal(baseline)}`))[0]!.n);
  const links = await all(`SELECT model, CAST(coalesce(sum(unknown_links), 0) AS BIGINT) AS n FROM faults GROUP BY model`);
  return { files, inferredEvents, inferredFaults, unknownLinks: Object.fromEntries(links.map((r) => [str(r.model), num(r.n)])) };
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const str = (v: unknown): string => String(v);

/** Plain code-point order: the same everywhere, unlike localeCompare. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
