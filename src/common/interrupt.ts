// Cleaning up on Ctrl-C or `kill`: code that leaves something half-made on
// disk while it works (a run's temporary directory, a lock) registers a
// synchronous cleanup; SIGINT or SIGTERM runs every registered cleanup and
// exits 130 or 143, the shell's codes for those signals.

type Cleanup = () => void;

const cleanups = new Set<Cleanup>();
const EXIT_CODES: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

function onSignal(signal: 'SIGINT' | 'SIGTERM'): void {
  for (const c of [...cleanups].reverse()) {
    try {
      c();
    } catch {
      // best effort: the process is going away; the other cleanups still run
    }
  }
  cleanups.clear();
  process.exit(EXIT_CODES[signal]);
}

const handlers = { SIGINT: () => onSignal('SIGINT'), SIGTERM: () => onSignal('SIGTERM') };

/** Run `cleanup` if the process is interrupted; returns the function that unregisters it. */
export function onInterrupt(cleanup: Cleanup): () => void {
  if (cleanups.size === 0) for (const [signal, h] of Object.entries(handlers)) process.on(signal, h);
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0) for (const [signal, h] of Object.entries(handlers)) process.off(signal, h);
  };
}
