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

/** The counts of a CPU a reader keeps (the replay keeps truncatedBegin/End itself), in this order. */
const CPU_COUNTS = ['lines', 'events', 'context', 'unknown', 'rejected', 'derived', 'dropped', 'late', 'firstTs', 'lastTs'] as const;
/** The fields of a file a reader sets outright. */
const FILE_FIELDS = [
  'format',
  'bytes',
  'lines',
  'framing',
  'events',
  'context',
  'unknown',
  'rejected',
  'dropped',
  'late',
  'unknownKeys',
  'kernelRelease',
  'derived',
  'derivedRejected',
  'tracerFailure',
] as const;
type FileField = (typeof FILE_FIELDS)[number];

/**
 * What a reader did to a file's stats since the last look, for the copy in
 * another thread (ingest/worker/): its fields outright, what it appended to
 * the lists, each CPU's counts as [cpu, ...CPU_COUNTS].
 */
export interface FileStatsChanges {
  readonly index: number;
  readonly path: string;
  readonly fields: Pick<FileStats, FileField>;
  readonly rejects: RejectSample[];
  readonly warnings: string[];
  readonly notes: string[];
  readonly rejectedLines: number[];
  readonly cpus: number[][];
}

/** How far the changes of a file have been looked at (FileStats.changesSince). */
export interface FileStatsMark {
  rejects: number;
  warnings: number;
  notes: number;
  rejectedLines: number;
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

  /** What changed since `mark`, which moves up to now; only the thread that reads the file may call this. */
  changesSince(mark: FileStatsMark): FileStatsChanges {
    const fields = Object.fromEntries(FILE_FIELDS.map((f) => [f, this[f]])) as Pick<FileStats, FileField>;
    const changes: FileStatsChanges = {
      index: this.index,
      path: this.path,
      fields,
      rejects: this.rejects.slice(mark.rejects),
      warnings: this.warnings.slice(mark.warnings),
      notes: this.notes.slice(mark.notes),
      rejectedLines: this.rejectedLines.slice(mark.rejectedLines),
      cpus: [...this.cpus.values()].map((c) => [c.cpu, ...CPU_COUNTS.map((k) => c[k])]),
    };
    mark.rejects = this.rejects.length;
    mark.warnings = this.warnings.length;
    mark.notes = this.notes.length;
    mark.rejectedLines = this.rejectedLines.length;
    return changes;
  }

  /** Take on a reader's changes (from changesSince of the stats in its thread); what the replay added here stays. */
  apply(changes: FileStatsChanges): void {
    Object.assign(this, changes.fields);
    for (const r of changes.rejects) if (this.rejects.length < MAX_REJECT_SAMPLES) this.rejects.push(r);
    for (const w of changes.warnings) this.warn(w);
    for (const n of changes.notes) this.note(n);
    for (const l of changes.rejectedLines) if (this.rejectedLines.length < MAX_REJECTED_LINES) this.rejectedLines.push(l);
    for (const [cpu, ...counts] of changes.cpus) {
      const c = this.cpu(cpu!);
      CPU_COUNTS.forEach((k, i) => (c[k] = counts[i]!));
    }
  }

  /** The identity every line must satisfy. */
  get balanced(): boolean {
    return this.lines === this.framing + this.events + this.context + this.unknown + this.rejected;
  }
}
