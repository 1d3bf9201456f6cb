// Accounting of every input line: each one ends up counted as an event, a
// context line, an unknown event, a rejected line, or framing (headers, blank
// lines, comments, warnings). Counted per file and per CPU, with each CPU's
// time window so ring-buffer wrap and truncated faults can be reported.

export const MAX_REJECT_SAMPLES = 20;
/** Rejected line numbers kept to tell a damaged fault (one of its lines rejected) from one cut by the window. */
const MAX_REJECTED_LINES = 1 << 16;

export class CpuStats {
  lines = 0;
  events = 0;
  context = 0;
  unknown = 0;
  rejected = 0;
  /** rows derived from lines counted elsewhere (FileStats.derived) */
  derived = 0;
  dropped = 0;
  late = 0;
  firstTs = NaN;
  lastTs = NaN;
  truncatedBegin = 0;
  truncatedEnd = 0;
  constructor(readonly cpu: number) {}

  seen(ts: number): void {
    if (Number.isNaN(ts)) return;
    if (!(ts >= this.firstTs)) this.firstTs = ts;
    if (!(ts <= this.lastTs)) this.lastTs = ts;
  }
}

export interface RejectSample {
  line: number;
  reason: string;
}

export class FileStats {
  format = '';
  bytes = 0;
  lines = 0;
  framing = 0;
  events = 0;
  context = 0;
  unknown = 0;
  rejected = 0;
  dropped = 0;
  late = 0;
  unknownKeys = 0;
  /** a Linux capture's kernel release (`uname -r`), when its header tells it */
  kernelRelease: string | null = null;
  /**
   * Extra rows a framing derived from lines already counted (one perf fault
   * line becomes several events); not lines, so not in the identity below.
   * Rows in the events table = events + context + unknown + derived.
   */
  derived = 0;
  /** derived rows the decoder refused: a reader bug, never bad input */
  derivedRejected = 0;
  /** the tracer's own message that it failed (`dtrace: failed to compile script ...`), the first one */
  tracerFailure: string | null = null;
  readonly rejects: RejectSample[] = [];
  readonly warnings: string[] = [];
  /** Notes on how fields were obtained (relative clocks, inferred fields, ...). */
  readonly notes: string[] = [];
  private readonly cpus = new Map<number, CpuStats>();
  /** the numbers of the rejected lines, in file order (the first MAX_REJECTED_LINES) */
  private readonly rejectedLines: number[] = [];

  constructor(
    readonly index: number,
    readonly path: string,
  ) {}

  cpu(cpu: number): CpuStats {
    let s = this.cpus.get(cpu);
    if (!s) {
      s = new CpuStats(cpu);
      this.cpus.set(cpu, s);
    }
    return s;
  }

  get perCpu(): CpuStats[] {
    return [...this.cpus.values()].sort((a, b) => a.cpu - b.cpu);
  }

  reject(line: number, cpu: number, reason: string): void {
    if (this.rejectedLines.length < MAX_REJECTED_LINES) this.rejectedLines.push(line);
    this.rejected++;
    this.cpu(cpu).rejected++;
    if (this.rejects.length < MAX_REJECT_SAMPLES) this.rejects.push({ line, reason });
  }

  rejectDerived(line: number, reason: string): void {
    this.derivedRejected++;
    if (this.rejects.length < MAX_REJECT_SAMPLES) this.rejects.push({ line, reason: `derived event: ${reason}` });
  }

  /** A line in [from, to] was rejected (as far as the kept line numbers tell). */
  rejectedBetween(from: number, to: number): boolean {
    const lines = this.rejectedLines;
    let lo = 0;
    let hi = lines.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lines[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    return lo < lines.length && lines[lo]! <= to;
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  warn(text: string): void {
    if (!this.warnings.includes(text)) this.warnings.push(text);
  }

  /** The identity every line must satisfy. */
  get balanced(): boolean {
    return this.lines === this.framing + this.events + this.context + this.unknown + this.rejected;
  }
}
