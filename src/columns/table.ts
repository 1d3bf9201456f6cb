import type { Enum } from './enum.js';
// Typed column batches: every table of the tool (events, faults, acquisitions,
// ...) is a list of column specs, and rows live in fixed-capacity typed arrays
// that the store copies into Arrow, DuckDB and Parquet a batch at a time.
// Nulls are sentinel values so a row is written without a separate validity
// step; every kind has one, and a fresh batch holds nulls until written.

export type ColumnKind =
  | 'ts' // Float64 nanoseconds, stored as BIGINT
  | 'f64' // Float64, NaN = null
  | 'i64' // Float64 holding an integer count, stored as BIGINT
  | 'i32'
  | 'i16'
  | 'i8'
  | 'bool' // Int8 0/1
  | 'u32' // bit set; all 32 bits set is the null marker
  | 'enum' // Uint8 code of `enum`
  | 'str' // Int32 id in the run's StringTable
  | 'addr' // Int32 id in the run's AddressTable, stored as UBIGINT
  | 'u64'; // exact 64-bit value as interleaved (lo, hi) u32 pairs, stored as UBIGINT; 2^64-1 is the null marker

export interface ColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly enum?: Enum<string>;
  readonly doc: string;
  /** Where the column is NULL; absent: never. docs/tables.md prints it, and a test holds every table to it. */
  readonly nulls?: NullRule;
}

/**
 * Where a column is NULL, as SQL conditions over the other columns of the
 * same row. Outside `always` and `may` the column is never NULL.
 */
export interface NullRule {
  /** the rows where the column is always NULL (it has no value there) */
  readonly always?: string;
  /** the rows where it may be NULL (a value the input may leave out) */
  readonly may?: string | undefined;
  /** the same in words, for docs/tables.md */
  readonly doc: string;
}

export type ArrayOf<T extends ColumnKind> = T extends 'ts' | 'f64' | 'i64'
  ? Float64Array
  : T extends 'i32' | 'str' | 'addr'
    ? Int32Array
    : T extends 'i16'
      ? Int16Array
      : T extends 'i8' | 'bool'
        ? Int8Array
        : T extends 'u32' | 'u64'
          ? Uint32Array
          : Uint8Array;

export type Columns<S extends readonly ColumnSpec[]> = {
  [C in S[number] as C['name']]: ArrayOf<C['kind']>;
};

export const NULL_I32 = -2147483648;
export const NULL_I16 = -32768;
export const NULL_I8 = -128;
export const NULL_ENUM = 255;
export const NULL_ID = -1;
/** u32 null, and each half of the u64 null (2^64-1): values a reader refuses as input. */
export const NULL_U32 = 0xffffffff;

export function nullOf(kind: ColumnKind): number {
  switch (kind) {
    case 'ts':
    case 'f64':
    case 'i64':
      return NaN;
    case 'i32':
      return NULL_I32;
    case 'i16':
      return NULL_I16;
    case 'i8':
    case 'bool':
      return NULL_I8;
    case 'enum':
      return NULL_ENUM;
    case 'str':
    case 'addr':
      return NULL_ID;
    case 'u32':
    case 'u64': // each of the two halves
      return NULL_U32;
  }
}

/** Whether a value is its kind's null (a `u64` row is two values: see isNullU64). */
export function isNull(kind: ColumnKind, v: number): boolean {
  if (kind === 'ts' || kind === 'f64' || kind === 'i64') return Number.isNaN(v);
  return v === nullOf(kind);
}

/** Whether row i of a u64 column is null. */
export function isNullU64(a: ArrayLike<number>, i: number): boolean {
  return a[2 * i] === NULL_U32 && a[2 * i + 1] === NULL_U32;
}

function allocate(kind: ColumnKind, capacity: number): ArrayOf<ColumnKind> {
  switch (kind) {
    case 'ts':
    case 'f64':
    case 'i64':
      return new Float64Array(capacity).fill(NaN);
    case 'i32':
      return new Int32Array(capacity).fill(NULL_I32);
    case 'str':
    case 'addr':
      return new Int32Array(capacity).fill(NULL_ID);
    case 'i16':
      return new Int16Array(capacity).fill(NULL_I16);
    case 'i8':
    case 'bool':
      return new Int8Array(capacity).fill(NULL_I8);
    case 'enum':
      return new Uint8Array(capacity).fill(NULL_ENUM);
    case 'u32':
      return new Uint32Array(capacity).fill(NULL_U32);
    case 'u64':
      return new Uint32Array(capacity * 2).fill(NULL_U32);
  }
}

/** A table's identity: its name and its ordered column specs. */
export interface TableSpec<S extends readonly ColumnSpec[] = readonly ColumnSpec[]> {
  readonly name: string;
  readonly doc: string;
  readonly columns: S;
}

export function defineTable<const S extends readonly ColumnSpec[]>(name: string, doc: string, columns: S): TableSpec<S> {
  return { name, doc, columns };
}

/** Rows of one table in typed arrays; `length` rows are filled, the rest hold nulls. */
export class ColumnBatch<S extends readonly ColumnSpec[] = readonly ColumnSpec[]> {
  readonly cols: Columns<S>;
  length = 0;

  /** `arrays`: the columns, in spec order, made elsewhere (a batch handed over by another thread); omitted: new ones, all nulls. */
  constructor(
    readonly spec: TableSpec<S>,
    readonly capacity: number,
    arrays?: readonly ArrayOf<ColumnKind>[],
  ) {
    // Built in one go: an object given its properties one keyed store at a
    // time turns into a hash table past a dozen of them, and every `cols.x`
    // in a hot loop then becomes a lookup; this one keeps fast properties.
    this.cols = Object.fromEntries(spec.columns.map((c, i) => [c.name, arrays ? arrays[i]! : allocate(c.kind, capacity)])) as Columns<S>;
  }

  get full(): boolean {
    return this.length === this.capacity;
  }

  /** The array of column `name` (for generic writers). */
  column(name: string): ArrayOf<ColumnKind> {
    return (this.cols as Record<string, ArrayOf<ColumnKind>>)[name]!;
  }

  /** Empty the batch to be filled again: its rows back to nulls (what a fresh batch holds), length 0. */
  clear(): void {
    const rows = Math.min(this.length + 1, this.capacity); // and a row begun but never committed
    for (const c of this.spec.columns) this.column(c.name).fill(nullOf(c.kind), 0, c.kind === 'u64' ? 2 * rows : rows);
    this.length = 0;
  }

  /** Copy row `from` of `src` (same spec) to the end of this batch. */
  copyRowFrom(src: ColumnBatch<S>, from: number): void {
    const to = this.length++;
    for (const c of this.spec.columns) {
      const a = this.column(c.name);
      const b = src.column(c.name);
      if (c.kind === 'u64') {
        a[2 * to] = b[2 * from]!;
        a[2 * to + 1] = b[2 * from + 1]!;
      } else {
        a[to] = b[from]!;
      }
    }
  }
}

/**
 * Appends rows into batches of one table and hands each full batch to `flush`.
 * `row()` returns the index to fill in `current.cols`; a writer that may still
 * abandon a row fills `current` at `current.length` and calls `commitRow()`.
 */
export class BatchBuilder<S extends readonly ColumnSpec[]> {
  current: ColumnBatch<S>;
  rows = 0;

  /** `recycle`: `flush` is done with a batch when it returns, so the builder refills the same one (no allocation, no garbage). */
  constructor(
    readonly spec: TableSpec<S>,
    readonly capacity: number,
    private readonly flush: (batch: ColumnBatch<S>) => void,
    private readonly recycle = false,
  ) {
    this.current = new ColumnBatch(spec, capacity);
  }

  row(): number {
    if (this.current.length === this.capacity) this.finishBatch();
    this.rows++;
    return this.current.length++;
  }

  commitRow(): void {
    this.rows++;
    this.current.length++;
  }

  /** Hand over the current batch (when it has rows) and start a new one. */
  finishBatch(): void {
    if (this.current.length > 0) {
      this.flush(this.current);
      if (this.recycle) this.current.clear();
      else this.current = new ColumnBatch(this.spec, this.capacity);
    }
  }
}
