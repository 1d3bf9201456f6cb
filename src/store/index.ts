// The columnar store: Parquet, Arrow IPC and the DuckDB database of a replay.

export { openStore, Store, type StoreOptions, type StoreSummary } from './store.js';
export type { ManifestInput, Manifest } from './manifest.js';
export { readManifest } from './manifest.js';
export type { DatabaseLayout } from './database.js';
export { RunDatabase } from './run-database.js';
export { VIEWS, VIEW_NAMES } from './views.js';
