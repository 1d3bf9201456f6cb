// The indented call chain `perf script` prints under a sample recorded with
// -g, one frame a line, innermost first:
//
//   	ffffffff815de08b __mmap_lock_do_trace_start_locking+0x4b ([kernel.kallsyms])
//   	ffffffff815bbaa5 vm_mmap_pgoff+0x195 ([kernel.kallsyms])
//   	    7fe8286f2ad7 [unknown] ([unknown])
//
// Two hints are kept from the kernel frames: who took an mmap_lock (the first
// frame past the lock's own helpers: vm_mmap_pgoff, dup_mmap, exit_mmap,
// lock_mm_and_find_vma...) and which fault handler ran (do_anonymous_page,
// filemap_fault, wp_page_copy...). Symbols need the capturing machine's
// kallsyms, so only text printed by perf has them.

import { SP, TAB, hexDigit, latin1 } from '../common/bytes.js';

/** Frames that are the mmap_lock itself, not its taker. */
const LOCK_HELPER =
  /^(__mmap_lock_|mmap_(read|write)_(un)?lock|mmap_(read|write)_trylock|mmap_write_downgrade|down_(read|write)|up_(read|write)|rwsem_|__down_|__up_)/;

/** Linux fault handlers worth naming: each says what kind of fault it was. */
const FAULT_HANDLERS = new Set([
  'do_anonymous_page',
  'do_wp_page',
  'wp_page_copy',
  'wp_page_reuse',
  'wp_page_shared',
  'do_cow_fault',
  'do_read_fault',
  'do_shared_fault',
  'filemap_fault',
  'shmem_fault',
  'do_swap_page',
  'do_numa_page',
  'do_huge_pmd_anonymous_page',
  'do_huge_pmd_wp_page',
  'filemap_map_pages',
  'do_fault_around',
  'do_fault',
]);

export class CallChainSites {
  /** the kernel function that took or released the mmap_lock, when a chain named it */
  lockCaller: string | null = null;
  /** the innermost fault handler the chain named */
  handler: string | null = null;
  private inKernel = true;

  reset(): void {
    this.lockCaller = null;
    this.handler = null;
    this.inKernel = true;
  }

  /**
   * Whether buf[start, end) is a frame line (a TAB, an address, a symbol);
   * `i` is its first non-blank byte. A frame's symbol updates the hints.
   */
  frame(buf: Uint8Array, i: number, end: number, start = i): boolean {
    if (buf[start] !== TAB) return false;
    let j = i;
    while (j < end && hexDigit(buf[j]!) >= 0) j++;
    if (j === i || j - i > 16 || (j < end && buf[j] !== SP && buf[j] !== TAB)) return false;
    // kernel text: a 16-digit address at the top of the address space
    const kernel = j - i === 16 && buf[i] === 0x66 && buf[i + 1] === 0x66;
    if (!kernel) {
      this.inKernel = false;
      return true;
    }
    if (!this.inKernel || (this.lockCaller !== null && this.handler !== null)) return true;
    while (j < end && buf[j] === SP) j++;
    let k = j;
    while (k < end && buf[k] !== SP && buf[k] !== 0x2b /* + */) k++;
    if (k === j) return true;
    const sym = baseName(latin1(buf, j, k));
    if (this.lockCaller === null && !LOCK_HELPER.test(sym) && sym !== '[unknown]') this.lockCaller = sym;
    if (this.handler === null && FAULT_HANDLERS.has(sym)) this.handler = sym;
    return true;
  }
}

/** A compiler clone's base name: `do_execveat_common.isra.0` -> `do_execveat_common`. */
function baseName(sym: string): string {
  const dot = sym.indexOf('.');
  return dot > 0 ? sym.slice(0, dot) : sym;
}
