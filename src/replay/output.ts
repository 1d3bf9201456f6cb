// Where a replay's rows go: every table (events, faults, acquisitions, ...)
// is handed over a batch at a time. The store implements this; tests can
// collect rows in memory.

import { BatchBuilder, type ColumnBatch, type ColumnSpec, type TableSpec } from '../columns/table.js';

export interface TableOutput {
  /** Take one batch of `spec`'s rows; the batch is not touched again by the caller. */
  write<S extends readonly ColumnSpec[]>(spec: TableSpec<S>, batch: ColumnBatch<S>): void;
  /** Wait until what was written so far is out (called between input batches, so memory stays bounded). */
  flush(): Promise<void>;
  /** true when write() is done with a batch once it returns (written out or copied): the caller may then refill it */
  readonly releasesBatches?: boolean;
}

/** Keeps every batch in memory, by table name (tests, small runs). */
export class MemoryOutput implements TableOutput {
  readonly tables = new Map<string, ColumnBatch<readonly ColumnSpec[]>[]>();
  write<S extends readonly ColumnSpec[]>(spec: TableSpec<S>, batch: ColumnBatch<S>): void {
    let list = this.tables.get(spec.name);
    if (!list) this.tables.set(spec.name, (list = []));
    list.push(batch as unknown as ColumnBatch<readonly ColumnSpec[]>); // kept untyped, looked up by name
  }
  async flush(): Promise<void> {}
  batches(name: string): ColumnBatch<readonly ColumnSpec[]>[] {
    return this.tables.get(name) ?? [];
  }
}

/** Rows of `spec`, handed to `out` a full batch at a time. */
export function tableBuilder<S extends readonly ColumnSpec[]>(spec: TableSpec<S>, out: TableOutput, capacity = 8192): BatchBuilder<S> {
  return new BatchBuilder(spec, capacity, (batch) => out.write(spec, batch), out.releasesBatches === true);
}
