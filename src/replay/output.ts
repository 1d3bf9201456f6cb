// Where a replay's rows go: every table (events, faults, acquisitions, ...)
// is handed over a batch at a time. The store implements this; the tests
// collect rows in memory (test/replay/memory-output.ts).

import { BatchBuilder, type ColumnBatch, type ColumnSpec, type TableSpec } from '../columns/table.js';

export interface TableOutput {
  /** Take one batch of `spec`'s rows; the batch is not touched again by the caller. */
  write<S extends readonly ColumnSpec[]>(spec: TableSpec<S>, batch: ColumnBatch<S>): void;
  /** Wait until what was written so far is out (called between input batches, so memory stays bounded). */
  flush(): Promise<void>;
  /** true when write() is done with a batch once it returns (written out or copied): the caller may then refill it */
  readonly releasesBatches?: boolean;
}

/** Rows of `spec`, handed to `out` a full batch at a time. */
export function tableBuilder<S extends readonly ColumnSpec[]>(spec: TableSpec<S>, out: TableOutput, capacity = 8192): BatchBuilder<S> {
  return new BatchBuilder(spec, capacity, (batch) => out.write(spec, batch), out.releasesBatches === true);
}
