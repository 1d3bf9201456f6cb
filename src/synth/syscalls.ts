// The process-level kernel operations a workload uses, each logging what the
// capture kit logs for it:
//   fork:  proc_fork, the new pmap's page-directory grab, then per entry a
//          map_split (copy-on-write) or an obj_ref (inherited shared);
//   exec:  proc_exec, exec_page of the binary's first page, the old image's
//          deallocations, load_section per ELF segment, the same for the
//          interpreter, and the copyout of the arguments to the new stack;
//   exit:  the deallocations, then proc_exit;
//   mmap / munmap of files: obj_ref +1 / -1.
// Thread bodies are generators: they yield CPU time, SLEEP or BLOCK.

import { fault } from './fault.js';
import { RTLD, type DataFile, type Image } from './images.js';
import { Seen, PG_RESIDENT, type SimObject } from './objects.js';
import { type AddressSpace, BLOCK, type SimMapEntry, type Process, PT_SHIFT, SLEEP, type Thread, type ThreadBody } from './process.js';
import type { World } from './world.js';

export type Body = ThreadBody;

/** Binary text at 0x400000, data in the next 2 MiB region, the stack below 0x7ffffffff000. */
const TEXT_BASE = 0x400;
export const STACK_TOP = 0x7ffffffff;
const STACK_PAGES = 64;
/** Heap (brk) pages a process may grow into. */
const HEAP_MAX = 1 << 20;

/** A process that existed before the simulation: it starts life by exec'ing `image`. */
export function spawn(w: World, image: Image, body: (t: Thread) => Body): Process {
  const p = w.newProcess(null, image.comm);
  const t = p.newThread(w.sched.cpus[0]!);
  w.sched.start(
    t,
    (function* () {
      yield* exec(w, t, image);
      yield* body(t);
    })(),
    w.sched.cpus[0]!.now,
    null,
  );
  return p;
}

/** fork(): the child runs `body` (it usually execs). */
export function* fork(w: World, t: Thread, body: (child: Thread) => Body): Generator<number, Process, void> {
  yield 0;
  yield* w.lockMap(t, t.proc.space);
  w.beginOp(t);
  const parent = t.proc;
  const child = w.newProcess(parent, parent.comm);
  w.emit.procFork(t, child.pid);
  yield w.cost(3_000, 8_000);
  w.emit.pageGrab(t, child.space.pteobj, 'absent', 'pmap_pinit');
  yield w.cost(300, 900);
  for (const e of [...parent.space.entries]) {
    let copy: SimMapEntry;
    if (e.shared) {
      if (e.object) w.reference(t, e.object, 'vmspace_fork');
      copy = e.clone();
    } else {
      copy = w.split(t, e);
      // The parent's writable pages are write-protected: its next write faults.
      if (e.object && e.writable) parent.space.writeProtect(e);
    }
    child.space.insert(copy);
    yield w.cost(300, 1_200);
  }
  child.space.mmapNext = parent.space.mmapNext;
  yield w.cost(5_000, 15_000);
  const ct = child.newThread(t.cpu);
  w.sched.start(ct, body(ct), t.cpu.now, t.cpu);
  w.unlockMap(t, parent.space);
  w.endOp(t);
  return child;
}

/** execve() of a (dynamic unless it has no libraries) ELF binary. */
export function* exec(w: World, t: Thread, image: Image): Body {
  yield 0;
  w.beginOp(t);
  const p = t.proc;
  const space = p.space;
  p.comm = image.comm;
  w.emit.procExec(t, image.path, image.comm);
  yield w.cost(4_000, 12_000); // namei, credentials
  const bin = w.imageObject(image);
  yield* execPage(w, t, bin, 0);
  yield w.cost(2_000, 5_000);
  yield* w.teardown(t, space);

  const dataStart = (((TEXT_BASE + image.textPages) >> PT_SHIFT) + 1) << PT_SHIFT;
  yield* loadSections(w, t, space, '', bin, image, TEXT_BASE, dataStart);
  space.add('heap', 'heap', dataStart + image.dataPages + image.bssPages, 0, null, 0, true, false);
  space.add('stack', 'stack', STACK_TOP - STACK_PAGES, STACK_PAGES, null, 0, true, false);
  if (image.libs.length > 0) {
    const rtld = w.imageObject(RTLD);
    yield w.cost(2_000, 6_000);
    yield* execPage(w, t, rtld, 0);
    const base = space.reserve(RTLD.textPages + RTLD.dataPages + RTLD.bssPages);
    yield* loadSections(w, t, space, `${RTLD.path}:`, rtld, RTLD, base, base + RTLD.textPages);
  }
  // exec_copyout_strings: the kernel writes the arguments to the new stack.
  yield w.cost(3_000, 8_000);
  yield* fault(w, t, space.get('stack')!, STACK_TOP - 1, 'W', false);
  yield w.cost(2_000, 6_000);
  w.endOp(t);
}

/** exec_map_first_page: read the first page of a binary (waiting out a busy page or the I/O). */
function* execPage(w: World, t: Thread, obj: SimObject, pidx: number): Body {
  const seen = obj.seen(pidx, t.cpu.now);
  w.emit.execPage(t, obj, seen);
  if (seen === Seen.Busy) yield* sleepUntil(t, obj.busyUntil(pidx) + Math.round(w.rng.between(500, 3_000)));
  else if (seen !== Seen.Valid) yield* pageRead(w, t, obj, pidx);
  yield w.cost(1_000, 3_000);
}

/** Synchronous read of one file page (the exec paths do their own I/O). */
function* pageRead(w: World, t: Thread, obj: SimObject, pidx: number): Body {
  const until = t.cpu.now + Math.round(w.rng.logBetween(20_000, 200_000));
  obj.setPage(pidx, PG_RESIDENT, until);
  yield* sleepUntil(t, until);
}

/** ELF load_section for the text and the data segment (each takes a reference on the file's object). */
function* loadSections(
  w: World,
  t: Thread,
  space: AddressSpace,
  prefix: string,
  obj: SimObject,
  image: Image | typeof RTLD,
  textStart: number,
  dataStart: number,
): Body {
  w.emit.loadSection(t, obj, null);
  obj.ref++;
  space.add(`${prefix}text`, 'text', textStart, image.textPages, obj, 0, false, false);
  yield w.cost(2_000, 6_000);
  // The data segment's last page is read to copy its tail into the bss.
  const tail = image.textPages + image.dataPages - 1;
  const seen = obj.seen(tail, t.cpu.now);
  w.emit.loadSection(t, obj, seen);
  obj.ref++;
  space.add(`${prefix}data`, 'data', dataStart, image.dataPages, obj, image.textPages, true, false);
  if (seen === Seen.Busy) yield* sleepUntil(t, obj.busyUntil(tail) + Math.round(w.rng.between(500, 3_000)));
  else if (seen !== Seen.Valid) yield* pageRead(w, t, obj, tail);
  space.add(`${prefix}bss`, 'bss', dataStart + image.dataPages, image.bssPages, null, 0, true, false);
  yield w.cost(2_000, 6_000);
}

/** exit(): the address space goes, then the parent learns (and wakes if it waits). */
export function* exit(w: World, t: Thread): Body {
  yield 0;
  w.beginOp(t);
  const p = t.proc;
  yield w.cost(2_000, 6_000);
  yield* w.teardown(t, p.space);
  w.emit.procExit(t);
  yield w.cost(3_000, 8_000);
  p.exited = true;
  w.reapProcess(p);
  const parent = p.parent;
  if (parent && !parent.exited) {
    parent.zombies++;
    if (parent.waiter) {
      w.sched.wake(parent.waiter, t.cpu.now + Math.round(w.rng.between(2_000, 8_000)));
      parent.waiter = null;
    }
  }
  w.endOp(t);
}

/** wait4(): block until a child has exited and reap it; at once when there are no children. */
export function* waitChild(w: World, t: Thread): Body {
  const p = t.proc;
  while (p.zombies === 0) {
    if (p.children === 0) return;
    p.waiter = t;
    yield BLOCK;
  }
  p.zombies--;
  p.children--;
  yield Math.round(w.rng.between(1_000, 3_000));
}

/** Reap exited children without waiting (SIGCHLD handler). */
export function reapChildren(p: Process): void {
  p.children -= p.zombies;
  p.zombies = 0;
}

/** mmap of a data file, read-only and private. */
export function* mmapFile(w: World, t: Thread, file: DataFile): Generator<number, SimMapEntry, void> {
  const v = w.vnode(file.path, file.pages, file.warm);
  const space = t.proc.space;
  yield w.cost(1_500, 4_000);
  w.reference(t, v, 'vnode_pager_reference');
  yield w.cost(500, 1_500);
  return space.add(`file:${file.path}`, 'file', space.reserve(file.pages), file.pages, v, 0, false, false);
}

/** Anonymous memory (mmap MAP_ANON): no object until the first fault. */
export function mmapAnon(t: Thread, name: string, pages: number, shared: boolean): SimMapEntry {
  const space = t.proc.space;
  return space.add(name, shared ? 'shm' : 'heap', space.reserve(pages), pages, null, 0, true, shared);
}

export function* munmap(w: World, t: Thread, entry: SimMapEntry): Body {
  yield 0;
  yield* w.waitMap(t, t.proc.space);
  w.beginOp(t);
  yield w.cost(1_000, 3_000);
  // vm_map_delete unlinks the entry first: no other thread finds it while its object goes.
  t.proc.space.remove(entry);
  if (entry.object) yield* w.deallocate(t, entry.object, 'vm_map_delete');
  yield w.cost(500, 1_500);
  w.endOp(t);
}

/** A new thread in the same process (pthread_create): its own stack, no VM object yet. */
export function newThread(w: World, t: Thread, body: (nt: Thread) => Body): Thread {
  const p = t.proc;
  const nt = p.newThread(t.cpu);
  p.space.add(`stack:${nt.tid}`, 'stack', p.space.reserve(32), 32, null, 0, true, false);
  w.sched.start(nt, body(nt), t.cpu.now, t.cpu);
  return nt;
}

/** Off the CPU until `until` (then back on the CPU it slept on, when that one is free). */
export function* sleepUntil(t: Thread, until: number): Body {
  t.readyAt = Math.max(until, t.cpu.now);
  yield SLEEP;
}

/** Grow the heap (brk) by `pages`: address space only, no object operation. */
export function growHeap(space: AddressSpace, pages: number): SimMapEntry {
  const heap = space.get('heap')!;
  heap.pages = Math.min(HEAP_MAX, heap.pages + pages);
  return heap;
}
