// Progress on a terminal during a long run (bytes read, events/s); quiet when
// standard error is not a terminal.

import type { RunProgress } from '../replay/run.js';

export function progressReporter(stream: NodeJS.WriteStream = process.stderr) {
  const started = performance.now();
  let last = started;
  let shown = false;
  return {
    update: (p: RunProgress): void => {
      if (!stream.isTTY) return;
      const now = performance.now();
      if (now - last < 500) return;
      last = now;
      const secs = (now - started) / 1000;
      const mb = p.bytesRead / 1e6;
      stream.write(`\r  ${mb.toFixed(1)} MB read, ${p.events} events, ${Math.round(p.events / secs)} events/s, ${p.faults} faults   `);
      shown = true;
    },
    done: (): void => {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
