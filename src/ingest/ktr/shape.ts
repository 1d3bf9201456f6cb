// How a dump orders its rows, told from the index column. Without -s ktrdump
// prints each CPU's ring in turn, the index being the CPU's ring index (a
// jump where a block starts); with -s it prints one log merged by time, the
// index a running row counter (never a jump). With -l the per-CPU blocks
// repeat, and a jump in one CPU's ring index between two of its blocks counts
// the entries the ring overwrote before ktrdump read them.

const INDEX_MASK = 0xffffff; // ktrdump prints the index masked to 24 bits

export const enum Order {
  Unknown,
  PerCpu,
  Merged,
}

export class DumpShape {
  order = Order.Unknown;
  /** the last row started another round of per-CPU blocks (ktrdump -l without -s) */
  roundStarted = false;
  /** rounds of per-CPU blocks so far */
  rounds = 1;
  /** entries lost just before the last row (a gap in its CPU's ring index) */
  gap = 0;
  private block = 0;
  /** by CPU: it has had a block in this round */
  private inRound: boolean[] = [];
  private prevIndex = -1;
  private prevCpu = -1;
  /** by CPU: the ring index of its last row */
  private readonly lastIndexOf: (number | undefined)[] = [];

  reset(): void {
    this.order = Order.Unknown;
    this.roundStarted = false;
    this.rounds = 1;
    this.inRound = [];
    this.gap = 0;
    this.block = 0;
    this.prevIndex = -1;
    this.prevCpu = -1;
    this.lastIndexOf.length = 0;
  }

  /**
   * Account for a row with ring index `index` on `cpu` (-1: no cpu column).
   * Returns the key of the row's delta chain: its CPU, or its block when the
   * CPU is not printed.
   */
  row(index: number, cpu: number): number {
    this.gap = 0;
    this.roundStarted = false;
    const first = this.prevIndex < 0;
    const continuous = index === ((this.prevIndex + 1) & INDEX_MASK);
    const prevCpu = this.prevCpu;
    this.prevIndex = index;
    this.prevCpu = cpu;
    if (cpu < 0) {
      // Only the index tells blocks apart.
      if (!first && !continuous) {
        this.order = Order.PerCpu;
        this.block++;
      }
      return this.block;
    }
    if (first) this.inRound[cpu] = true;
    if (!first && cpu !== prevCpu) {
      if (this.order === Order.Unknown) this.order = continuous ? Order.Merged : Order.PerCpu;
      if (this.order === Order.PerCpu) this.blockStarts(cpu);
    } else if (!first && !continuous && this.order === Order.Unknown) {
      this.order = Order.PerCpu; // one CPU whose ring index jumped: -l lost entries
    }
    if (this.order !== Order.Merged) {
      const last = this.lastIndexOf[cpu];
      if (last !== undefined) {
        const gap = (index - last - 1) & INDEX_MASK;
        if (gap < INDEX_MASK / 2) this.gap = gap; // a backward jump is a restart, not a loss
      }
      this.lastIndexOf[cpu] = index;
    }
    return cpu;
  }

  private blockStarts(cpu: number): void {
    if (this.inRound[cpu]) {
      this.roundStarted = true;
      this.rounds++;
      this.inRound = [];
    }
    this.inRound[cpu] = true;
  }
}
