// What an ingest is asked to do and what it tells of its progress: one place
// for the reader in this thread (open.ts) and the one in a worker (worker/).

import type { FormatName } from './framing.js';

export interface IngestOptions {
  /** `auto` sniffs each file. */
  format?: FormatName | 'auto';
  strict?: boolean;
  /** How far (ns) out-of-order rows may arrive and still be sorted; default 1 s. */
  sortWindowNs?: number;
  batchRows?: number;
  /** called after each piece of input is parsed, also while the sort window holds every event back (progress) */
  onRead?: () => void;
  /**
   * Read (tokenize, parse, sort, merge) in a worker thread, so this thread
   * only takes the batches; standard input is read here regardless. Default
   * false here; the command line and the library's replay() turn it on.
   */
  worker?: boolean;
}

/** How far an ingest has got, in input bytes and events. */
export interface IngestProgress {
  /** input bytes the parser has consumed (compressed bytes for compressed input) */
  readonly bytesRead: number;
  /**
   * input bytes whose events have been handed on, in order: the bytes read so
   * far in the share of their events that left the sort window. Behind
   * bytesRead while the window holds events back (all of them, when the
   * trace spans less time than the window).
   */
  readonly bytesHandedOn: number;
  /** events parsed so far */
  readonly eventsRead: number;
}
