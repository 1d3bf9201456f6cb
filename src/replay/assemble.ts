// Joins the fault_* events of each thread into whole faults. A thread does one
// fault at a time, so tid ties them together. The captured kernel's own
// back-downs are not workload: the levels examined again after a
// `fault_retry why=backdown` are merged into one recorded attempt. Faults cut
// off by the trace window at either end are counted per file and CPU, never
// replayed as whole. `FaultAssembler.counter` runs the same rules but builds
// no fault: for validate, which prints only those counts.

import { NULL_ENUM, NULL_I16, NULL_I32, NULL_I8, NULL_ID } from '../columns/table.js';
import type { EventBatch } from '../events/schema.js';
import type { StringTable } from '../columns/strings.js';
import { K, LockClass, LockOp } from '../events/vocabulary.js';
import type { FileStats } from '../ingest/common/stats.js';
import type { Level, Tri } from '../models/facts.js';

export interface RecordedPhase {
  levels: Level[];
  retry: string | null;
}

/** A lock operation the captured kernel logged (obj_lock op=acq) during a fault. */
export interface LoggedLock {
  obj: number;
  mode: number;
  cls: number;
  site: number;
}

export interface AssembledFault {
  id: number;
  fileIndex: number;
  tid: number;
  pid: number;
  cpu: number;
  comm: number;
  vaLo: number;
  vaHi: number;
  ftype: number;
  fflags: number;
  /** raw optional keys: NULL_* when the trace did not say */
  nthreads: number;
  map: number;
  maptype: number;
  wired: number;
  tsBegin: number;
  tsEnd: number;
  phases: RecordedPhase[];
  /** attempts the captured kernel made, back-downs included */
  recordedAttempts: number;
  rc: number;
  /** fault_end depth: -1 zero fill, null not recorded */
  endDepth: number | null;
  action: number;
  io: boolean;
  ioNs: number;
  locks: LoggedLock[];
  /** lines of its fault_begin and fault_end in its file: a rejected line between them damaged it */
  lineBegin: number;
  lineEnd: number;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

const tri = (v: number): Tri => (v === NULL_I8 ? -1 : v === 0 ? 0 : 1);

export interface AssemblerOptions {
  /**
   * onFault keeps nothing of a fault once it returns: the assembler then
   * refills the same objects for later faults. A fault in flight lives
   * across many events, so fresh objects would be copied by the young
   * generation's collector and promoted; recycled ones are neither.
   */
  readonly recycle?: boolean;
  /** threads with no fault in flight kept in the map before a sweep (default 4096; tests make it small) */
  readonly sweepAfter?: number;
  /**
   * Count the faults cut off by the trace window, and nothing else: no
   * levels, phases, locks or links are built and onFault is never called.
   * The begin/end/truncation rules are the very same code as a full run's.
   */
  readonly countOnly?: boolean;
}

export class FaultAssembler {
  /**
   * By thread: its fault in flight, or null when it has none. A fault's end
   * leaves a null rather than deleting the entry (a delete per fault makes
   * the map reallocate its table over and over); nulls are swept in bulk.
   */
  private readonly inFlight = new Map<number, AssembledFault | null>();
  private idle = 0;
  private readonly sweepAfter: number;
  /** threads whose current fault began before the trace window */
  private readonly orphans = new Set<number>();
  /** by file: fault_obj events of walks outside vm_fault (the kits' `entry` key) */
  private readonly outsideWalks = new Map<number, number>();
  private readonly backdownId: number;
  /** replayed faults and their levels, to be filled again (recycling) */
  private readonly spareFaults: AssembledFault[] = [];
  private readonly spareLevels: Level[] = [];
  private nextId = 0;
  private readonly countOnly: boolean;
  truncated = 0;
  /** of the truncated faults, those a missing line cut rather than the window: their thread had a fault earlier in the trace */
  damaged = 0;
  /** threads that began a fault in the trace: a later fault of theirs began inside the window */
  private readonly faultThreads = new Set<number>();

  /** An assembler that only counts truncated faults (and walks outside vm_fault) into the files' stats. */
  static counter(files: readonly FileStats[], strings: StringTable): FaultAssembler {
    return new FaultAssembler(files, strings, () => {}, undefined, { countOnly: true });
  }

  constructor(
    private readonly files: readonly FileStats[],
    private readonly strings: StringTable,
    private readonly onFault: (f: AssembledFault) => void,
    /** called for each fault_obj link (obj at depth d, the next recorded level below it) */
    private readonly onLink: (obj: number, below: number) => void = () => {},
    private readonly options: AssemblerOptions = {},
  ) {
    this.backdownId = strings.intern('backdown');
    this.sweepAfter = options.sweepAfter ?? 4096;
    this.countOnly = options.countOnly ?? false;
  }

  /** Allocate an operation id (faults and site events share one sequence). */
  opId(): number {
    return this.nextId++;
  }

  /** The earliest begin time of the faults still in flight (Infinity when none). */
  earliestInFlight(): number {
    let t = Infinity;
    for (const f of this.inFlight.values()) if (f !== null && f.tsBegin < t) t = f.tsBegin;
    return t;
  }

  batch(b: EventBatch): void {
    for (let i = 0; i < b.length; i++) this.event(b, i);
  }

  /** Take row i if it is a fault event or a lock logged inside a fault. */
  event(b: EventBatch, i: number): void {
    const c = b.cols;
    const kind = c.kind[i]!;
    const tid = c.tid[i]!;
    switch (kind) {
      case K.fault_begin: {
        const open = this.inFlight.get(tid);
        if (open)
          this.truncate(open.fileIndex, open.cpu, 'end', true); // its fault_end is missing, not past the window
        else if (open === null) this.idle--;
        this.orphans.delete(tid);
        this.faultThreads.add(tid);
        this.inFlight.set(tid, this.begin(b, i));
        return;
      }
      case K.fault_obj: {
        // A walk run by vm_fault_page, vm_fault_object_page or a page-table walk
        // (tagged `entry=`) belongs to no fault: counted, never a level or an orphan.
        if (c.site[i] !== NULL_ID) return this.outsideWalk(c.src_file[i]!);
        const open = this.inFlight.get(tid);
        if (!open) return this.orphan(b, i, tid);
        if (!this.countOnly) this.level(open, b, i);
        return;
      }
      case K.fault_retry: {
        const open = this.inFlight.get(tid);
        if (!open) return this.orphan(b, i, tid);
        if (this.countOnly) return;
        open.recordedAttempts++;
        // After a back-down the levels come again: they overwrite the same
        // attempt's levels instead of starting a new one. A restart before any
        // level (stack growth, a map entry in transition) reached no object:
        // the next attempt is the same recorded one.
        const current = open.phases[open.phases.length - 1]!;
        if (c.why[i] !== this.backdownId && current.levels.length > 0) {
          current.retry = this.strings.get(c.why[i]!) ?? 'retry';
          open.phases.push({ levels: [], retry: null });
        }
        return;
      }
      case K.fault_end: {
        const open = this.inFlight.get(tid);
        if (!open) {
          // The end of a fault that began before the window: one truncated fault.
          if (!this.orphans.delete(tid)) this.truncate(c.src_file[i]!, c.cpu[i]!, 'begin', this.faultThreads.has(tid));
          return;
        }
        this.inFlight.set(tid, null);
        if (++this.idle > this.sweepAfter && this.idle > this.inFlight.size / 2) this.sweep();
        // Counting hands nothing over: the fault's object serves a later fault.
        if (this.countOnly) this.release(open);
        else this.end(open, b, i);
        return;
      }
      case K.obj_lock: {
        if (this.countOnly) return;
        const open = this.inFlight.get(tid);
        // Object tokens and chain locks only: a map lock is not a model's to match.
        if (open && c.op[i] === LockOp.codes.acq && c.class[i] !== LockClass.codes.map) {
          open.locks.push({ obj: c.obj[i]!, mode: c.mode[i]!, cls: c.class[i] === NULL_ENUM ? 0 : c.class[i]!, site: c.site[i]! });
        }
        return;
      }
    }
  }

  /** End of input: faults still open were cut off by the end of the window. */
  finish(): void {
    for (const fault of this.inFlight.values()) if (fault !== null) this.truncate(fault.fileIndex, fault.cpu, 'end');
    this.inFlight.clear();
    this.idle = 0;
    for (const [file, n] of this.outsideWalks) {
      this.files[file]?.note(
        `${n} fault_obj events of walks outside vm_fault (entry=...: vm_fault_page, vm_fault_object_page, page tables): counted, not replayed`,
      );
    }
  }

  /** Drop the threads with no fault in flight. */
  private sweep(): void {
    for (const [tid, f] of this.inFlight) if (f === null) this.inFlight.delete(tid);
    this.idle = 0;
  }

  private outsideWalk(fileIndex: number): void {
    this.outsideWalks.set(fileIndex, (this.outsideWalks.get(fileIndex) ?? 0) + 1);
  }

  private begin(b: EventBatch, i: number): AssembledFault {
    const c = b.cols;
    const f = this.spareFaults.pop();
    if (!f) {
      return {
        id: this.opId(),
        fileIndex: c.src_file[i]!,
        tid: c.tid[i]!,
        pid: c.pid[i]!,
        cpu: c.cpu[i]!,
        comm: c.comm[i]!,
        vaLo: c.va[2 * i]!,
        vaHi: c.va[2 * i + 1]!,
        ftype: c.ftype[i]!,
        fflags: c.fflags[i]!,
        nthreads: c.nthreads[i]!,
        map: c.map[i]!,
        maptype: c.maptype[i]!,
        wired: c.wired[i]!,
        tsBegin: c.ts[i]!,
        tsEnd: NaN,
        phases: [{ levels: [], retry: null }],
        recordedAttempts: 1,
        rc: NULL_I32,
        endDepth: null,
        action: NULL_ENUM,
        io: false,
        ioNs: NaN,
        locks: [],
        lineBegin: c.src_line[i]!,
        lineEnd: NaN,
      };
    }
    // The same fields as a fresh fault (its phases and levels emptied by release()).
    f.id = this.opId();
    f.fileIndex = c.src_file[i]!;
    f.tid = c.tid[i]!;
    f.pid = c.pid[i]!;
    f.cpu = c.cpu[i]!;
    f.comm = c.comm[i]!;
    f.vaLo = c.va[2 * i]!;
    f.vaHi = c.va[2 * i + 1]!;
    f.ftype = c.ftype[i]!;
    f.fflags = c.fflags[i]!;
    f.nthreads = c.nthreads[i]!;
    f.map = c.map[i]!;
    f.maptype = c.maptype[i]!;
    f.wired = c.wired[i]!;
    f.tsBegin = c.ts[i]!;
    f.tsEnd = NaN;
    f.recordedAttempts = 1;
    f.rc = NULL_I32;
    f.endDepth = null;
    f.action = NULL_ENUM;
    f.io = false;
    f.ioNs = NaN;
    f.lineBegin = c.src_line[i]!;
    f.lineEnd = NaN;
    return f;
  }

  /** Keep a replayed fault's objects for later faults: one empty phase, no locks. */
  private release(f: AssembledFault): void {
    for (const p of f.phases) {
      const levels = p.levels;
      while (levels.length > 0) {
        const level = levels.pop();
        if (level !== undefined) this.spareLevels.push(level); // (a hole: no level)
      }
    }
    if (f.phases.length > 1) f.phases.length = 1;
    f.phases[0]!.retry = null;
    if (f.locks.length > 0) f.locks.length = 0;
    this.spareFaults.push(f);
  }

  private level(open: AssembledFault, b: EventBatch, i: number): void {
    const c = b.cols;
    const depth = c.depth[i]!;
    const phase = open.phases[open.phases.length - 1]!;
    const pager = c.pager[i] === NULL_ENUM ? -1 : (c.pager[i] as Tri);
    // A level examined again (after a back-down) is overwritten: its object is refilled.
    let level = (phase.levels[depth] ?? this.spareLevels.pop()) as Writable<Level> | undefined;
    if (level) {
      level.obj = c.obj[i]!;
      level.otype = c.otype[i]!;
      level.page = c.page[i]!;
      level.hasBacking = tri(c.has_backing[i]!);
      level.shadowed = tri(c.shadowed[i]!);
      level.swapped = c.swapped[i] === 1;
      level.pager = pager;
      level.ref = c.ref[i]!;
    } else {
      level = {
        obj: c.obj[i]!,
        otype: c.otype[i]!,
        page: c.page[i]!,
        hasBacking: tri(c.has_backing[i]!),
        shadowed: tri(c.shadowed[i]!),
        swapped: c.swapped[i] === 1,
        pager,
        ref: c.ref[i]!,
      };
    }
    phase.levels[depth] = level;
    const above = depth > 0 ? phase.levels[depth - 1] : undefined;
    if (above && above.obj !== NULL_ID) this.onLink(above.obj, level.obj);
  }

  private end(f: AssembledFault, b: EventBatch, i: number): void {
    const c = b.cols;
    f.tsEnd = c.ts[i]!;
    f.lineEnd = c.src_line[i]!;
    f.rc = c.rc[i]!;
    f.endDepth = c.depth[i] === NULL_I16 ? null : c.depth[i]!;
    f.action = c.action[i]!;
    f.io = c.io[i] === 1;
    f.ioNs = c.io_ns[i]!;
    // A phase whose levels have holes (depth 2 without depth 1) keeps them as
    // holes; the models report such a fault as incomplete where they need one.
    this.onFault(f);
    if (this.options.recycle) this.release(f);
  }

  private orphan(b: EventBatch, i: number, tid: number): void {
    if (this.orphans.has(tid)) return;
    this.orphans.add(tid);
    this.truncate(b.cols.src_file[i]!, b.cols.cpu[i]!, 'begin', this.faultThreads.has(tid));
  }

  /** A line of the fault's own was rejected (a level, a retry): damaged, not a fault the trace left without levels. */
  lineRejectedIn(f: AssembledFault): boolean {
    return this.files[f.fileIndex]?.rejectedBetween(f.lineBegin, f.lineEnd) ?? false;
  }

  private truncate(fileIndex: number, cpu: number, side: 'begin' | 'end', damaged = false): void {
    this.truncated++;
    if (damaged) this.damaged++;
    const cpuStats = this.files[fileIndex]?.cpu(cpu);
    if (!cpuStats) return;
    if (side === 'begin') cpuStats.truncatedBegin++;
    else cpuStats.truncatedEnd++;
  }
}
