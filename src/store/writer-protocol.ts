// The messages between the store and its writer thread (writer-thread.ts):
// the store sends each batch's columns as copies it transfers, with the
// string and address dictionary entries added since its last message, so the
// thread's dictionaries hold the same ids; the thread answers each batch once
// taken (holding the answer back while its row groups wait for the disk), and
// each close or abandon once done.

import type { ColumnKind } from '../columns/table.js';

/** A table's columns as the writer thread needs them (a spec without its docs and null rules). */
export interface WireColumn {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly labels?: readonly string[];
}

export type ToWriter =
  | { readonly type: 'open'; readonly table: string; readonly path: string; readonly columns: readonly WireColumn[]; readonly createdBy: string }
  | {
      readonly type: 'write';
      readonly table: string;
      readonly length: number;
      /** the batch's columns, in the table's column order, each holding exactly `length` rows */
      readonly columns: readonly ArrayBufferView[];
      /** strings interned since the last message, in id order */
      readonly strings: readonly string[];
      /** addresses interned since the last message, as (hi, lo) pairs in id order */
      readonly addresses: Uint32Array;
    }
  | { readonly type: 'close' | 'abandon'; readonly table: string };

/** A write failure as plain data: what the store's error handling reads (writeFailure). */
export interface WireError {
  readonly message: string;
  readonly code?: string;
  readonly path?: string;
  readonly syscall?: string;
}

export type FromWriter =
  | { readonly type: 'taken'; readonly table: string }
  | { readonly type: 'closed' | 'abandoned'; readonly table: string; readonly rows: number }
  | { readonly type: 'failed'; readonly table: string; readonly error: WireError };

export function toWire(e: unknown): WireError {
  const err = e as NodeJS.ErrnoException;
  return {
    message: String(err?.message ?? e),
    ...(err?.code !== undefined && { code: err.code }),
    ...(err?.path !== undefined && { path: err.path }),
    ...(err?.syscall !== undefined && { syscall: err.syscall }),
  };
}

export function fromWire(w: WireError): Error {
  return Object.assign(
    new Error(w.message),
    w.code !== undefined && { code: w.code },
    w.path !== undefined && { path: w.path },
    w.syscall !== undefined && { syscall: w.syscall },
  );
}
