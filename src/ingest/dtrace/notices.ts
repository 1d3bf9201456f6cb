// dtrace(1)'s own messages in a trace (stderr captured with the output):
// buffer drops per CPU, dynamic variable drops, probe errors. Drops mean the
// trace is missing events, so they are counted (per CPU where dtrace says
// which) and summed up as warnings: every count from the trace is a floor.
// These lines are rare, so plain regular expressions are fine here.

import type { FileStats } from '../common/stats.js';

const DROPS_ON_CPU = /^dtrace: (\d+) drops? on CPU (\d+)/;
const DYNAMIC_DROPS = /^dtrace: (\d+) dynamic variable drops?/;
const OTHER_DROPS = /^dtrace: (\d+) (aggregation|speculative) drops?/;
const PROBE_ERROR = /^dtrace: error on /;
const MATCHED = /^dtrace: (script|description) .* matched \d+ probes?/;
/** dtrace(1) giving up: the script did not compile or could not be enabled (no events follow). */
const FAILURE = /^dtrace: (failed|could not|cannot|invalid|no probes)/;

export class DtraceNotices {
  private readonly dropsByCpu = new Map<number, number>();
  private dynamicDrops = 0;
  private errors = 0;
  private firstError = '';

  constructor(private readonly stats: FileStats) {}

  /** One `dtrace: ...` line. */
  line(text: string): void {
    let m: RegExpExecArray | null;
    if ((m = DROPS_ON_CPU.exec(text))) {
      const n = Number(m[1]);
      const cpu = Number(m[2]);
      this.stats.dropped += n;
      this.stats.cpu(cpu).dropped += n;
      this.dropsByCpu.set(cpu, (this.dropsByCpu.get(cpu) ?? 0) + n);
    } else if ((m = DYNAMIC_DROPS.exec(text))) {
      // Not tied to a CPU: counted for the file only.
      this.dynamicDrops += Number(m[1]);
      this.stats.dropped += Number(m[1]);
    } else if ((m = OTHER_DROPS.exec(text))) {
      this.stats.warn(`dtrace reported ${m[2]} drops (${text.slice(8).trim()}); they do not lose printed events`);
    } else if (PROBE_ERROR.test(text)) {
      if (this.errors++ === 0) this.firstError = text;
    } else if (FAILURE.test(text)) {
      this.stats.tracerFailure ??= text.trim();
      this.stats.warn(`dtrace said: ${text.slice(8).trim().slice(0, 120)}`);
    } else if (!MATCHED.test(text)) {
      this.stats.warn(`dtrace said: ${text.slice(8).trim().slice(0, 120)}`);
    }
  }

  finish(): void {
    if (this.dropsByCpu.size > 0) {
      const total = [...this.dropsByCpu.values()].reduce((a, b) => a + b, 0);
      const per = [...this.dropsByCpu].sort((a, b) => a[0] - b[0]).map(([cpu, n]) => `CPU ${cpu}: ${n}`);
      this.stats.warn(`dtrace dropped ${total} events (${per.join(', ')}): every count from this trace is an undercount`);
    }
    if (this.dynamicDrops > 0) {
      this.stats.warn(
        `dtrace reported ${this.dynamicDrops} dynamic variable drops: thread-local state was lost, so some events are missing or lack keys (undercounts)`,
      );
    }
    if (this.errors > 0) {
      this.stats.warn(`${this.errors} dtrace probe errors (each may have cost an event); first: ${this.firstError.slice(0, 160)}`);
    }
  }
}
