// The Linux models: which mm and VMA locks one user or kernel page fault
// takes. `linux-mmap` is every fault under the per-mm mmap_lock, as up to
// 6.3; `linux-vma` is per-VMA locking (CONFIG_PER_VMA_LOCK, 6.4+) with the
// fallbacks of the capture's kernel version. Rules as numbered in
// docs/models.md, "Linux models"; each names the function it stands for.

import type { LinuxFaultFacts } from './linux-facts.js';
import type { LinuxLockLog as LockLog, LinuxModel } from './model.js';
import { LINUX_RULES, type VersionRules } from './linux-versions.js';

export const linuxMmapModel: LinuxModel = {
  name: 'linux-mmap',
  family: 'linux',
  baseline: 'linux-mmap',
  slug: 'linux_mmap',
  description: 'Linux up to 6.3: every page fault under the per-mm mmap_lock (read), again after each retry',
  fault(f, _knobs, log) {
    log.attempt();
    mmapPath(f, log, 'every_fault');
  },
};

export const linuxVmaModel: LinuxModel = {
  name: 'linux-vma',
  family: 'linux',
  baseline: 'linux-mmap',
  slug: 'linux_vma',
  savedSlug: 'vma',
  description: "Linux 6.4+: per-VMA locks (lock_vma_under_rcu), falling back to mmap_lock by the capture's kernel version",
  fault(f, knobs, log) {
    log.attempt();
    const rules = LINUX_RULES(knobs.linuxVersion ?? f.version);
    const why = vmaPath(f, rules, log);
    if (why === null) return;
    log.fallback(why);
    log.attempt();
    // LV8: the I/O the VMA attempt started is waited for under mmap_lock (FAULT_FLAG_TRIED, 6.8+).
    const ioDone = rules.triedAfterVmaRetry && (why === 'file_io' || why === 'swap_io' || why === 'readahead');
    mmapPath(f, log, why, ioDone);
  },
};

/**
 * LV1-LV7: the fault under the VMA lock. Returns null when it completes
 * there, else the reason it falls back to mmap_lock.
 */
function vmaPath(f: LinuxFaultFacts, r: VersionRules, log: LockLog): string | null {
  // LV1 do_user_addr_fault: a kernel-mode fault goes straight to lock_mmap.
  if (!f.user) return 'kernel_mode';
  // LV2 lock_vma_under_rcu: no VMA at the address (a gap, or stack growth).
  if (f.vmaKind === 'none') return f.stackGrowth ? 'stack_growth' : 'no_vma';
  // LV3 lock_vma_under_rcu (6.4-6.6 early): only anonymous VMAs, and only with an anon_vma.
  if (r.version < 604) return 'no_per_vma_locks';
  const anonymous = isAnonymous(f);
  if (!r.fileVmas && !anonymous) return 'not_anonymous';
  if (r.needsAnonVmaToLock && anonymous && f.anonVma !== 1) return f.anonVma === 0 ? 'no_anon_vma' : 'anon_vma_unknown';
  // LV4 vma_start_read: a writer holds the VMA write-locked until mmap_write_unlock.
  if (f.writeLocked === 1) return 'vma_write_locked';
  if (f.writeLocked === -1) return 'writer_race';
  log.lock(f.vma, 'vma', 'S', 'lock_vma_under_rcu', 'fault');
  // LV5 do_user_addr_fault: access_error drops the VMA lock and retries under mmap_lock.
  if (f.accessError) return release(log, 'access_error');
  // LV6 handle_mm_fault under FAULT_FLAG_VMA_LOCK: paths that return VM_FAULT_RETRY.
  if (f.vmaKind === 'special' && r.noMapPagesRetry) return release(log, 'no_map_pages');
  if (r.fileFaultRetries && !anonymous && (f.write || f.major)) return release(log, 'file_fault');
  if (f.major) return release(log, anonymous ? 'swap_io' : 'file_io');
  if (f.readahead) return release(log, 'readahead');
  // LV7 vmf_anon_prepare: a fault that needs an anon_vma the VMA lacks.
  if (needsAnonVma(f, r) && f.anonVma !== 1) {
    if (r.anonPrepare === 'retry') return release(log, f.anonVma === 0 ? 'anon_vma_prepare' : 'anon_vma_unknown');
    // mmap_read_trylock succeeds (the capture cannot show a failed one in advance): one mm acquisition, still under the VMA lock.
    log.lock(f.mm, 'mm', 'S', '__vmf_anon_prepare', f.anonVma === 0 ? 'anon_vma_trylock' : 'anon_vma_unknown');
    log.releaseAll(f.vma);
  }
  log.outcome('vma', 0);
  log.releaseAll();
  return null;
}

function release(log: LockLog, why: string): string {
  log.releaseAll();
  return why;
}

/**
 * LM1-LM3: the fault under mmap_lock (read): once, again after a
 * VM_FAULT_RETRY for I/O (filemap_fault drops the lock to wait), and a
 * write hold to grow the stack.
 */
function mmapPath(f: LinuxFaultFacts, log: LockLog, reason: string, ioDone = false): void {
  log.lock(f.mm, 'mm', 'S', 'lock_mmap', reason);
  if (f.stackGrowth) {
    log.releaseAll();
    log.lock(f.mm, 'mm', 'X', 'expand_stack', 'stack_growth');
  }
  if (f.vmaKind === 'none' && !f.stackGrowth) {
    log.outcome('bad_area', 0);
    log.releaseAll();
    return;
  }
  if ((f.major || f.readahead) && !ioDone) {
    log.releaseAll();
    log.restart(f.major ? 'io' : 'readahead');
    log.attempt();
    log.lock(f.mm, 'mm', 'S', 'lock_mmap', 'retry');
  }
  log.outcome(f.accessError ? 'bad_area' : 'mmap', 0);
  log.releaseAll();
}

/** Private anonymous memory: mmap'd anonymous, the heap, the stack (vma_is_anonymous). */
const isAnonymous = (f: LinuxFaultFacts): boolean => f.vmaKind === 'anon' || f.vmaKind === 'heap' || f.vmaKind === 'stack';

/** Faults that need the VMA's anon_vma (do_anonymous_page, do_cow_fault, wp_page_copy). */
function needsAnonVma(f: LinuxFaultFacts, r: VersionRules): boolean {
  if (isAnonymous(f)) return f.write || !r.readMapsZeroPage;
  if (f.vmaKind === 'file') return f.write; // a private file mapping's COW (shared writable mappings need none; see docs)
  return false;
}
