// A parallel build (make -j ncpu): make forks a shell per job, the shell runs
// the compiler driver, the driver runs cc1 and then the assembler. cc1 maps
// its source file and the headers it includes (popular headers are mapped by
// every compiler running, so their reference counts are high), reads them,
// and grows a large heap; every job's processes are short-lived. Now and then
// the objects built so far are linked.

import { type DataFile, IMAGES } from '../images.js';
import { afterFork, heapGrow, run, startDynamic, touch, touchHot } from '../programs.js';
import type { Thread } from '../process.js';
import { hashString } from '../rng.js';
import { type Body, exec, exit, fork, mmapFile, spawn, waitChild } from '../syscalls.js';
import type { World } from '../world.js';
import type { Workload } from './workload.js';

const I = IMAGES;
const SOURCES = 600;
const HEADERS = 160;
/** Jobs between link steps. */
const LINK_EVERY = 40;

const COMMON_HEADERS = [
  'sys/cdefs.h',
  'sys/types.h',
  'machine/stdint.h',
  'stdio.h',
  'stdlib.h',
  'string.h',
  'unistd.h',
  'sys/param.h',
  'errno.h',
  'stddef.h',
  'limits.h',
  'machine/param.h',
  'sys/stat.h',
  'fcntl.h',
  'ctype.h',
  'stdarg.h',
  'sys/time.h',
  'time.h',
  'signal.h',
  'sys/queue.h',
  'assert.h',
  'err.h',
  'locale.h',
  'sys/ioctl.h',
];

/** Header number `rank` (0 = included by everything). */
function header(rank: number): DataFile {
  const name = rank < COMMON_HEADERS.length ? COMMON_HEADERS[rank]! : `sys/h${rank}.h`;
  const h = hashString(name);
  return { path: `/usr/include/${name}`, pages: 1 + (h % 12), warm: rank < 40 ? 1 : 0.4 };
}

function source(i: number): DataFile {
  const dir = `usr.bin/prog${Math.floor(i / 12)}`;
  const h = hashString(`${dir}/${i}`);
  return { path: `/usr/src/${dir}/file${i % 12}.c`, pages: 2 + (h % 30), warm: 0.05 };
}

function objectFile(i: number): DataFile {
  return { path: `/usr/obj/usr.bin/prog${Math.floor(i / 12)}/file${i % 12}.o`, pages: 2 + (hashString(`o${i}`) % 20), warm: 1 };
}

export const build: Workload = {
  name: 'build',
  summary: 'parallel build (make -j ncpu): shells, compiler drivers, cc1 with big heaps reading sources and headers, as, ld',
  pressure: 'low',
  warmupNs: 40_000_000,
  boot(w, cpus) {
    spawn(w, I.make, (t) => make(w, t, cpus));
  },
};

function* make(w: World, t: Thread, jobs: number): Body {
  const { rng } = w;
  yield* startDynamic(w, t, I.make);
  // Read the Makefiles and build the dependency graph.
  yield* run(w, t, I.make, { text: rng.int(20, 40), libText: rng.int(20, 40), heapNew: rng.int(40, 90), heapReuse: rng.int(40, 80), stack: 6, data: 4 });
  let running = 0;
  let built = 0;
  for (let next = 0; ; next = (next + 1) % SOURCES) {
    while (running >= jobs) {
      yield* waitChild(w, t);
      running--;
    }
    yield* run(w, t, I.make, { text: rng.int(0, 3), libText: rng.int(2, 6), heapNew: rng.chance(0.2) ? 1 : 0, heapReuse: rng.int(2, 8), stack: 1, data: 0 });
    const src = next;
    yield* fork(w, t, (c) => job(w, c, src));
    running++;
    yield Math.round(rng.between(5_000, 15_000));
    if (++built % LINK_EVERY === 0) {
      for (; running > 0; running--) yield* waitChild(w, t);
      const first = Math.max(0, next - LINK_EVERY + 1);
      yield* fork(w, t, (c) => linker(w, c, first, next));
      yield* waitChild(w, t);
    }
  }
}

/** sh -c "cc -O2 -c file.c" */
function* job(w: World, t: Thread, src: number): Body {
  const { rng } = w;
  yield* afterFork(w, t);
  yield* exec(w, t, I.sh);
  yield* startDynamic(w, t, I.sh);
  yield* run(w, t, I.sh, { text: rng.int(2, 6), libText: rng.int(4, 10), heapNew: 1, heapReuse: rng.int(2, 6), stack: 2, data: 1 });
  yield* fork(w, t, (c) => driver(w, c, src));
  yield* waitChild(w, t);
  yield* exit(w, t);
}

/** The compiler driver: cc1, then as, one after the other. */
function* driver(w: World, t: Thread, src: number): Body {
  const { rng } = w;
  yield* afterFork(w, t);
  yield* exec(w, t, I.cc);
  yield* startDynamic(w, t, I.cc);
  yield* run(w, t, I.cc, { text: rng.int(10, 30), libText: rng.int(10, 20), heapNew: rng.int(2, 6), heapReuse: rng.int(4, 10), stack: 3, data: 2 });
  yield* fork(w, t, (c) => cc1(w, c, src));
  yield* waitChild(w, t);
  yield* fork(w, t, (c) => assembler(w, c));
  yield* waitChild(w, t);
  yield* exit(w, t);
}

function* cc1(w: World, t: Thread, src: number): Body {
  const { rng } = w;
  yield* afterFork(w, t);
  yield* exec(w, t, I.cc1);
  yield* startDynamic(w, t, I.cc1);
  yield* touchHot(w, t, 'text', I.cc1.path, rng.int(40, 90), 'X');
  // Preprocess: the source and each header it includes, page by page.
  const files: DataFile[] = [source(src)];
  const included = new Set<number>();
  for (let n = rng.int(15, 60); included.size < n; ) included.add(rng.zipf(HEADERS, 1.2));
  for (const rank of included) files.push(header(rank));
  for (const file of files) {
    const e = yield* mmapFile(w, t, file);
    yield Math.round(rng.between(2_000, 6_000));
    for (let i = 0; i < file.pages; i++) {
      yield* touch(w, t, e, i, 'R');
      if (rng.chance(0.5)) yield* heapGrow(w, t, 1);
    }
  }
  // Parse, optimize, emit: a large heap, much of the compiler's text.
  yield* run(w, t, I.cc1, {
    text: rng.int(100, 400),
    libText: rng.int(20, 60),
    heapNew: rng.int(200, 1200),
    heapReuse: rng.int(300, 1200),
    stack: rng.int(20, 60),
    data: rng.int(5, 20),
  });
  yield* exit(w, t);
}

function* assembler(w: World, t: Thread): Body {
  const { rng } = w;
  yield* afterFork(w, t);
  yield* exec(w, t, I.as);
  yield* startDynamic(w, t, I.as);
  // The .s cc1 just wrote is in the page cache.
  const asm: DataFile = { path: `/tmp/cc${t.proc.pid}.s`, pages: rng.int(5, 60), warm: 1 };
  const e = yield* mmapFile(w, t, asm);
  for (let i = 0; i < asm.pages; i++) yield* touch(w, t, e, i, 'R');
  yield* run(w, t, I.as, { text: rng.int(20, 60), libText: rng.int(10, 30), heapNew: rng.int(30, 200), heapReuse: rng.int(50, 200), stack: 6, data: 3 });
  yield* exit(w, t);
  w.forgetVnode(asm.path); // the temporary file is removed
}

function* linker(w: World, t: Thread, first: number, last: number): Body {
  const { rng } = w;
  yield* afterFork(w, t);
  yield* exec(w, t, I.ld);
  yield* startDynamic(w, t, I.ld);
  for (let i = first; i <= last; i++) {
    const obj = objectFile(i);
    const e = yield* mmapFile(w, t, obj);
    for (let p = 0; p < obj.pages; p++) yield* touch(w, t, e, p, 'R');
    yield* heapGrow(w, t, rng.int(2, 8));
  }
  yield* run(w, t, I.ld, { text: rng.int(60, 160), libText: rng.int(20, 40), heapNew: rng.int(300, 1200), heapReuse: rng.int(300, 900), stack: 8, data: 6 });
  yield* exit(w, t);
}
