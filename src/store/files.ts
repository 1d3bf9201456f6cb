// Synchronous gathered writes: a batch's buffers go to the file in one writev,
// straight from the typed arrays, so nothing is queued in memory between
// batches and a caller may reuse its buffers as soon as the call returns.

import { writevSync } from 'node:fs';

const MAX_BUFFERS = 512; // below IOV_MAX everywhere

/** Write every byte of `parts` at the file's current position; returns the byte count. */
export function writeAllSync(fd: number, parts: readonly Uint8Array[]): number {
  let pending = parts.filter((p) => p.byteLength > 0);
  let total = 0;
  while (pending.length > 0) {
    const slice = pending.slice(0, MAX_BUFFERS);
    let written = writevSync(fd, slice);
    total += written;
    // writev may stop short: continue from the first byte not written.
    let i = 0;
    while (i < slice.length && written >= slice[i]!.byteLength) written -= slice[i++]!.byteLength;
    const rest = i < slice.length ? [slice[i]!.subarray(written), ...slice.slice(i + 1)] : [];
    pending = [...rest, ...pending.slice(slice.length)];
  }
  return total;
}
