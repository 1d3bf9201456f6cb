// vmreplay as a library, for notebooks and scripts: `import { ... } from 'vmreplay'`.
// Open a run's tables (openRun), replay in-process with models given as
// values (replay), write a model of your own (LockingModel, LockLog and the
// built-in models), and show charts and tables (chart, chartBundle,
// tableBundle). docs/api.md describes each.

export { openRun, Run, savedColumn, xColumn, type Params, type Row, type Value } from './open-run.js';
export { replay, sampleTrace, type ReplayOptions, type ReplayResult } from './replay.js';
export { notebook, shower, DISPLAY_PAUSE_MS, type NotebookKernel, type NotebookOptions, type NotebookSession } from './notebook.js';
export { chart, chartBundle, svgToPng, tableBundle, VEGA_LITE_MIME, type ChartBundleOptions, type MimeBundle, type TableBundleOptions } from './display.js';

export type { BackdownRule, DragonFlyModel, Knobs, LinuxLockLog, LinuxModel, LockingModel, LockLog, Mode } from '../models/model.js';
export type { LinuxFaultFacts, VmaKind } from '../models/linux-facts.js';
export type { ChainView, FaultFacts, Level, ObjRef, Phase, SiteOp, Tri } from '../models/facts.js';
export { DEFAULT_MODELS, MODELS, modelsByName } from '../models/index.js';
export { newFixedModel, newModel } from '../models/new.js';
export { oldModel } from '../models/old.js';
export { FaultFlag, FaultType, hasChainLock, ObjType, OT, PageState, PG } from '../events/vocabulary.js';
export type { AgreementTotals, ModelTotals, RunProgress, RunResult } from '../replay/run.js';
export type { Manifest } from '../store/index.js';
export { VIEW_NAMES, VIEWS } from '../store/index.js';
export { InputError, UsageError } from '../common/errors.js';
export { VERSION } from '../common/version.js';
