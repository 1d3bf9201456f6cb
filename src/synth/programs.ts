// What a user program does to its address space, as the building blocks the
// workloads assemble: touching a page (a fault when the pmap has no mapping
// good enough for the access), the dynamic linker's start-up, and a program's
// run as a mix of text, library, heap, stack and data touches.

import { fault, type Access } from './fault.js';
import { type Image, type Library, RTLD, touchOrder } from './images.js';
import type { SimMapEntry, Thread } from './process.js';
import { type Body, growHeap } from './syscalls.js';
import type { World } from './world.js';

/** Longest a thread runs ahead of its step start before it lets the other CPUs catch up. */
const MAX_RUN_AHEAD_NS = 20_000;

/** Mean user time after a fault before the next touch, ns. */
const USER_GAP_NS = 5_000;

/** Touch a page of `entry` (index within the entry): a fault unless already mapped for the access. */
export function* touch(w: World, t: Thread, entry: SimMapEntry | undefined, index: number, access: Access): Body {
  if (!entry || index < 0 || index >= entry.pages) return;
  const vpn = entry.start + index;
  if (t.proc.space.isMapped(vpn, access === 'W', t.cpu.now)) {
    t.cpu.now += Math.round(w.rng.between(50, 400));
    if (t.cpu.now - t.cpu.stepStart > MAX_RUN_AHEAD_NS) yield 0;
    return;
  }
  yield* fault(w, t, entry, vpn, access);
  yield Math.round(w.rng.exp(USER_GAP_NS) + 300);
}

export function* touchNamed(w: World, t: Thread, name: string, index: number, access: Access): Body {
  yield* touch(w, t, t.proc.space.get(name), index, access);
}

/** The first `count` pages of a file mapping's touch order (code paths that always run). */
export function* touchHot(w: World, t: Thread, name: string, path: string, count: number, access: Access): Body {
  const entry = t.proc.space.get(name);
  if (!entry) return;
  const order = touchOrder(path, entry.pages);
  for (let i = 0; i < Math.min(count, order.length); i++) yield* touch(w, t, entry, order[i]!, access);
}

/** A page of a file mapping drawn by popularity (Zipf over its touch order). */
export function* touchPopular(w: World, t: Thread, name: string, path: string, access: Access): Body {
  const entry = t.proc.space.get(name);
  if (!entry) return;
  const order = touchOrder(path, entry.pages);
  yield* touch(w, t, entry, order[w.rng.zipf(order.length, 1.1)]!, access);
}

/** Write to the top pages of the stack (a function call chain). */
export function* touchStack(w: World, t: Thread, name = 'stack'): Body {
  const stack = t.proc.space.get(name);
  if (!stack) return;
  yield* touch(w, t, stack, stack.pages - 1 - w.rng.zipf(8, 1.5), 'W');
}

/**
 * A forked child before it execs: it writes its stack (the write shadows the
 * copy-on-write entry) and reads the frames above (found in the parent's
 * object, mapped read-only), and sometimes reads and writes shell variables.
 */
export function* afterFork(w: World, t: Thread): Body {
  const { rng } = w;
  const stack = t.proc.space.get('stack');
  if (stack) {
    yield* touch(w, t, stack, stack.pages - 1, 'W');
    for (let k = rng.int(1, 3); k > 0; k--) yield* touch(w, t, stack, stack.pages - 1 - k, 'R');
  }
  if (rng.chance(0.3)) {
    yield* heapReuse(w, t);
    yield* heapReuse(w, t);
  }
  yield Math.round(rng.between(3_000, 10_000)); // redirections, signals
}

/** Grow the heap by `pages` and write each new page (malloc handing out fresh memory). */
export function* heapGrow(w: World, t: Thread, pages: number): Body {
  const heap = t.proc.space.get('heap');
  if (!heap) return;
  const from = heap.pages;
  growHeap(t.proc.space, pages);
  for (let i = from; i < heap.pages; i++) yield* touch(w, t, heap, i, 'W');
}

/** Use memory the heap already has (reads and writes anywhere in it). */
export function* heapReuse(w: World, t: Thread, name = 'heap'): Body {
  const heap = t.proc.space.get(name);
  if (!heap || heap.pages === 0) return;
  yield* touch(w, t, heap, w.rng.below(heap.pages), w.rng.chance(0.5) ? 'W' : 'R');
}

/**
 * ld-elf.so.2 at work after exec: it runs its own text, relocates its data,
 * maps each library (text and data: two references on the file), reads its
 * headers, relocates its data (the first write to each data page copies it),
 * runs its init code; then the binary's relocations, start-up code, stack and
 * malloc's first pages.
 */
export function* startDynamic(w: World, t: Thread, image: Image): Body {
  const { rng } = w;
  if (image.libs.length > 0) {
    yield* touchHot(w, t, `${RTLD.path}:text`, RTLD.path, rng.int(8, 14), 'X');
    yield* touchNamed(w, t, `${RTLD.path}:data`, 0, 'W');
    yield* touchNamed(w, t, `${RTLD.path}:bss`, 0, 'W');
    for (const lib of image.libs) {
      yield Math.round(rng.between(3_000, 8_000)); // open, read the ELF header
      yield* w.mapLibrary(t, t.proc.space, lib);
      yield* relocate(w, t, lib);
    }
  }
  for (let i = 0; i < image.dataPages; i++) if (i === 0 || rng.chance(0.6)) yield* touchNamed(w, t, 'data', i, 'W');
  yield* touchNamed(w, t, 'bss', 0, 'W');
  yield* touchHot(w, t, 'text', image.path, rng.int(3, 8), 'X');
  yield* touchStack(w, t);
  yield* heapGrow(w, t, rng.int(1, 4));
}

function* relocate(w: World, t: Thread, lib: Library): Body {
  const { rng } = w;
  yield* touchNamed(w, t, `${lib.path}:text`, 0, 'R');
  const dirty = Math.min(lib.dataPages, rng.int(1, Math.max(1, Math.ceil(lib.dataPages / 2))));
  for (let i = 0; i < dirty; i++) yield* touchNamed(w, t, `${lib.path}:data`, i, 'W');
  yield* touchNamed(w, t, `${lib.path}:bss`, 0, 'W');
  yield* touchHot(w, t, `${lib.path}:text`, lib.path, rng.int(1, 4), 'X');
}

/** How much of each kind of memory a program run touches. */
export interface RunPlan {
  /** binary text pages beyond start-up (in touch order) */
  text: number;
  /** library text touches (popular pages) */
  libText: number;
  /** new heap pages */
  heapNew: number;
  /** touches of heap already there */
  heapReuse: number;
  stack: number;
  /** reads and writes of the binary's data segment */
  data: number;
}

/** A program's run: its touches in a random interleaving. */
export function* run(w: World, t: Thread, image: Image, plan: RunPlan): Body {
  const { rng } = w;
  const left = [plan.text, plan.libText, plan.heapNew, plan.heapReuse, plan.stack, plan.data];
  const order = touchOrder(image.path, image.textPages);
  let textAt = Math.min(order.length - 1, rng.int(3, 8));
  for (;;) {
    const kind = rng.weighted(left);
    if (left[kind]! <= 0) break;
    left[kind]!--;
    switch (kind) {
      case 0:
        // mostly onward through the code, sometimes back into hot code
        textAt = rng.chance(0.8) ? Math.min(order.length - 1, textAt + 1) : rng.zipf(textAt + 1, 1.2);
        yield* touchNamed(w, t, 'text', order[textAt]!, 'X');
        break;
      case 1: {
        const lib = image.libs.length ? libByUse(w, image.libs) : null;
        if (lib) yield* touchPopular(w, t, `${lib.path}:text`, lib.path, 'X');
        break;
      }
      case 2:
        yield* heapGrow(w, t, 1);
        break;
      case 3:
        yield* heapReuse(w, t);
        break;
      case 4:
        yield* touchStack(w, t);
        break;
      case 5:
        yield* touchNamed(w, t, 'data', rng.below(image.dataPages), rng.chance(0.4) ? 'W' : 'R');
        break;
    }
  }
}

/** libc gets most library calls; the rest share what is left. */
function libByUse(w: World, libs: readonly Library[]): Library {
  const libc = libs[libs.length - 1]!;
  return w.rng.chance(0.6) ? libc : w.rng.pick(libs);
}
