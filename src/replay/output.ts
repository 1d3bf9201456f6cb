// Where a replay's rows go: every table (events, faults, acquisitions, ...)
// is handed over a batch at a time. The store implements this; tests can
// collect rows in memory.

import type { ColumnBatch, ColumnSpec, TableSpec } from '../columns/table.js';

export interface TableOutput {
  /** Take one batch of `spec`'s rows; the batch is not touched again by the caller. */
  write(spec: TableSpec<readonly ColumnSpec[]>, batch: ColumnBatch<readonly ColumnSpec[]>): void;
  /** Wait until what was written so far is out (called between input batches, so memory stays bounded). */
  flush(): Promise<void>;
}

/** Keeps every batch in memory, by table name (tests, small runs). */
export class MemoryOutput implements TableOutput {
  readonly tables = new Map<string, ColumnBatch<readonly ColumnSpec[]>[]>();
  write(spec: TableSpec<readonly ColumnSpec[]>, batch: ColumnBatch<readonly ColumnSpec[]>): void {
    let list = this.tables.get(spec.name);
    if (!list) this.tables.set(spec.name, (list = []));
    list.push(batch);
  }
  async flush(): Promise<void> {}
  batches(name: string): ColumnBatch<readonly ColumnSpec[]>[] {
    return this.tables.get(name) ?? [];
  }
}
