// From an assembled fault to the facts a model is given: the spec's defaults
// for missing optional keys (nthreads 1, user map, normal entry, not wired;
// `backing` from a deeper level or the registry; `pager=has` where fault_end's
// depth names the level), each default marked in the fault's `inferred` bits.

import { NULL_ENUM, NULL_I32, NULL_I8 } from '../columns/table.js';
import type { ObjectRegistry } from './registry.js';
import { MapKind, MapType } from '../events/vocabulary.js';
import { inferredBit } from '../events/rules.js';
import type { ChainView, FaultFacts, Level, Phase } from '../models/facts.js';
import type { AssembledFault } from './assemble.js';

export interface ResolvedFault {
  facts: FaultFacts;
  /** bit set of INFERABLE_KEYS filled in by default */
  inferred: number;
}

/** The facts of `af`, or null when it has no first object to replay. */
export function resolveFault(af: AssembledFault, registry: ObjectRegistry, chain: ChainView): ResolvedFault | null {
  let inferred = 0;
  const phases: Phase[] = [];
  for (const p of af.phases) {
    if (!p.levels[0]) return null;
    p.levels.forEach((level, depth) => {
      inferred |= resolveLevel(level, depth, p.levels, af, registry);
    });
    phases.push({ levels: p.levels, retry: p.retry });
  }
  const byDefault = (raw: number, nullValue: number, key: string): boolean => {
    if (raw !== nullValue) return false;
    inferred |= inferredBit(key);
    return true;
  };
  const nthreads = byDefault(af.nthreads, NULL_I32, 'nthreads') ? 1 : af.nthreads;
  const kernelMap = byDefault(af.map, NULL_ENUM, 'map') ? false : af.map === MapKind.codes.kernel;
  const vpagetable = byDefault(af.maptype, NULL_ENUM, 'maptype') ? false : af.maptype === MapType.codes.vpagetable;
  const wired = byDefault(af.wired, NULL_I8, 'wired') ? false : af.wired === 1;
  return {
    facts: {
      id: af.id,
      tid: af.tid,
      pid: af.pid,
      cpu: af.cpu,
      ftype: af.ftype,
      fflags: af.fflags,
      nthreads,
      kernelMap,
      vpagetable,
      wired,
      phases,
      chain,
      foundDepth: af.endDepth,
    },
    inferred,
  };
}

function resolveLevel(level: Level, depth: number, levels: Level[], af: AssembledFault, registry: ObjectRegistry): number {
  let inferred = 0;
  const deeper = levels.length > depth + 1;
  if (level.hasBacking === -1) {
    if (deeper) level.hasBacking = 1;
    else {
      const below = registry.below(level.obj);
      if (below === undefined) inferred |= inferredBit('backing');
      level.hasBacking = below ? 1 : 0;
    }
  }
  if (level.shadowed === -1 && depth === 0) {
    const known = registry.shadowed(level.obj);
    if (known === -1) inferred |= inferredBit('shadowed');
    level.shadowed = known === 1 ? 1 : 0;
  }
  if (level.pager === -1) {
    const end = af.endDepth;
    if (end === depth) level.pager = 1;
    else if (deeper || end === -1 || (end !== null && end > depth)) level.pager = 0;
    else {
      // Not recorded where the page came from: the deepest level had it.
      inferred |= inferredBit('pager');
      level.pager = deeper ? 0 : 1;
    }
  }
  return inferred;
}
