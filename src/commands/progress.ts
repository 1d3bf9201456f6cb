// Progress on a terminal during a long run: while reading, the share of the
// input consumed (compressed bytes for compressed input), an ETA, events and
// events/s; then, while the store builds the tables, which table it is on.
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

/** `42.0% of 29.1 MB, ETA 0:14; 123456 events, 45000 events/s, 3000 faults` */
export function readingLine(p: RunProgress, totalBytes: number | null, seconds: number): string {
  const rate = `${p.events} events, ${Math.round(p.events / Math.max(seconds, 1e-3))} events/s, ${p.faults} faults`;
  if (!totalBytes) return `${(p.bytesRead / 1e6).toFixed(1)} MB read; ${rate}`;
  const share = Math.min(1, p.bytesRead / totalBytes);
  // Read ahead of the replay (the sort window holds events back): no ETA to give from the input any more.
  if (share >= 1) return `all ${(totalBytes / 1e6).toFixed(1)} MB read, replaying the rest; ${rate}`;
  const eta = share > 0 && seconds >= 1 ? `, ETA ${clock((seconds * (1 - share)) / share)}` : '';
  return `${(100 * share).toFixed(1)}% of ${(totalBytes / 1e6).toFixed(1)} MB${eta}; ${rate}`;
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
