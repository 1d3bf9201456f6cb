// What every notebook starts with, in one call: the run to read (the one a
// variable names, else the trace replayed into a folder beside the notebook)
// and `show`, which hands a MIME bundle to the kernel. Deno's kernel can tell
// Jupyter a cell is finished before its last display is sent, so `show`
// waits a moment after each (notebooks/README.md).

import type { MimeBundle } from './display.js';
import { openRun, type Run } from './open-run.js';
import { replay } from './replay.js';

/** The part of Deno's global a notebook uses (`Deno` in a Deno Jupyter kernel). */
export interface NotebookKernel {
  readonly env: { get(key: string): string | undefined };
  readonly jupyter: { display(bundle: MimeBundle, options: { raw: true }): unknown };
}

export interface NotebookOptions {
  /** the environment variable naming a run to read (e.g. VMREPLAY_RUN) */
  readonly env: string;
  /** the trace to replay when the variable is unset */
  readonly trace: string;
  /** where to replay it (relative to the notebook's folder) */
  readonly out: string;
}

export interface NotebookSession {
  readonly run: Run;
  /** hand a chart or table bundle to the kernel */
  show(bundle: MimeBundle): Promise<void>;
}

/** Pause after each display so the kernel sends it before the cell ends. */
export const DISPLAY_PAUSE_MS = 20;

/** `show` for `kernel`: the bundle as it is (raw), then the pause. */
export function shower(kernel: Pick<NotebookKernel, 'jupyter'>): (bundle: MimeBundle) => Promise<void> {
  return async (bundle) => {
    await kernel.jupyter.display(bundle, { raw: true });
    await new Promise((resolve) => setTimeout(resolve, DISPLAY_PAUSE_MS));
  };
}

/** Open the notebook's run (replaying `trace` into `out` when `env` names none) and a `show` for `kernel`. */
export async function notebook(kernel: NotebookKernel, options: NotebookOptions): Promise<NotebookSession> {
  const dir = kernel.env.get(options.env) ?? (await replay(options.trace, { out: options.out })).out!;
  return { run: await openRun(dir), show: shower(kernel) };
}
