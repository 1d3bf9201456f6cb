// Cleaning up on Ctrl-C or `kill`: code that leaves something half-made on
// disk while it works (a run's temporary directory, a lock) registers a
// cleanup; SIGINT or SIGTERM runs every registered cleanup, newest first, and
// exits 130 or 143, the shell's codes for those signals. A cleanup may instead
// say the work was already complete (a run in place in OUT): its note is
// printed and the process exits 0, since nothing was lost.

/**
 * What a cleanup found: nothing to say, that the work it guards was complete,
 * or a promise of its end (children to wait for): the cleanups registered
 * before it run once it has settled.
 */
export type Cleanup = (signal: 'SIGINT' | 'SIGTERM') => void | { readonly complete: string } | Promise<void>;

const cleanups = new Set<Cleanup>();
const EXIT_CODES: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };
let stopping = false;

function onSignal(signal: 'SIGINT' | 'SIGTERM'): void {
  if (stopping) return; // a second signal while waiting: the cleanups already run
  stopping = true;
  const finish = (complete: string | null) => {
    cleanups.clear();
    if (complete !== null) process.stderr.write(`vmreplay: ${complete}\n`);
    process.exit(complete !== null ? 0 : EXIT_CODES[signal]);
  };
  const outcome = runCleanups(signal, [...cleanups].reverse());
  if (outcome instanceof Promise) void outcome.then(finish);
  else finish(outcome); // at once: nothing else runs between the cleanups and the exit
}

/** Every cleanup, newest first, each after the one before has settled (synchronously when none returns a promise). */
function runCleanups(signal: 'SIGINT' | 'SIGTERM', list: Cleanup[], found: string | null = null): string | null | Promise<string | null> {
  let complete = found;
  for (let i = 0; i < list.length; i++) {
    let outcome: ReturnType<Cleanup>;
    try {
      outcome = list[i]!(signal);
    } catch {
      continue; // best effort: the process is going away; the other cleanups still run
    }
    if (outcome instanceof Promise) {
      const rest = list.slice(i + 1);
      const sofar = complete;
      return outcome.catch(() => {}).then(() => runCleanups(signal, rest, sofar));
    }
    if (outcome) complete ??= outcome.complete;
  }
  return complete;
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
