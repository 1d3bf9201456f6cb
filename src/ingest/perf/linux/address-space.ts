// A Linux address space as a capture shows it: its VMAs (from the MMAP2
// side-band records and the address-space syscalls), whether each has an
// anon_vma, and which writer holds the mm lock for writing with which VMAs
// write-locked. What a Linux model needs to know of the VMA under a fault.

export type VmaKindName = 'anon' | 'file' | 'shared_file' | 'stack' | 'heap' | 'special' | 'shared_anon';

export interface Vma {
  start: number;
  end: number;
  kind: VmaKindName;
  read: boolean;
  write: boolean;
  /** the VMA has an anon_vma: 1 yes, 0 no, -1 unknown (it predates the capture) */
  anonVma: -1 | 0 | 1;
  /** a VM_GROWSDOWN stack */
  growsDown: boolean;
}

/** A thread holding the mm lock for writing, and the ranges whose VMAs it write-locks (null: every VMA: fork's dup_mmap, or a call the capture did not trace). */
export interface WriteHold {
  readonly tid: number;
  readonly since: number;
  ranges: [number, number][] | null;
}

/** The kind of a mapping from its MMAP2 path and share flag. */
export function kindOf(path: string, shared: boolean): VmaKindName {
  if (path === '[heap]') return 'heap';
  if (path.startsWith('[stack')) return 'stack';
  if (path.startsWith('[')) return 'special'; // [vdso], [vvar], [vsyscall], [uprobes], [vvar_vclock]
  if (path === '//anon' || path === '' || path.startsWith('/anon_hugepage')) return shared ? 'shared_anon' : 'anon';
  if (path.startsWith('/dev/zero')) return shared ? 'shared_anon' : 'anon';
  return shared ? 'shared_file' : 'file';
}

const anonymous = (k: VmaKindName): boolean => k === 'anon' || k === 'heap' || k === 'stack';

export class AddressSpace {
  /** sorted by start, non-overlapping */
  vmas: Vma[] = [];
  /** the mm_struct's address as mmap_lock events give it (hi, lo), once seen */
  mmHi = -1;
  mmLo = -1;
  writer: WriteHold | null = null;
  /** when the last write hold ended, and the ranges it had locked */
  lastRelease = -Infinity;
  lastRanges: [number, number][] | null = null;

  find(va: number): Vma | null {
    const v = this.vmas;
    let lo = 0;
    let hi = v.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = v[mid]!;
      if (va < m.start) hi = mid - 1;
      else if (va >= m.end) lo = mid + 1;
      else return m;
    }
    return null;
  }

  /** The first VMA above `va` (stack growth: a grows-down VMA just above a fault in a gap). */
  above(va: number): Vma | null {
    for (const m of this.vmas) if (m.start > va) return m;
    return null;
  }

  /**
   * A mapping reported by an MMAP2 record: it replaces what it overlaps. It
   * keeps the anon_vma of the anonymous VMAs it covers when it `inherits`
   * them (a fresh mmap that merged into a neighbour, or a VMA changed in
   * place by mprotect, brk or mremap); a fresh one starts without.
   */
  map(start: number, end: number, kind: VmaKindName, read: boolean, write: boolean, inherit: boolean): void {
    let anonVma: -1 | 0 | 1 = 0;
    if (inherit && anonymous(kind)) {
      for (const m of this.vmas) {
        if (m.start >= end || m.end <= start || !anonymous(m.kind)) continue;
        if (m.anonVma === 1) anonVma = 1;
        else if (m.anonVma === -1 && anonVma === 0) anonVma = -1;
      }
    }
    this.unmap(start, end);
    this.insert({ start, end, kind, read, write, anonVma, growsDown: kind === 'stack' });
  }

  /** munmap: the range leaves; VMAs it cuts keep their other parts. */
  unmap(start: number, end: number): void {
    this.cut(start, end, () => null);
  }

  /** mprotect: the range's VMAs take the new protection (split at its ends). */
  protect(start: number, end: number, read: boolean, write: boolean): void {
    this.cut(start, end, (m) => ({ ...m, start: Math.max(m.start, start), end: Math.min(m.end, end), read, write }));
  }

  /** mremap that moved a range: the VMA goes to its new place with its anon_vma. */
  move(oldStart: number, oldEnd: number, newStart: number, newEnd: number): void {
    const src = this.find(oldStart);
    this.unmap(oldStart, oldEnd);
    if (src) {
      this.unmap(newStart, newEnd);
      this.insert({ ...src, start: newStart, end: newEnd });
    }
  }

  /** A fork's child: every VMA, an anon_vma where the parent's had one (anon_vma_fork). */
  copy(): AddressSpace {
    const c = new AddressSpace();
    c.vmas = this.vmas.map((m) => ({ ...m }));
    return c;
  }

  /** Is the VMA `m` write-locked by the current writer (not thread `tid`)? */
  lockedBy(m: Vma, tid: number): WriteHold | null {
    const w = this.writer;
    if (!w || w.tid === tid) return null;
    if (w.ranges === null) return w;
    for (const [s, e] of w.ranges) if (s < m.end && e > m.start) return w;
    return null;
  }

  /** Split the VMAs overlapping [start, end) at its ends; the part inside becomes `inside(m)` (null: gone). */
  private cut(start: number, end: number, inside: (m: Vma) => Vma | null): void {
    const out: Vma[] = [];
    for (const m of this.vmas) {
      if (m.end <= start || m.start >= end) {
        out.push(m);
        continue;
      }
      if (m.start < start) out.push({ ...m, end: start });
      const middle = inside(m);
      if (middle) out.push(middle);
      if (m.end > end) out.push({ ...m, start: end });
    }
    this.vmas = out;
  }

  private insert(v: Vma): void {
    let i = 0;
    while (i < this.vmas.length && this.vmas[i]!.start < v.start) i++;
    this.vmas.splice(i, 0, v);
  }
}
