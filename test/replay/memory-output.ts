// A replay's rows kept in memory, by table name, for tests that look at what
// the engine emitted without a store (src/replay/output.ts: TableOutput).

import type { ColumnBatch, ColumnSpec, TableSpec } from '../../src/columns/table.js';
import type { TableOutput } from '../../src/replay/output.js';

/** Keeps every batch in memory, by table name. */
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
