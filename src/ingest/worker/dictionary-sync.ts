// The reader in a worker thread interns into dictionaries of its own; the run's
// dictionaries live in the main thread, where the replay interns too. Each
// batch the worker hands over carries the entries its dictionaries gained
// since the batch before (DictionaryExport); the main thread interns them, in
// that order, into the run's dictionaries and rewrites the batch's id columns
// from the worker's ids to its own (DictionaryImport). Interning the same
// values in the same order at the same batch boundaries gives the run the very
// ids a reader in the main thread would have given.

import type { AddressTable } from '../../columns/addresses.js';
import type { Dictionaries } from '../../columns/dictionaries.js';
import type { StringTable } from '../../columns/strings.js';
import { type ColumnBatch, NULL_ID } from '../../columns/table.js';
import { widen } from '../../columns/typed.js';

/** The entries one side's dictionaries gained since the last delta. */
export interface DictionaryDelta {
  readonly strings: string[];
  /** new addresses as (hi, lo) pairs */
  readonly addresses: Uint32Array;
}

/** The worker's side: what its dictionaries gained since the last call. */
export class DictionaryExport {
  private strings = 0;
  private addresses = 0;

  constructor(private readonly dicts: Dictionaries) {}

  take(): DictionaryDelta {
    const { strings, addresses } = this.dicts;
    const newStrings = strings.values.slice(this.strings);
    const n = addresses.size - this.addresses;
    const pairs = new Uint32Array(2 * n);
    for (let k = 0; k < n; k++) {
      pairs[2 * k] = addresses.high(this.addresses + k);
      pairs[2 * k + 1] = addresses.low(this.addresses + k);
    }
    this.strings = strings.size;
    this.addresses = addresses.size;
    return { strings: newStrings, addresses: pairs };
  }
}

/** One id space mapped onto another: the worker's id k is the run's id of[k]. */
class IdMap {
  of = new Int32Array(1024);
  size = 0;
  /** every id so far maps to itself: a batch needs no rewriting */
  identity = true;

  add(id: number): void {
    if (this.size === this.of.length) this.of = widen(this.of, 2 * this.size);
    if (id !== this.size) this.identity = false;
    this.of[this.size++] = id;
  }

  rewrite(column: Int32Array, rows: number): void {
    const of = this.of;
    for (let i = 0; i < rows; i++) {
      const id = column[i]!;
      if (id !== NULL_ID) column[i] = of[id]!;
    }
  }
}

/** The main thread's side: interns each delta into the run's dictionaries and rewrites batches into the run's ids. */
export class DictionaryImport {
  private readonly strings = new IdMap();
  private readonly addresses = new IdMap();

  constructor(
    private readonly runStrings: StringTable,
    private readonly runAddresses: AddressTable,
  ) {}

  add(delta: DictionaryDelta): void {
    for (const s of delta.strings) this.strings.add(this.runStrings.intern(s));
    const pairs = delta.addresses;
    for (let k = 0; k < pairs.length; k += 2) this.addresses.add(this.runAddresses.intern(pairs[k]!, pairs[k + 1]!));
  }

  /** Rewrite the `str` and `addr` columns of `batch` from the worker's ids to the run's (nothing to do while the ids agree). */
  rewrite(batch: ColumnBatch): void {
    for (const c of batch.spec.columns) {
      const map = c.kind === 'str' ? this.strings : c.kind === 'addr' ? this.addresses : null;
      if (map && !map.identity) map.rewrite(batch.column(c.name) as Int32Array, batch.length);
    }
  }
}
