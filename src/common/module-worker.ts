// A worker thread running one of the project's modules, from dist/ (compiled
// .js) or from the sources under tsx (the tests). Node 20 does not hand a
// loader given by --import on to a worker, so under tsx the worker registers
// tsx's loader itself before it imports the module.

import { Worker } from 'node:worker_threads';

/**
 * Whether the reader and the store use their threads unless told otherwise.
 * VMREPLAY_THREADS=1 or 0 decides; without it, yes when the project runs
 * compiled (dist/: the command line, the library), no under tsx (the tests).
 * There a thread compiles its modules again (about 1 s each with tsx's cache
 * off) and its coverage is not collected, so the tests read and write on one
 * thread unless they ask for the threads; test/ingest/worker.test.ts and
 * test/store/table-file.test.ts hold the two ways equal, byte for byte.
 */
export const THREADS_BY_DEFAULT = process.env.VMREPLAY_THREADS === '1' ? true : process.env.VMREPLAY_THREADS === '0' ? false : !import.meta.url.endsWith('.ts');

/** A worker thread running the module at `url` (a .js or, under tsx, a .ts file). */
export function moduleWorker(url: URL): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url);
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(code, { eval: true });
}

/** The URL of module `name` beside `meta` in this build: `name.ts` under tsx, `name.js` in dist/. */
export function siblingModule(meta: ImportMeta, name: string): URL {
  return new URL(`./${name}${meta.url.endsWith('.ts') ? '.ts' : '.js'}`, meta.url);
}
