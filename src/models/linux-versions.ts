// The fallback rules of per-VMA locking that changed between Linux
// versions, as one value per version. docs/models.md cites the source of each.

import type { KernelVersion } from './linux-facts.js';

export interface VersionRules {
  readonly version: KernelVersion;
  /** lock_vma_under_rcu takes file-backed VMAs too (6.6, "mm: allow per-VMA locks on file-backed VMAs"); before, anonymous VMAs only */
  readonly fileVmas: boolean;
  /** 6.6 only: every ->fault call under the VMA lock retries (only fault-around runs under it) */
  readonly fileFaultRetries: boolean;
  /** lock_vma_under_rcu refuses an anonymous VMA without an anon_vma (until 6.10, "mm: delay the check for a NULL anon_vma") */
  readonly needsAnonVmaToLock: boolean;
  /** vmf_anon_prepare under the VMA lock: `retry` (6.7-6.9: VM_FAULT_RETRY) or `trylock` (6.10+: mmap_read_trylock, then on) */
  readonly anonPrepare: 'retry' | 'trylock';
  /** a read fault on a VMA whose vm_ops has no map_pages (vdso, vvar, other special mappings) retries (6.7+, vmf_can_call_fault) */
  readonly noMapPagesRetry: boolean;
  /** after a per-VMA attempt that did I/O, the mmap_lock attempt carries FAULT_FLAG_TRIED and waits for the page instead of retrying again (6.8+) */
  readonly triedAfterVmaRetry: boolean;
  /** a read fault on fresh anonymous memory maps the shared zero page (no anon_vma needed): x86, outside THP */
  readonly readMapsZeroPage: boolean;
}

/** The first version of each change (major * 100 + minor). */
export const SINCE = {
  perVmaLocks: 604,
  fileVmas: 606,
  fileFaultUnderVmaLock: 607,
  triedAfterVmaRetry: 608,
  anonVmaInPrepare: 610,
} as const;

/** The rules of `version` (versions before 6.4 have no per-VMA locks: every fault is a linux-mmap fault). */
export function LINUX_RULES(version: KernelVersion): VersionRules {
  return {
    version,
    fileVmas: version >= SINCE.fileVmas,
    fileFaultRetries: version >= SINCE.fileVmas && version < SINCE.fileFaultUnderVmaLock,
    needsAnonVmaToLock: version < SINCE.anonVmaInPrepare,
    anonPrepare: version >= SINCE.anonVmaInPrepare ? 'trylock' : 'retry',
    noMapPagesRetry: version >= SINCE.fileFaultUnderVmaLock,
    triedAfterVmaRetry: version >= SINCE.triedAfterVmaRetry,
    readMapsZeroPage: true,
  };
}
