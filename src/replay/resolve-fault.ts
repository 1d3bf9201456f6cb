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

// The inferred bits this file sets, looked up once.
const BIT = {
  nthreads: inferredBit('nthreads'),
  map: inferredBit('map'),
  maptype: inferredBit('maptype'),
  wired: inferredBit('wired'),
  backing: inferredBit('backing'),
  shadowed: inferredBit('shadowed'),
  pager: inferredBit('pager'),
} as const;

/** The facts of `af`, or null when it has no first object to replay. The facts share af's phases and levels. */
export function resolveFault(af: AssembledFault, registry: ObjectRegistry, chain: ChainView): ResolvedFault | null {
  let inferred = 0;
  const phases: readonly Phase[] = af.phases;
  for (const p of phases) {
    const levels = p.levels;
    if (!levels[0]) return null;
    // (holes, depths no event described, stay holes)
    for (let depth = 0; depth < levels.length; depth++) {
      const level = levels[depth];
      if (level !== undefined) inferred |= resolveLevel(level, depth, levels, af, registry);
    }
  }
  let nthreads = af.nthreads;
  if (nthreads === NULL_I32) {
    inferred |= BIT.nthreads;
    nthreads = 1;
  }
  if (af.map === NULL_ENUM) inferred |= BIT.map;
  if (af.maptype === NULL_ENUM) inferred |= BIT.maptype;
  if (af.wired === NULL_I8) inferred |= BIT.wired;
  return {
    facts: {
      id: af.id,
      tid: af.tid,
      pid: af.pid,
      cpu: af.cpu,
      ftype: af.ftype,
      fflags: af.fflags,
      nthreads,
      // a key the trace left out takes the spec's default: user map, normal entry, not wired
      kernelMap: af.map === MapKind.codes.kernel,
      vpagetable: af.maptype === MapType.codes.vpagetable,
      wired: af.wired === 1,
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
      if (below === undefined) inferred |= BIT.backing;
      level.hasBacking = below ? 1 : 0;
    }
  }
  if (level.shadowed === -1 && depth === 0) {
    const known = registry.shadowed(level.obj);
    if (known === -1) inferred |= BIT.shadowed;
    level.shadowed = known === 1 ? 1 : 0;
  }
  if (level.pager === -1) {
    const end = af.endDepth;
    if (end === depth) level.pager = 1;
    else if (deeper || end === -1 || (end !== null && end > depth)) level.pager = 0;
    else {
      // Not recorded where the page came from: the deepest level had it.
      inferred |= BIT.pager;
      level.pager = deeper ? 0 : 1;
    }
  }
  return inferred;
}
