// The models a replay can run, by command-line name. A new model is one file
// implementing LockingModel, added here.

import type { LockingModel } from './model.js';
import { newFixedModel, newModel } from './new.js';
import { oldModel } from './old.js';

export const MODELS: readonly LockingModel[] = [oldModel, newModel, newFixedModel];

export const DEFAULT_MODELS = MODELS.map((m) => m.name);

export function modelsByName(names: readonly string[]): LockingModel[] {
  return names.map((n) => {
    const m = MODELS.find((x) => x.name === n);
    if (!m) throw new Error(`unknown model '${n}' (known: ${DEFAULT_MODELS.join(', ')})`);
    return m;
  });
}
