// Progress on a terminal during a long run (bytes read, events/s); quiet when
// standard error is not a terminal.

import type { Ingest } from '../ingest/open.js';
import type { ReplayEngine } from '../replay/engine.js';

export function progressReporter(stream: NodeJS.WriteStream = process.stderr) {
  const started = performance.now();
  let last = started;
  let shown = false;
  return {
    update: (ingest: Ingest, engine: ReplayEngine): void => {
      if (!stream.isTTY) return;
      const now = performance.now();
      if (now - last < 500) return;
      last = now;
      const secs = (now - started) / 1000;
      const mb = ingest.bytesRead() / 1e6;
      stream.write(`\r  ${mb.toFixed(1)} MB read, ${engine.events} events, ${Math.round(engine.events / secs)} events/s, ${engine.faultsReplayed} faults   `);
      shown = true;
    },
    done: (): void => {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
