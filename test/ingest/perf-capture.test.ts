// The perf reader on the committed real capture (traces/real/, see its
// PROVENANCE.md): every line accounted for, and the canonical events ready for
// the replay: each fault whole, its levels a consistent object chain, and every
// inferred field marked. Columns are read straight from the batches (half a
// million rows).

import { join } from 'node:path';
import t from 'tap';
import { NULL_I16 } from '../../src/columns/table.js';
import { inferredBit } from '../../src/events/rules.js';
import { Ingest } from '../../src/ingest/open.js';
import { FaultAction, K, LockClass, OT, PG, PagerAnswer } from '../../src/events/vocabulary.js';
import { ROOT } from '../helpers.js';

const CAPTURE = join(ROOT, 'traces', 'real', 'linux-forkexec-build.perf.txt.gz');
const bit = (k: string): number => inferredBit(k) >>> 0;
const has = (bits: number, k: string): boolean => ((bits >>> 0) & bit(k)) !== 0;

interface Level {
  obj: number;
  otype: number;
  page: number;
  backing: number;
  pager: number;
}
interface Open {
  levels: Level[];
}

t.test('the real Linux capture', async (t) => {
  const ingest = new Ingest({});
  const count = new Map<number, number>();
  const open = new Map<number, Open>();
  /** obj -> the object below it (-1: none), as the events so far tell */
  const below = new Map<number, number>();
  const problems: string[] = [];
  const problem = (what: string): void => {
    if (problems.length < 20) problems.push(what);
  };
  let faults = 0;
  let failed = 0;
  let cowCopies = 0;
  let zeroFills = 0;
  let chainChecks = 0;
  let deepest = 0;
  const inferredMissing = new Map<string, number>();
  const missing = (what: string): void => void inferredMissing.set(what, (inferredMissing.get(what) ?? 0) + 1);

  for await (const b of ingest.events([CAPTURE])) {
    const c = b.cols;
    for (let i = 0; i < b.length; i++) {
      const kind = c.kind[i]!;
      count.set(kind, (count.get(kind) ?? 0) + 1);
      const tid = c.tid[i]!;
      const inf = c.inferred[i]!;
      switch (kind) {
        case K.fault_begin:
          if (open.has(tid)) problem(`line ${c.src_line[i]}: fault_begin inside a fault of ${tid}`);
          open.set(tid, { levels: [] });
          if (!has(inf, 'fflags') || !has(inf, 'nthreads')) missing('fault_begin fflags/nthreads');
          break;
        case K.fault_obj: {
          const f = open.get(tid);
          if (!f) {
            problem(`line ${c.src_line[i]}: fault_obj outside a fault`);
            break;
          }
          const depth = c.depth[i]!;
          if (depth !== f.levels.length) problem(`line ${c.src_line[i]}: depth ${depth} after ${f.levels.length} levels`);
          f.levels.push({ obj: c.obj[i]!, otype: c.otype[i]!, page: c.page[i]!, backing: c.has_backing[i]!, pager: c.pager[i]! });
          if (!has(inf, 'backing') || !has(inf, 'ref')) missing('fault_obj backing/ref');
          if (depth > 0 && !has(inf, 'depth')) missing('fault_obj depth below 0');
          const anonymous = c.otype[i] === OT.default || c.otype[i] === OT.swap;
          if (anonymous && !(has(inf, 'obj') && has(inf, 'otype') && has(inf, 'page'))) missing('anonymous level obj/otype/page');
          if (c.otype[i] === OT.vnode && has(inf, 'page')) missing('vnode page marked inferred (it is observed)');
          break;
        }
        case K.fault_end: {
          const f = open.get(tid);
          if (!f) {
            problem(`line ${c.src_line[i]}: fault_end without fault_begin`);
            break;
          }
          open.delete(tid);
          faults++;
          if (c.rc[i] !== 0) {
            failed++;
            if (f.levels.length > 0) problem(`line ${c.src_line[i]}: a failed fault with levels`);
            if (!has(inf, 'rc')) missing('fault_end rc of a failed fault');
            break;
          }
          if (f.levels.length === 0) problem(`line ${c.src_line[i]}: a fault without levels`);
          deepest = Math.max(deepest, f.levels.length);
          const depth = c.depth[i] === NULL_I16 ? NaN : c.depth[i]!;
          if (!has(inf, 'depth') || !has(inf, 'action')) missing('fault_end depth/action');
          // The page came from `depth` (valid, or absent and read by the pager); every level above lacked it.
          if (depth === -1) {
            zeroFills++;
            if (!f.levels.every((l) => l.page === PG.absent)) problem(`line ${c.src_line[i]}: zero fill with a page found`);
          } else if (!(depth >= 0 && depth === f.levels.length - 1)) {
            problem(`line ${c.src_line[i]}: fault_end depth ${depth} with ${f.levels.length} levels`);
          } else {
            const found = f.levels[depth]!;
            if (!(found.page === PG.valid || (found.page === PG.absent && found.pager === PagerAnswer.codes.has)))
              problem(`line ${c.src_line[i]}: page source neither valid nor paged in`);
            if (f.levels.slice(0, depth).some((l) => l.page !== PG.absent)) problem(`line ${c.src_line[i]}: a level above the source had the page`);
            if (depth > 0 && c.action[i] === FaultAction.codes.cow_copy) cowCopies++;
          }
          // Chain links: each level's backing flag and the object below agree with what earlier events said.
          for (let d = 0; d < f.levels.length; d++) {
            const l = f.levels[d]!;
            const next = f.levels[d + 1];
            if (next && l.backing !== 1) problem(`line ${c.src_line[i]}: level ${d} has no backing object but a level below`);
            const known = below.get(l.obj);
            const now = next ? next.obj : l.backing === 1 ? undefined : -1;
            if (now === undefined) continue;
            if (known !== undefined && known !== now)
              problem(`line ${c.src_line[i]}: object ${ingest.addresses.hex(l.obj)} changed backing without a shadow or collapse`);
            below.set(l.obj, now);
            chainChecks++;
          }
          break;
        }
        case K.obj_shadow:
          below.set(c.obj[i]!, c.backing_obj[i]!);
          if (!has(inf, 'event')) missing('obj_shadow event');
          break;
        case K.obj_collapse:
          below.set(c.obj[i]!, c.backing2_obj[i]! >= 0 ? c.backing2_obj[i]! : -1);
          if (!has(inf, 'event')) missing('obj_collapse event');
          break;
        case K.obj_ref:
        case K.map_split:
        case K.exec_page:
          if (!has(inf, 'event')) missing(`${kind} event`);
          break;
        case K.obj_lock:
          if (c.class[i] !== LockClass.codes.map || inf !== 0) problem(`line ${c.src_line[i]}: obj_lock not an observed class=map lock`);
          break;
      }
    }
  }

  const f = ingest.files[0]!;
  t.equal(f.format, 'perf');
  t.ok(f.balanced, 'every line counted once');
  t.same(
    { lines: f.lines, framing: f.framing, events: f.events, context: f.context, unknown: f.unknown, rejected: f.rejected, dropped: f.dropped, late: f.late },
    { lines: 307261, framing: 38, events: 297598, context: 9625, unknown: 0, rejected: 0, dropped: 0, late: 0 },
    'the counts of PROVENANCE.md: no rejected line, nothing lost, rows in time order',
  );
  t.equal(f.derivedRejected, 0);
  const rows = [...count.values()].reduce((a, b) => a + b, 0);
  t.equal(rows, f.events + f.context + f.unknown + f.derived, 'rows = events + context + unknown + derived');

  t.same(problems, [], 'every fault whole, its levels a consistent chain');
  t.same(Object.fromEntries(inferredMissing), {}, 'every inferred field and event marked');
  t.equal(open.size, 0, 'no fault left open');
  t.equal(faults, 91045);
  t.equal(count.get(K.fault_begin), 91045);
  t.equal(failed, 24, 'the faults that never reached accounting (copy_fpstate_to_sigframe)');
  t.ok(chainChecks > faults, 'chain links checked');
  t.ok(deepest >= 3, `chains deeper than a shadow and its file (deepest ${deepest})`);
  t.ok(cowCopies > 1000, `copy-on-write faults (${cowCopies})`);
  t.ok(zeroFills > 1000, `zero-fill faults (${zeroFills})`);
  t.equal(count.get(K.proc_fork), 545);
  t.equal(count.get(K.proc_exec), 545);
  t.equal(count.get(K.exec_page), 545, 'an executable page for every exec');
  t.ok((count.get(K.map_split) ?? 0) > 521, 'map_split for the copied forks');
  t.ok((count.get(K.obj_shadow) ?? 0) > 1000, 'copy-on-write shadows');
  t.ok((count.get(K.obj_collapse) ?? 0) > 0, 'collapses when a shadowed object is left to one shadow');
  t.equal(count.get(K.obj_lock), 99923, 'mmap_lock: 99,331 lines, 592 downgrades give two rows');
  t.ok(
    f.notes.some((n) => n.includes('Linux') && n.includes('inferred')),
    'the file is marked as a Linux mapping',
  );
  t.ok(f.notes.some((n) => n.includes('521 copied the address space, 24 shared it')));
});
