// Hand-built faults and site operations for the model tests, and a compact
// view of what a model did ("X token F vm_fault first").

import { StringTable } from '../../src/columns/strings.js';
import { FaultFlag, LockClass, LockMode, ObjType, OT, PG } from '../../src/events/vocabulary.js';
import type { ChainView, FaultFacts, Level, ObjRef, Phase, SiteOp } from '../../src/models/facts.js';
import type { DragonFlyModel as LockingModel } from '../../src/models/model.js';
import { RecordingLockLog } from '../../src/replay/lock-log.js';

const NAMES = ['F', 'B1', 'B2', 'B3', 'B4', 'V', 'D', 'S'];
export function obj(name: string, otype: keyof typeof OT): ObjRef {
  const id = NAMES.indexOf(name);
  if (id < 0) throw new Error(`test object names are ${NAMES.join(', ')}`);
  return { obj: id, otype: OT[otype] };
}
const nameOf = (id: number): string => NAMES[id] ?? `o${id}`;

export interface LevelSpec {
  name: string;
  otype: keyof typeof OT;
  page: 'valid' | 'invalid' | 'busy' | 'absent';
  backing?: 0 | 1;
  shadowed?: 0 | 1;
  swapped?: boolean;
  pager?: 0 | 1;
}

export function level(s: LevelSpec): Level {
  return {
    ...obj(s.name, s.otype),
    page: PG[s.page],
    hasBacking: s.backing ?? 0,
    shadowed: s.shadowed ?? 0,
    swapped: s.swapped ?? false,
    pager: s.pager ?? 1,
    ref: 1,
  };
}

export interface FaultSpec {
  /** letters R, W, X */
  ftype?: string;
  /** names of VM_FAULT_* flags; user faults default to BURST (+ DIRTY for writes) */
  flags?: (keyof typeof FaultFlag)[];
  nthreads?: number;
  kernelMap?: boolean;
  vpagetable?: boolean;
  wired?: boolean;
  /** one list of levels per recorded attempt, with the retry that ended it */
  phases: { levels: LevelSpec[]; retry?: string }[];
  /** objects below the recorded levels (the registry's knowledge) */
  below?: Record<string, ObjRef | null>;
  foundDepth?: number | null;
}

export function fault(s: FaultSpec): FaultFacts {
  const ftype = [...(s.ftype ?? 'R')].reduce((b, l) => b | ({ R: 1, W: 2, X: 4 } as Record<string, number>)[l]!, 0);
  const flags = s.flags ?? (ftype & 2 ? ['BURST', 'DIRTY'] : ['BURST']);
  const phases: Phase[] = s.phases.map((p) => ({ levels: p.levels.map(level), retry: p.retry ?? null }));
  const chain: ChainView = {
    below: (id) => {
      const entry = s.below?.[nameOf(id)];
      return entry === undefined ? undefined : entry;
    },
  };
  return {
    id: 1,
    tid: 1,
    pid: 1,
    cpu: 0,
    ftype,
    fflags: flags.reduce((b, f) => b | FaultFlag[f], 0),
    nthreads: s.nthreads ?? 1,
    kernelMap: s.kernelMap ?? false,
    vpagetable: s.vpagetable ?? false,
    wired: s.wired ?? false,
    phases,
    chain,
    foundDepth: s.foundDepth ?? null,
  };
}

export interface Replayed {
  /** "X token F vm_fault first" per acquisition, attempt-prefixed when attempts > 1 */
  acq: string[];
  /** the acquisitions (as in `acq`) the log marked recursive: the thread already held the token */
  recursive: string[];
  tokens: { X: number; S: number };
  backdowns: string[];
  hazards: string[];
  attempts: number;
  restarts: number;
  upgrades: number;
  prefault: 'full' | 'quick' | null;
  outcome: string;
  unknownLinks: number;
  log: RecordingLockLog;
  strings: StringTable;
}

export function replay(model: LockingModel, op: FaultFacts | SiteOp, sharedFault = true): Replayed {
  const strings = new StringTable();
  const log = new RecordingLockLog(strings);
  if ('phases' in op) model.fault(op, { sharedFault }, log);
  else model.site(op, { sharedFault }, log);
  const acq: string[] = [];
  for (let a = 0; a < log.n; a++) {
    const prefix = log.attempts > 1 ? `${log.attemptOf[a]}: ` : '';
    acq.push(
      `${prefix}${LockMode.label(log.mode[a]!)} ${LockClass.label(log.cls[a]!)} ${nameOf(log.obj[a]!)} ${strings.get(log.site[a]!)} ${strings.get(log.reason[a]!)}`,
    );
  }
  return {
    acq,
    recursive: acq.filter((_, a) => log.recursive[a]),
    tokens: { X: log.xTokens, S: log.sTokens },
    backdowns: log.backdowns.map((b) => `${b.rule}@${b.depth}`),
    hazards: log.hazards.map((h) => `${h.kind} ${nameOf(h.obj)} ${h.site}`),
    attempts: log.attempts,
    restarts: log.restarts,
    upgrades: log.upgrades,
    prefault: log.prefaulted,
    outcome: log.result,
    unknownLinks: log.unknownLinks,
    log,
    strings,
  };
}

/**
 * Whether acquisition `a` was still held when acquisition `b` was taken
 * (the log releases a hold at the last step before the release).
 */
export function heldAt(log: RecordingLockLog, a: number, b: number): boolean {
  return log.releasedAt[a] === -1 || log.releasedAt[a]! >= log.step[b]!;
}

export const otypeName = (code: number): string => ObjType.label(code) ?? '?';

/** A site operation on object `o`. */
export function site(kind: SiteOp['kind'], fields: Record<string, unknown>): SiteOp {
  return { kind, id: 1, tid: 1, ...fields } as SiteOp;
}
