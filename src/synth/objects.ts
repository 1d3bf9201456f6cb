// VM objects as the generator keeps them: type, reference count, backing
// chain, shadow count, and the state of each page the simulation touched.
// Only what a trace can show is kept; everything else about an object is
// implied by how the workloads use it.

export type ObjKind = 'default' | 'swap' | 'vnode';

// A page is one number: busyUntil * 8 + state bits, so the page map needs no
// second table and a busy mark expires by itself. A page not in the map is not
// resident and has no swap copy.
/** The page is resident. */
export const PG_RESIDENT = 1;
/** Swap holds a copy: resident + this = PG_SWAPPED; not resident + this = paged out. */
export const PG_SWAP = 2;
/** Resident but read-ahead-marked (PG_RAM): a fault sees it as `invalid`. */
export const PG_RAM = 4;
const BITS = 8;

export const pageBits = (word: number): number => word % BITS;
const wordBusyUntil = (word: number): number => Math.floor(word / BITS);
const pageWord = (bits: number, busy: number): number => busy * BITS + bits;

/** What one fault level sees at a page: its state word and the pager's answer. */
export const enum Seen {
  Valid = 0,
  Invalid = 1,
  Busy = 2,
  Absent = 3,
}

export class SimObject {
  ref = 0;
  backing: SimObject | null = null;
  /** Page index in `backing` of this object's page 0. */
  backingOffset = 0;
  /** This object's shadow list, as the captured kernel keeps it. */
  readonly shadows = new Set<SimObject>();
  /** This object is on its backing object's shadow list. */
  onShadowList = false;
  alive = true;
  /** faults walking through this object now (their chain locks keep a collapse away) */
  walkers = 0;
  readonly pages = new Map<number, number>();

  constructor(
    readonly addr: bigint,
    public type: ObjKind,
    /** vnode path, for `obj_name` */
    readonly name: string | null,
    /** size in pages (a vnode object's file size; grows for anonymous memory) */
    public size: number,
  ) {}

  get anonymous(): boolean {
    return this.type !== 'vnode';
  }

  /** The state a fault examining page `pidx` at time `now` records. */
  seen(pidx: number, now: number): Seen {
    const w = this.pages.get(pidx);
    if (w === undefined) return Seen.Absent;
    if (wordBusyUntil(w) > now) return Seen.Busy;
    const bits = pageBits(w);
    if (!(bits & PG_RESIDENT)) return Seen.Absent;
    return bits & PG_RAM ? Seen.Invalid : Seen.Valid;
  }

  /** Whether the pager has page `pidx`: a file always does, swap when it holds a copy. */
  pagerHas(pidx: number): boolean {
    if (this.type === 'vnode') return pidx < this.size;
    const w = this.pages.get(pidx);
    return w !== undefined && (pageBits(w) & PG_SWAP) !== 0;
  }

  swapped(pidx: number): boolean {
    const w = this.pages.get(pidx);
    return w !== undefined && (pageBits(w) & (PG_SWAP | PG_RESIDENT)) === (PG_SWAP | PG_RESIDENT);
  }

  /** Set a page's bits, keeping (or setting) its busy mark. */
  setPage(pidx: number, bits: number, busy?: number): void {
    const old = this.pages.get(pidx);
    const keep = old === undefined ? 0 : wordBusyUntil(old);
    this.pages.set(pidx, pageWord(bits, busy ?? keep));
    if (pidx >= this.size) this.size = pidx + 1;
  }

  bitsOf(pidx: number): number {
    const w = this.pages.get(pidx);
    return w === undefined ? 0 : pageBits(w);
  }

  busyUntil(pidx: number): number {
    const w = this.pages.get(pidx);
    return w === undefined ? 0 : wordBusyUntil(w);
  }
}

/**
 * Object addresses from a zone: fixed-size slots in kernel memory, freed slots
 * reused last-in first-out as a zone allocator does (so a trace shows address
 * reuse, which a replay's object registry must handle).
 */
export class ObjectZone {
  private nextSlot = 0;
  private readonly free: bigint[] = [];

  constructor(
    private readonly base = 0xfffff80010000000n,
    private readonly slotSize = 0x180n,
  ) {}

  alloc(): bigint {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    return this.base + BigInt(this.nextSlot++) * this.slotSize;
  }

  release(addr: bigint): void {
    this.free.push(addr);
  }
}
