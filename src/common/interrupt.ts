// Cleaning up on Ctrl-C or `kill`: code that leaves something half-made on
// disk while it works (a run's temporary directory, a lock) registers a
// synchronous cleanup; SIGINT or SIGTERM runs every registered cleanup and
// exits 130 or 143, the shell's codes for those signals. A cleanup may instead
// say the work was already complete (a run in place in OUT): its note is
// printed and the process exits 0, since nothing was lost.

/** What a cleanup found: nothing to say, or that the work it guards was complete. */
export type Cleanup = () => void | { readonly complete: string };

const cleanups = new Set<Cleanup>();
const EXIT_CODES: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

function onSignal(signal: 'SIGINT' | 'SIGTERM'): void {
  let complete: string | null = null;
  for (const c of [...cleanups].reverse()) {
    try {
      const outcome = c();
      if (outcome) complete ??= outcome.complete;
    } catch {
      // best effort: the process is going away; the other cleanups still run
    }
  }
  cleanups.clear();
  if (complete !== null) process.stderr.write(`vmreplay: ${complete}\n`);
  process.exit(complete !== null ? 0 : EXIT_CODES[signal]);
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

/** The note of a run that was complete in `outDir` when the signal came. */
export const completeNote = (outDir: string): { complete: string } => ({
  complete: `interrupted after the run was complete: ${outDir} holds the new run, whole`,
});
