// A fork/exec storm (a shell loop run by `xargs -P ncpu`): one shell per CPU
// forks a child per command; the child writes its stack (copy-on-write)
// and execs a short-lived dynamic utility, now and then a subshell running a
// small pipeline. Every exec drops the references of the old image (the
// shared libraries' counts are high, the private objects' low), every exit
// drops the new image's, and a child's exit lets its parent's shadow chain
// collapse.

import { IMAGES, type Image } from '../images.js';
import { afterFork, run, type RunPlan, startDynamic, touchStack } from '../programs.js';
import type { Thread } from '../process.js';
import { type Body, exec, exit, fork, reapChildren, spawn, waitChild } from '../syscalls.js';
import type { World } from '../world.js';
import type { Workload } from './workload.js';

const I = IMAGES;

/** Commands the shells run, with how often. */
const COMMANDS: readonly (readonly [Image, number])[] = [
  [I.echo, 10],
  [I.cat, 8],
  [I.sed, 8],
  [I.grep, 8],
  [I.awk, 5],
  [I.tr, 5],
  [I.wc, 5],
  [I.sort, 3],
  [I.head, 5],
  [I.basename, 6],
  [I.expr, 6],
  [I.test, 6],
  [I.date, 3],
  [I.ls, 4],
  [I.env, 2],
  [I.sh, 6],
];
const WEIGHTS = COMMANDS.map(([, n]) => n);

export const forkexec: Workload = {
  name: 'forkexec',
  summary: 'fork/exec storm: one shell per CPU forking short-lived dynamic utilities',
  pressure: 'low',
  warmupNs: 30_000_000,
  boot(w, cpus) {
    for (let i = 0; i < cpus; i++) spawn(w, I.sh, (t) => shell(w, t));
  },
};

function pickCommand(w: World): Image {
  return COMMANDS[w.rng.weighted(WEIGHTS)]![0];
}

/** A utility's run, scaled by the size of the binary. */
function planFor(w: World, image: Image): RunPlan {
  const { rng } = w;
  const big = Math.min(4, 1 + image.textPages / 20);
  return {
    text: Math.round(rng.int(2, 8) * big),
    libText: rng.int(4, 16),
    heapNew: Math.round(rng.int(0, 6) * big),
    heapReuse: rng.int(2, 12),
    stack: rng.int(1, 4),
    data: rng.int(0, 3),
  };
}

function* shell(w: World, t: Thread): Body {
  const { rng } = w;
  yield* startDynamic(w, t, I.sh);
  for (;;) {
    // Read and parse the next command line.
    yield* run(w, t, I.sh, { text: rng.int(1, 4), libText: rng.int(2, 6), heapNew: rng.chance(0.1) ? 1 : 0, heapReuse: rng.int(2, 6), stack: 1, data: 0 });
    const command = pickCommand(w);
    yield* fork(w, t, (c) => child(w, c, command));
    yield Math.round(rng.between(2_000, 6_000));
    yield* touchStack(w, t); // the parent returns from fork: its stack is written
    if (rng.chance(0.85)) yield* waitChild(w, t);
    reapChildren(t.proc);
  }
}

/** The forked child: a little shell work on copied memory, then exec. */
function* child(w: World, t: Thread, command: Image): Body {
  const { rng } = w;
  yield* afterFork(w, t);
  yield* exec(w, t, command);
  yield* startDynamic(w, t, command);
  if (command === I.sh) {
    // sh -c "a | b": a subshell runs a small pipeline and waits for it.
    const stages = rng.int(1, 3);
    for (let i = 0; i < stages; i++) {
      const stage = pickCommand(w);
      yield* fork(w, t, (c) => child(w, c, stage === I.sh ? I.cat : stage));
      yield Math.round(rng.between(2_000, 6_000));
      yield* touchStack(w, t);
    }
    for (let i = 0; i < stages; i++) yield* waitChild(w, t);
  } else {
    yield* run(w, t, command, planFor(w, command));
  }
  yield* exit(w, t);
}
