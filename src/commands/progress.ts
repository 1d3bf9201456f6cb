// Progress on a terminal during a long run: while reading and replaying, the
// share of the work done (from the input bytes the parser has consumed and
// those whose events were replayed; compressed bytes for compressed input), an
// ETA, and the events read and replayed; then, while the store builds the
// tables, which table it is on.
// Nothing when standard error is not a terminal, or with --quiet.

import type { RunProgress } from '../replay/run.js';
import type { BuildProgress } from '../store/database.js';
import { isQuiet } from './console.js';

const EVERY_MS = 500;

export interface ProgressReporter {
  /** reading and replaying */
  update(p: RunProgress): void;
  /** building the tables (the store's close) */
  building(p: BuildProgress): void;
  /** clear the line */
  done(): void;
}

/** `totalBytes`: the input's size on disk (null when unknown, e.g. standard input). */
export function progressReporter(totalBytes: number | null, stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const started = performance.now();
  const show = stream.isTTY === true && !isQuiet();
  let last = started;
  let shown = false;
  const write = (text: string) => {
    stream.write(`\r\x1b[K  ${text}`);
    shown = true;
  };
  return {
    update(p) {
      if (!show) return;
      const now = performance.now();
      if (now - last < EVERY_MS) return;
      last = now;
      write(readingLine(p, totalBytes, (now - started) / 1000));
    },
    building(p) {
      if (show) write(buildingLine(p));
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

/**
 * The share of reading in read + replay, by the CPU time each takes
 * (`npm run bench`: the reader alone against ingest + replay of three models).
 * Progress counts reading the input and replaying its events apart, so that
 * it moves on while a sort window holds every event back to the end of the
 * input, and then while those events are replayed.
 */
export const READ_SHARE = 0.4;

/** The share of the work done: bytes the parser has consumed, and bytes whose events the replay has had. */
export function workDone(p: RunProgress, totalBytes: number): number {
  const read = Math.min(1, p.bytesRead / totalBytes);
  const replayed = Math.min(read, p.bytesHandedOn / totalBytes);
  return READ_SHARE * read + (1 - READ_SHARE) * replayed;
}

/** `42.0% of 29.1 MB, ETA 0:14; 400000 events read, 123456 replayed, 3000 faults` */
export function readingLine(p: RunProgress, totalBytes: number | null, seconds: number): string {
  const counts = `${p.eventsRead} events read, ${p.events} replayed, ${p.faults} faults`;
  if (!totalBytes) return `${(p.bytesRead / 1e6).toFixed(1)} MB read; ${counts}`;
  const share = workDone(p, totalBytes);
  const eta = share > 0 && seconds >= 1 ? `, ETA ${clock((seconds * (1 - share)) / share)}` : '';
  return `${(100 * share).toFixed(1)}% of ${(totalBytes / 1e6).toFixed(1)} MB${eta}; ${counts}`;
}

/** `building tables: events (1/12)` */
export function buildingLine(p: BuildProgress): string {
  if (p.step >= p.steps) return `building tables: done (${p.steps}/${p.steps})`;
  return `building tables: ${p.name} (${p.step + 1}/${p.steps})`;
}

/** Seconds as m:ss (h:mm:ss past an hour). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}
