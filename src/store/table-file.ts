// One table's final Parquet file, written while the replay runs. Batches are
// gathered into row groups of ROW_GROUP_ROWS rows, one encoder per column
// (column-encoders.ts);
// a full row group is encoded (nulls out of the sentinel values, counts and
// times to 64-bit integers, strings and enums dictionary-encoded, addresses
// as exact unsigned 64-bit values, min/max/null-count statistics) and handed
// to the writer, which compresses it on the thread pool (parquet.ts). Each
// address column also gets a `<name>_hex` text column beside it, so that a
// reader without unsigned 64-bit integers (pandas reads a nullable UBIGINT as
// float64) still has every address exact.

import type { ColumnBatch, ColumnKind, ColumnSpec, TableSpec } from '../columns/table.js';
import type { Dictionaries } from '../columns/dictionaries.js';
import { type ColumnPage, type ParquetColumn, type ParquetType, ParquetWriter } from './parquet.js';
import { isAddress } from './sql.js';
import { ByteCaches, type ColumnEncoder, encoderFor, ROW_GROUP_ROWS } from './column-encoders.js';

export { ByteCaches, hex64, ROW_GROUP_ROWS } from './column-encoders.js';

type AnyBatch = ColumnBatch<readonly ColumnSpec[]>;
type AnyTable = TableSpec<readonly ColumnSpec[]>;

/** The Parquet column of each spec column kind (all OPTIONAL: a column may be null where its spec says so). */
const TYPE: Record<ColumnKind, ParquetType> = {
  ts: 'int64',
  i64: 'int64',
  f64: 'double',
  i32: 'int32',
  i16: 'int16',
  i8: 'int8',
  bool: 'boolean',
  u32: 'uint32',
  enum: 'utf8',
  str: 'utf8',
  addr: 'uint64',
  u64: 'uint64',
};

/** Name of the hex text column written beside an address column. */
export const hexName = (c: ColumnSpec): string => `${c.name}_hex`;

/** The table's Parquet columns: its own, then `<name>_hex` for each address column. */
export function parquetColumns(spec: AnyTable): ParquetColumn[] {
  return [
    ...spec.columns.map((c): ParquetColumn => ({ name: c.name, type: TYPE[c.kind], optional: true })),
    ...spec.columns.filter(isAddress).map((c): ParquetColumn => ({ name: hexName(c), type: 'utf8', optional: true })),
  ];
}

/** Where a table's batches go: its Parquet file, written on this thread (TableFile) or on the writer thread (writer-client.ts). */
export interface TableSink {
  /** rows written so far */
  readonly rowCount: number;
  /** work handed on and not yet done (row groups, or batches the writer thread has not taken) */
  readonly pending: number;
  /** the first failure of a compression or a write, if one failed */
  readonly failed: unknown;
  /** settles when the oldest pending work is done */
  oldest(): Promise<void>;
  /** copy the batch's rows; the batch may be reused as soon as this returns */
  write(batch: AnyBatch): void;
  /** the last rows and the footer; resolves once the file is whole and closed */
  close(): Promise<void>;
  /** close the file without finishing it (the run is being given up) */
  abandon(): Promise<void>;
}

export class TableFile implements TableSink {
  private readonly writer: ParquetWriter;
  private readonly encoders: ColumnEncoder[];
  private rows = 0;
  private written = 0;

  constructor(
    readonly path: string,
    readonly spec: AnyTable,
    dicts: Dictionaries,
    caches: ByteCaches,
    createdBy: string,
    /** rows per row group, at most ROW_GROUP_ROWS (smaller in tests, to have many) */
    private readonly rowGroupRows = ROW_GROUP_ROWS,
  ) {
    if (rowGroupRows > ROW_GROUP_ROWS) throw new Error(`store: row groups of at most ${ROW_GROUP_ROWS} rows`);
    this.encoders = spec.columns.map((c) => encoderFor(c, dicts, caches));
    this.writer = new ParquetWriter(path, parquetColumns(spec), { createdBy });
  }

  /** Rows written so far. */
  get rowCount(): number {
    return this.written;
  }

  /** Row groups handed to the writer and not yet on disk. */
  get pending(): number {
    return this.writer.pending;
  }

  /** Settles when the oldest row group not yet on disk is. */
  oldest(): Promise<void> {
    return this.writer.oldest();
  }

  /** The first failure of a compression or a write, if one failed. */
  get failed(): unknown {
    return this.writer.failed;
  }

  /** Copy the batch's rows into the row group(s); the batch may be reused as soon as this returns. */
  write(batch: AnyBatch): void {
    const n = batch.length;
    for (let from = 0; from < n; ) {
      const to = Math.min(n, from + this.rowGroupRows - this.rows);
      for (const e of this.encoders) e.add(batch, from, to, this.rows);
      this.rows += to - from;
      this.written += to - from;
      from = to;
      if (this.rows === this.rowGroupRows) this.endRowGroup();
    }
  }

  /** Write the last row group and the footer; resolves once the file is whole and closed. */
  async close(): Promise<void> {
    if (this.rows > 0) this.endRowGroup();
    await this.writer.close();
  }

  /** Close the file without finishing it (the run is being given up). */
  async abandon(): Promise<void> {
    await this.writer.discard();
  }

  private endRowGroup(): void {
    const rows = this.rows;
    const own: ColumnPage[] = [];
    const hex: ColumnPage[] = [];
    for (const e of this.encoders) {
      const [page, text] = e.pages(rows);
      own.push(page!);
      if (text) hex.push(text);
    }
    // a failure is kept by the writer and thrown by the store's flush() or close()
    this.writer.addRowGroup(rows, [...own, ...hex]).catch(() => {});
    for (const e of this.encoders) e.reset();
    this.rows = 0;
  }
}
