// Properties every model must keep, over many generated faults: new-fixed and
// old never record a hazard; no model takes X over its own S hold except by
// an upgrade; with shared_fault=0 the only S tokens on the fault path are the
// vnode pager lock's brief holds; a back-down replays the same recorded attempt.

import t from 'tap';
import { LockClass, LockMode, type OT } from '../../src/events/vocabulary.js';
import { newFixedModel, newModel } from '../../src/models/new.js';
import { oldModel } from '../../src/models/old.js';
import type { RecordingLockLog } from '../../src/replay/lock-log.js';
import { fault, replay, type FaultSpec, type LevelSpec } from './harness.js';

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const NAMES = ['F', 'B1', 'B2', 'B3'];

/** A chain as a kernel would have it: DEFAULT shadows above at most one terminal object. */
function genFault(r: () => number): FaultSpec {
  const depth = 1 + Math.floor(r() * 4);
  const types: (keyof typeof OT)[] = [];
  for (let d = 0; d < depth; d++)
    types.push(d < depth - 1 ? pick(r, ['default', 'default', 'swap']) : pick(r, ['default', 'vnode', 'vnode', 'swap', 'device']));
  const phases: FaultSpec['phases'] = [];
  const nPhases = 1 + (r() < 0.2 ? 1 : 0) + (r() < 0.05 ? 1 : 0);
  for (let p = 0; p < nPhases; p++) {
    const last = p === nPhases - 1;
    const levels: LevelSpec[] = [];
    for (let d = 0; d < depth; d++) {
      // Anonymous pages are always fully valid when resident; vnode and swap pages may be invalid.
      const pages = types[d] === 'default' ? (['valid', 'absent'] as const) : (['valid', 'absent', 'invalid'] as const);
      let page: LevelSpec['page'] = pick(r, pages);
      if (!last && d === depth - 1) page = 'busy';
      levels.push({
        name: NAMES[d]!,
        otype: types[d]!,
        page,
        backing: d < depth - 1 ? 1 : 0,
        shadowed: r() < 0.3 ? 1 : 0,
        swapped: r() < 0.2,
        pager: r() < 0.7 ? 1 : 0,
      });
      if (page === 'valid' || page === 'busy') break;
    }
    phases.push(last ? { levels } : { levels, retry: 'busy' });
  }
  const ftype = pick(r, ['R', 'R', 'W', 'X']);
  const flags: FaultSpec['flags'] = [];
  if (r() < 0.8) flags.push('BURST');
  if (ftype === 'W' && r() < 0.9) flags.push('DIRTY');
  if (r() < 0.05) flags.push('UNSWAP');
  // vm_map wiring counts the entry wired before it faults the pages in, so a
  // wiring fault normally sees a wired entry (TRYPAGER holds).
  const wiring = r() < 0.05;
  if (wiring) flags.push('USER_WIRE');
  return { ftype, flags, nthreads: pick(r, [1, 1, 2, 8]), wired: wiring || r() < 0.05, vpagetable: r() < 0.03, kernelMap: r() < 0.05, phases, below: {} };
}

/** Acquisitions of X over a token the same operation holds S, other than by an upgrade. */
function xOverOwnS(log: RecordingLockLog, strings: (id: number) => string | null): number {
  let bad = 0;
  for (let a = 0; a < log.n; a++) {
    if (log.cls[a] !== LockClass.codes.token || log.mode[a] !== LockMode.codes.X || strings(log.reason[a]!) === 'upgrade') continue;
    for (let b = 0; b < a; b++) {
      const held = log.releasedAt[b] === -1 || log.releasedAt[b]! >= log.step[a]!;
      if (log.obj[b] === log.obj[a] && log.cls[b] === LockClass.codes.token && log.mode[b] === LockMode.codes.S && held) {
        // Recursion under an X hold is fine: the thread already owns it exclusively.
        const ownsX = [...Array(a).keys()].some(
          (c) =>
            log.obj[c] === log.obj[a] &&
            log.cls[c] === LockClass.codes.token &&
            log.mode[c] === LockMode.codes.X &&
            (log.releasedAt[c] === -1 || log.releasedAt[c]! >= log.step[a]!),
        );
        if (!ownsX) bad++;
      }
    }
  }
  return bad;
}

const N = 3000;

t.test(`properties over ${N} generated faults`, async (t) => {
  const r = rng(501747);
  let newHazards = 0;
  const stats = { old: 0, 'new-fixed': 0, violations: 0, sfS: 0, backdownsOld: 0, replays: 0, attemptMismatch: 0 };
  // What the generator reached: each property above is only as good as the cases it saw.
  const reached = {
    xTokensChecked: 0,
    sfZeroFaults: 0,
    sfZeroVnodePagerS: 0,
    attemptsChecked: 0,
    backdowns: new Map<string, number>(),
    oldQuick: 0,
    oldUpgrades: 0,
    oldChainRelease: 0,
    oldRestartChainRelease: 0,
    restarts: 0,
    fullPrefault: new Map<string, number>(),
    unswap: new Map<string, number>(),
    zeroFill: 0,
    cowCopy: 0,
  };
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (let i = 0; i < N; i++) {
    const spec = genFault(r);
    const sharedFault = r() < 0.85;
    const f = fault(spec);
    if (!sharedFault) reached.sfZeroFaults++;
    for (const model of [oldModel, newModel, newFixedModel]) {
      const out = replay(model, f, sharedFault);
      stats.replays++;
      stats.violations += xOverOwnS(out.log, (id) => out.strings.get(id));
      reached.xTokensChecked += out.tokens.X;
      if (model === oldModel) {
        stats.old += out.hazards.length;
        stats.backdownsOld += out.backdowns.length;
        if (out.acq.some((a) => a.includes('vm_fault quick'))) reached.oldQuick++;
        reached.oldUpgrades += out.upgrades;
        const releases = out.acq.filter((a) => a.includes('chain_release'));
        reached.oldChainRelease += releases.length;
        if (out.attempts > 1) reached.oldRestartChainRelease += releases.filter((a) => a.startsWith('1: ')).length;
      }
      if (model === newFixedModel) stats['new-fixed'] += out.hazards.length;
      if (model === newModel) newHazards += out.hazards.length;
      for (const b of out.backdowns) bump(reached.backdowns, `${model.name} ${b.slice(0, 2)}`);
      if (out.prefault === 'full') bump(reached.fullPrefault, model.name);
      if (out.acq.some((a) => a.includes('swap_pager_unswapped'))) bump(reached.unswap, model.name);
      reached.restarts += out.restarts;
      if (out.outcome === 'zero_fill') reached.zeroFill++;
      if (out.outcome === 'cow_copy') reached.cowCopy++;
      if (!sharedFault) {
        stats.sfS += out.acq.filter((a) => a.startsWith('S token') && !a.includes('vnode_pager_lock')).length;
        reached.sfZeroVnodePagerS += out.acq.filter((a) => a.startsWith('S token') && a.includes('vnode_pager_lock')).length;
      }
      if (out.outcome !== 'incomplete' && out.outcome !== 'hazard') {
        reached.attemptsChecked++;
        if (out.attempts !== f.phases.length + out.backdowns.length) stats.attemptMismatch++;
      }
    }
  }
  t.equal(stats.old, 0, 'old never records a hazard');
  t.equal(stats['new-fixed'], 0, 'new-fixed never records a hazard');
  t.equal(stats.violations, 0, 'no model takes X over its own S hold except through an upgrade');
  t.equal(stats.sfS, 0, 'shared_fault=0: the only S tokens on the fault path are the vnode pager lock');
  t.equal(stats.backdownsOld, 0, 'old never backs down');
  t.equal(stats.attemptMismatch, 0, 'one attempt per recorded attempt and per back-down');

  // Not vacuous: the generator reaches every case the properties speak of.
  t.ok(newHazards > 0, 'the new model hazard');
  t.ok(reached.xTokensChecked > N, 'X acquisitions to check for X-over-own-S');
  t.ok(reached.sfZeroFaults > N / 10 && reached.sfZeroVnodePagerS > 0, 'shared_fault=0 faults, with vnode pager lock S holds the filter lets through');
  t.ok(reached.attemptsChecked > 2 * N, 'completed faults whose attempts are counted');
  for (const m of ['new', 'new-fixed']) {
    for (const rule of ['B1', 'B2', 'B3', 'B4']) t.ok((reached.backdowns.get(`${m} ${rule}`) ?? 0) > 0, `${m} backs down by ${rule}`);
  }
  t.ok(reached.oldQuick > 0 && reached.oldUpgrades > 0, 'old quick path and in-place upgrade');
  t.ok(reached.oldChainRelease > 0 && reached.oldRestartChainRelease > 0, 'old chain release, on restarted attempts too');
  t.ok(reached.restarts > 0 && reached.zeroFill > 0 && reached.cowCopy > 0, 'restarts, zero fills and COW copies');
  for (const m of ['old', 'new', 'new-fixed']) t.ok((reached.fullPrefault.get(m) ?? 0) > 0, `${m} runs vm_prefault`);
  for (const m of ['old', 'new-fixed']) t.ok((reached.unswap.get(m) ?? 0) > 0, `${m} takes the unswap X`);
});
