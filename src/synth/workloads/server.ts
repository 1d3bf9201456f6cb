// A multi-threaded server (2 worker threads per CPU in one process): threads
// share one address space, so faults are rare and mostly on memory the
// pageout daemon took away, on pages of the content files it serves (cold
// ones are read while other threads wait on the busy page), on a shared
// anonymous region (a scoreboard and cache every thread writes), and on heap
// growth. Now and then it forks a CGI child, which copies a large address
// space (many map_splits; the shared region is inherited by reference) and
// leaves the parent's heap copy-on-write for all its threads.

import { type DataFile, IMAGES } from '../images.js';
import { afterFork, heapGrow, heapReuse, run, startDynamic, touch, touchPopular, touchStack } from '../programs.js';
import type { SimMapEntry, Thread } from '../process.js';
import { hashString } from '../rng.js';
import { type Body, exec, exit, fork, mmapAnon, mmapFile, munmap, newThread, reapChildren, sleepUntil, spawn } from '../syscalls.js';
import type { World } from '../world.js';
import type { Workload } from './workload.js';

const I = IMAGES;
const FILES = 48;
const SHM_PAGES = 1024;

function content(i: number): DataFile {
  const h = hashString(`content${i}`);
  return { path: `/var/www/data/page${i}.html`, pages: 2 + (h % 40), warm: i < 10 ? 1 : 0.5 };
}

export const server: Workload = {
  name: 'server',
  summary: 'multi-threaded server: worker threads sharing one address space, mmapped content, a shared anonymous region, CGI forks',
  pressure: 'low',
  warmupNs: 20_000_000,
  boot(w, cpus) {
    spawn(w, I.httpd, (t) => main(w, t, Math.max(2, 2 * cpus)));
  },
};

interface Shared {
  readonly shm: SimMapEntry;
  readonly files: SimMapEntry[];
}

function* main(w: World, t: Thread, threads: number): Body {
  const { rng } = w;
  yield* startDynamic(w, t, I.httpd);
  yield* run(w, t, I.httpd, { text: 40, libText: 60, heapNew: 600, heapReuse: 200, stack: 8, data: 6 });
  const shm = mmapAnon(t, 'shm', SHM_PAGES, true);
  for (let i = 0; i < 64; i++) yield* touch(w, t, shm, i, 'W');
  const files: SimMapEntry[] = [];
  for (let i = 0; i < FILES; i++) files.push(yield* mmapFile(w, t, content(i)));
  const shared: Shared = { shm, files };
  for (let i = 1; i < threads; i++) newThread(w, t, (nt) => worker(w, nt, shared));
  yield Math.round(rng.between(10_000, 30_000));
  yield* worker(w, t, shared);
}

function* worker(w: World, t: Thread, shared: Shared): Body {
  const { rng } = w;
  const stack = `stack:${t.tid}`;
  for (;;) {
    // Wait for the next request (network), then serve it.
    yield* sleepUntil(t, t.cpu.now + Math.round(rng.exp(120_000)));
    yield* touchStack(w, t, t.proc.space.get(stack) ? stack : 'stack');
    for (let i = rng.int(2, 8); i > 0; i--) yield* touchPopular(w, t, 'text', I.httpd.path, 'X');
    for (let i = rng.int(2, 8); i > 0; i--) {
      const lib = rng.pick(I.httpd.libs);
      yield* touchPopular(w, t, `${lib.path}:text`, lib.path, 'X');
    }
    for (let i = rng.int(4, 16); i > 0; i--) yield* heapReuse(w, t);
    if (rng.chance(0.08)) yield* heapGrow(w, t, rng.int(1, 4));
    // The scoreboard and the shared cache: hot pages written by every thread.
    for (let i = rng.int(1, 3); i > 0; i--) yield* touch(w, t, shared.shm, rng.zipf(SHM_PAGES, 1.3), rng.chance(0.6) ? 'W' : 'R');
    // The content served: a file by popularity, read from its start.
    const file = shared.files[rng.zipf(shared.files.length, 1.1)]!;
    const pages = Math.min(file.pages, rng.int(1, 12));
    for (let p = 0; p < pages; p++) yield* touch(w, t, file, p, 'R');
    if (rng.chance(0.1)) yield* scratchBuffer(w, t);
    if (rng.chance(0.002)) {
      yield* fork(w, t, (c) => cgi(w, c));
      yield Math.round(rng.between(3_000, 8_000));
    }
    reapChildren(t.proc);
  }
}

/** A large response buffer: malloc maps fresh anonymous memory, fills it, and unmaps it. */
function* scratchBuffer(w: World, t: Thread): Body {
  const buffer = mmapAnon(t, `buffer:${t.tid}`, w.rng.int(2, 16), false);
  for (let i = 0; i < buffer.pages; i++) yield* touch(w, t, buffer, i, 'W');
  yield* munmap(w, t, buffer);
}

function* cgi(w: World, t: Thread): Body {
  const { rng } = w;
  yield* afterFork(w, t);
  const image = rng.chance(0.5) ? I.php : I.sh;
  yield* exec(w, t, image);
  yield* startDynamic(w, t, image);
  yield* run(w, t, image, { text: rng.int(20, 80), libText: rng.int(20, 60), heapNew: rng.int(10, 100), heapReuse: rng.int(20, 100), stack: 6, data: 4 });
  yield* exit(w, t);
}
