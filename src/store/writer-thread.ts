// The store's writer thread: it keeps the tables' Parquet files (table-file.ts)
// for a store on the replay's thread, so the encoding of the row groups runs
// on the second core. Its dictionaries mirror the store's: entries arrive in
// id order with the batches that first need them. Messages: writer-protocol.ts.

import { parentPort } from 'node:worker_threads';
import { AddressTable } from '../columns/addresses.js';
import { StringTable } from '../columns/strings.js';
import type { ColumnBatch, ColumnSpec, TableSpec } from '../columns/table.js';
import { ByteCaches, TableFile } from './table-file.js';
import { type FromWriter, type ToWriter, toWire } from './writer-protocol.js';
import { MAX_PENDING } from './store-limits.js';

const port = parentPort!;
const dicts = { strings: new StringTable(), addresses: new AddressTable() };
const caches = new ByteCaches(dicts);
const files = new Map<string, TableFile>();
/** tables whose failure was reported: told once */
const reported = new Set<string>();
/** each message is handled after the one before it, so waiting for the disk holds the rest back */
let queue = Promise.resolve();

const send = (m: FromWriter) => port.postMessage(m);

port.on('message', (m: ToWriter) => {
  queue = queue.then(() => handle(m)).catch((e: unknown) => fail(m.table, e));
});

function fail(table: string, e: unknown): void {
  if (reported.has(table)) return;
  reported.add(table);
  send({ type: 'failed', table, error: toWire(e) });
}

async function handle(m: ToWriter): Promise<void> {
  switch (m.type) {
    case 'open': {
      const spec = { name: m.table, columns: m.columns.map((c) => ({ name: c.name, kind: c.kind, doc: '', ...(c.labels && { enum: { labels: c.labels } }) })) };
      files.set(m.table, new TableFile(m.path, spec as unknown as TableSpec<readonly ColumnSpec[]>, dicts, caches, m.createdBy));
      return;
    }
    case 'write': {
      for (const s of m.strings) dicts.strings.intern(s);
      for (let i = 0; i < m.addresses.length; i += 2) dicts.addresses.intern(m.addresses[i]!, m.addresses[i + 1]!);
      const file = files.get(m.table)!;
      const byName = new Map(file.spec.columns.map((c, i) => [c.name, m.columns[i]!]));
      file.write({ length: m.length, column: (name: string) => byName.get(name) } as unknown as ColumnBatch<readonly ColumnSpec[]>);
      // hold the answer while too many row groups of all tables wait: the store then waits too
      while (total() > MAX_PENDING) await Promise.race([...files.values()].filter((f) => f.pending > 0).map((f) => f.oldest()));
      if (file.failed !== undefined) fail(m.table, file.failed);
      send({ type: 'taken', table: m.table });
      return;
    }
    // not awaited: the tables' last row groups are compressed side by side
    case 'close': {
      const file = files.get(m.table)!;
      file.close().then(
        () => send({ type: 'closed', table: m.table, rows: file.rowCount }),
        (e: unknown) => fail(m.table, e),
      );
      return;
    }
    case 'abandon': {
      const file = files.get(m.table);
      (file?.abandon() ?? Promise.resolve()).then(
        () => send({ type: 'abandoned', table: m.table, rows: file?.rowCount ?? 0 }),
        () => send({ type: 'abandoned', table: m.table, rows: 0 }),
      );
      return;
    }
  }
}

function total(): number {
  let n = 0;
  for (const f of files.values()) n += f.pending;
  return n;
}
