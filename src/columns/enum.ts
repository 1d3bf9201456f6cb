// Closed sets of words stored as dense u8 codes: the column kind `enum`. The
// label list is the single source for parsing, tables and docs.

/** A closed set of words stored as u8 codes. `NONE` (255) is the null code. */
export class Enum<L extends string> {
  static readonly NONE = 255;
  readonly codes: Record<L, number>;
  constructor(
    readonly name: string,
    readonly labels: readonly L[],
  ) {
    this.codes = Object.fromEntries(labels.map((l, i) => [l, i])) as Record<L, number>;
  }
  code(label: string): number {
    const c = (this.codes as Record<string, number>)[label];
    return c === undefined ? Enum.NONE : c;
  }
  label(code: number): L | null {
    return code === Enum.NONE ? null : (this.labels[code] ?? null);
  }
}
