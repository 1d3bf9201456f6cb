// The model registry: every built-in model, one line each, and what a run
// derives from a model's identity (its family, its baseline, its column
// names). A new model is one file implementing LockingModel plus one line in
// REGISTRY; it becomes a default only when its family's DEFAULTS say so.

import { UsageError } from '../common/errors.js';
import { linuxMmapModel, linuxVmaModel } from './linux.js';
import type { DragonFlyModel, Family, LinuxModel, LockingModel, ModelIdentity } from './model.js';
import { newFixedModel, newModel } from './new.js';
import { oldModel } from './old.js';

/** Every built-in model, in report order. */
const REGISTRY: LockingModel[] = [oldModel, newModel, newFixedModel, linuxMmapModel, linuxVmaModel];

/** Each family's baseline, and the models a trace of that family replays under by default. */
export const FAMILIES: Readonly<Record<Family, { readonly title: string; readonly baseline: string; readonly defaults: readonly string[] }>> = {
  dragonfly: { title: 'DragonFly BSD', baseline: 'old', defaults: ['old', 'new', 'new-fixed'] },
  linux: { title: 'Linux', baseline: 'linux-mmap', defaults: ['linux-mmap', 'linux-vma'] },
};

export const MODELS: readonly LockingModel[] = REGISTRY;

/** The built-in DragonFly models (old, new, new-fixed). */
export const DRAGONFLY_MODELS: readonly DragonFlyModel[] = [oldModel, newModel, newFixedModel];

/** The built-in Linux models (linux-mmap, linux-vma). */
export const LINUX_MODELS: readonly LinuxModel[] = [linuxMmapModel, linuxVmaModel];

/** The models a DragonFly trace replays under by default (the `--models` default before a trace is read). */
export const DEFAULT_MODELS: readonly string[] = FAMILIES.dragonfly.defaults;

/** The default models of a trace of `family`. */
export function defaultModels(family: Family): LockingModel[] {
  return modelsByName(FAMILIES[family].defaults);
}

/** Register a model for this process (a model of your own, by name on `--models` from a script); refused when its name or columns collide. */
export function registerModel(model: LockingModel): void {
  resolveModels([...REGISTRY, model]);
  REGISTRY.push(model);
}

/** Remove a model registered with registerModel (tests). */
export function unregisterModel(name: string): void {
  const i = REGISTRY.findIndex((m) => m.name === name);
  if (i >= 0) REGISTRY.splice(i, 1);
}

export function modelsByName(names: readonly string[]): LockingModel[] {
  return names.map((n) => {
    const m = REGISTRY.find((x) => x.name === n);
    if (!m) throw new UsageError(`unknown model '${n}' (known: ${REGISTRY.map((x) => x.name).join(', ')})`);
    return m;
  });
}

/** What the tables and views call a model, and what it is compared against. */
export interface ModelColumns {
  readonly name: string;
  readonly family: Family;
  /** the model its saving is measured against */
  readonly baseline: string;
  /** its count of the family's measured lock in the saved_* views: x_<slug> (DragonFly: X tokens), mm_<slug> (Linux: mm lock acquisitions) */
  readonly countColumn: string;
  /** its saving against the baseline: saved_x[_<savedSlug>] or saved_mm[_<savedSlug>]; null for a baseline */
  readonly savedColumn: string | null;
}

/** The measured lock of each family, as a column prefix. */
const MEASURE: Readonly<Record<Family, string>> = { dragonfly: 'x', linux: 'mm' };

const slugOf = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '') || 'model';

/** The columns of a model: declared by the model, else derived from its name; a name not registered is a DragonFly model of that name. */
export function modelColumns(model: ModelIdentity | string): ModelColumns {
  const m: ModelIdentity = typeof model === 'string' ? (REGISTRY.find((x) => x.name === model) ?? { name: model, description: '' }) : model;
  const family = m.family ?? 'dragonfly';
  const baseline = m.baseline ?? FAMILIES[family].baseline;
  const slug = m.slug ?? slugOf(m.name);
  const saved = m.savedSlug ?? slug;
  const prefix = MEASURE[family];
  return {
    name: m.name,
    family,
    baseline,
    countColumn: `${prefix}_${slug}`,
    savedColumn: baseline === m.name ? null : saved === '' ? `saved_${prefix}` : `saved_${prefix}_${saved}`,
  };
}

/**
 * The columns of a run's models, each compared against its family's baseline
 * when the run has it, else against the first model of its family in the run
 * (which is then that family's baseline: no saved column).
 */
export function runColumns(models: readonly (ModelIdentity | string)[]): ModelColumns[] {
  const declared = models.map(modelColumns);
  const names = new Set(declared.map((c) => c.name));
  return declared.map((c) => {
    const baseline = names.has(c.baseline) ? c.baseline : declared.find((d) => d.family === c.family)!.name;
    if (baseline === c.baseline) return c;
    return { ...c, baseline, savedColumn: baseline === c.name ? null : c.savedColumn };
  });
}

/** Check a run's models: names given once, and no two models sharing a column (`New` and `new`, `fixed` and `new-fixed`). */
export function resolveModels(models: readonly LockingModel[]): LockingModel[] {
  if (models.length === 0) throw new UsageError('no model given');
  const byColumn = new Map<string, string>();
  const names = new Set<string>();
  for (const m of models) {
    if (names.has(m.name)) throw new UsageError(`model '${m.name}' given twice (every model needs its own name)`);
    names.add(m.name);
    const c = modelColumns(m);
    for (const col of [c.countColumn, c.savedColumn]) {
      if (col === null) continue;
      const other = byColumn.get(col);
      if (other !== undefined) throw new UsageError(`models '${other}' and '${m.name}' would share the column ${col}: give one of them another name or slug`);
      byColumn.set(col, m.name);
    }
  }
  return [...models];
}
