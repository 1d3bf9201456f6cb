// The hold-time model: where in time each acquisition of an operation falls.
// An operation's CPU time (a fault's observed interval minus its recorded I/O
// time, times the scale knob; a nominal hold for one-event sites) is shared
// equally by its acquisition steps; its I/O time by its I/O sleeps. A token is
// held from its acquisition to the end of the step it is released in, except
// during I/O sleeps (tokens are released while a thread sleeps).

import type { RecordingLockLog } from './lock-log.js';

export const HOLD_MODEL =
  'each operation’s CPU time (observed fault interval minus recorded I/O, times --hold-scale; ' +
  '--site-hold-ns for one-event sites) is split equally among its lock steps; tokens are not held during I/O sleeps';

export class Timeline {
  /** t[k] = start of step k; t[steps] = end of the operation */
  private t = new Float64Array(256);
  private steps = 0;
  private log!: RecordingLockLog;

  layout(log: RecordingLockLog, begin: number, cpuNs: number, ioNs: number): void {
    this.log = log;
    let acq = 0;
    let io = 0;
    for (let k = 0; k < log.steps; k++) {
      if (log.ioStep[k]) io++;
      else acq++;
    }
    const unit = acq > 0 ? cpuNs / acq : 0;
    const ioEach = io > 0 ? ioNs / io : 0;
    if (this.t.length <= log.steps) this.t = new Float64Array(2 * (log.steps + 1));
    this.steps = log.steps;
    const t = this.t;
    t[0] = begin;
    for (let k = 0; k < log.steps; k++) t[k + 1] = t[k]! + (log.ioStep[k] ? ioEach : unit);
  }

  /** Time at the start of step `step` (clamped to the operation's end), in whole ns. */
  at(step: number): number {
    return Math.round(this.t[Math.min(step, this.steps)]!);
  }

  /** When acquisition `a` happens, in whole ns. */
  start(a: number): number {
    return Math.round(this.t[this.log.step[a]!]!);
  }

  private end(a: number): number {
    const rel = this.log.releasedAt[a]!;
    return this.t[rel < 0 ? this.steps : rel + 1]!;
  }

  /** Start and end of each interval of the last segments() call. */
  readonly seg = new Float64Array(64);

  /**
   * The intervals acquisition `a` is held, split around I/O sleeps, into
   * `seg` (start, end pairs); returns how many.
   */
  segments(a: number): number {
    const log = this.log;
    const seg = this.seg;
    let n = 0;
    let start = this.t[log.step[a]!]!;
    const last = log.ioSleeps === 0 ? -1 : log.releasedAt[a]! < 0 ? log.steps - 1 : log.releasedAt[a]!; // no sleep to split at
    for (let k = log.step[a]! + 1; k <= last && n < 31; k++) {
      if (!log.ioStep[k]) continue;
      seg[2 * n] = start;
      seg[2 * n + 1] = this.t[k]!;
      n++;
      start = this.t[k + 1]!;
    }
    seg[2 * n] = start;
    seg[2 * n + 1] = this.end(a);
    return n + 1;
  }
}
