// Interned strings: every text value (site, comm, path, retry reason, unknown
// payloads) is stored once and referred to by a dense id. Id -1 means null.

export class StringTable {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];

  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  /** The id of `s` if it was ever interned, else -1. */
  find(s: string): number {
    return this.ids.get(s) ?? -1;
  }

  get(id: number): string | null {
    return id < 0 ? null : this.values[id] ?? null;
  }

  get size(): number {
    return this.values.length;
  }
}
