// The Linux models rule by rule (docs/models.md, "Linux models"): one
// scenario per numbered rule, and the rules that changed between 6.4, 6.6
// and 6.18.

import t from 'tap';
import { StringTable } from '../../src/columns/strings.js';
import { LockClass, LockMode } from '../../src/events/vocabulary.js';
import type { LinuxFaultFacts } from '../../src/models/linux-facts.js';
import { linuxMmapModel, linuxVmaModel } from '../../src/models/linux.js';
import { LINUX_RULES } from '../../src/models/linux-versions.js';
import type { LinuxModel } from '../../src/models/model.js';
import { RecordingLockLog } from '../../src/replay/lock-log.js';

const MM = { obj: 1, otype: 255 };
const VMA = { obj: 2, otype: 255 };

/** A user read fault on an anonymous VMA with an anon_vma, on 6.18: handled under the VMA lock. */
function fault(over: Partial<LinuxFaultFacts> = {}): LinuxFaultFacts {
  return {
    id: 1,
    tid: 10,
    user: true,
    write: false,
    exec: false,
    present: false,
    mm: MM,
    vma: VMA,
    vmaKind: 'anon',
    stackGrowth: false,
    accessError: false,
    anonVma: 1,
    writeLocked: 0,
    major: false,
    readahead: false,
    endInferred: false,
    version: 618,
    ...over,
  };
}

interface Done {
  locks: string[];
  mm: number;
  vma: number;
  reason: string | null;
  fallback: string | null;
  outcome: string;
  attempts: number;
  restarts: number;
}

function run(model: LinuxModel, f: LinuxFaultFacts, linuxVersion?: number): Done {
  const strings = new StringTable();
  const log = new RecordingLockLog(strings);
  model.fault(f, linuxVersion === undefined ? { sharedFault: true } : { sharedFault: true, linuxVersion }, log);
  const locks: string[] = [];
  for (let a = 0; a < log.n; a++)
    locks.push(`${LockMode.label(log.mode[a]!)} ${LockClass.label(log.cls[a]!)} ${strings.get(log.site[a]!)} ${strings.get(log.reason[a]!)}`);
  return {
    locks,
    mm: log.mmLocks,
    vma: log.vmaLocks,
    reason: log.mmReason,
    fallback: log.fallbackReason,
    outcome: log.result,
    attempts: log.attempts,
    restarts: log.restarts,
  };
}

const vma = (f: LinuxFaultFacts, version?: number) => run(linuxVmaModel, f, version);

t.test('the registry entries: family, baseline, columns', async (t) => {
  t.equal(linuxMmapModel.family, 'linux');
  t.equal(linuxMmapModel.baseline, 'linux-mmap');
  t.equal(linuxVmaModel.baseline, 'linux-mmap');
  t.not(linuxMmapModel.description, linuxVmaModel.description);
});

t.test('LM1: linux-mmap takes mmap_lock for read in every fault, user or kernel', async (t) => {
  for (const f of [fault(), fault({ user: false }), fault({ vmaKind: 'file' }), fault({ write: true, anonVma: 0 })]) {
    const r = run(linuxMmapModel, f);
    t.same(r.locks, ['S mm lock_mmap every_fault']);
    t.equal(r.reason, 'every_fault');
    t.equal(r.outcome, 'mmap');
  }
});

t.test('LM2: stack growth drops the read hold and takes mmap_lock for writing', async (t) => {
  const r = run(linuxMmapModel, fault({ vmaKind: 'none', stackGrowth: true }));
  t.same(r.locks, ['S mm lock_mmap every_fault', 'X mm expand_stack stack_growth']);
  t.equal(r.mm, 2);
});

t.test('LM3: a major fault or readahead retries under mmap_lock (VM_FAULT_RETRY), once more', async (t) => {
  for (const f of [fault({ vmaKind: 'file', major: true }), fault({ vmaKind: 'file', readahead: true })]) {
    const r = run(linuxMmapModel, f);
    t.same(r.locks, ['S mm lock_mmap every_fault', 'S mm lock_mmap retry']);
    t.equal(r.restarts, 1);
    t.equal(r.attempts, 2);
  }
  t.equal(run(linuxMmapModel, fault({ vmaKind: 'none' })).outcome, 'bad_area', 'no VMA and no stack: SIGSEGV under the lock');
});

t.test('a fault under the VMA lock takes no mm lock', async (t) => {
  const r = vma(fault());
  t.same(r.locks, ['S vma lock_vma_under_rcu fault']);
  t.equal(r.mm, 0);
  t.equal(r.reason, null);
  t.equal(r.outcome, 'vma');
});

t.test('LV1: a kernel-mode fault goes straight to lock_mmap', async (t) => {
  const r = vma(fault({ user: false }));
  t.same(r.locks, ['S mm lock_mmap kernel_mode']);
  t.equal(r.fallback, 'kernel_mode');
  t.equal(r.vma, 0);
});

t.test('LV2: no VMA at the address (a gap, or stack growth)', async (t) => {
  t.equal(vma(fault({ vmaKind: 'none' })).reason, 'no_vma');
  const s = vma(fault({ vmaKind: 'none', stackGrowth: true }));
  t.equal(s.reason, 'stack_growth');
  t.same(s.locks, ['S mm lock_mmap stack_growth', 'X mm expand_stack stack_growth']);
});

t.test('LV3: 6.4-6.5 take anonymous VMAs only; 6.4-6.9 refuse one without an anon_vma', async (t) => {
  t.equal(vma(fault({ vmaKind: 'file' }), 604).reason, 'not_anonymous', '6.4: file VMA');
  t.equal(vma(fault({ vmaKind: 'file' }), 605).reason, 'not_anonymous', '6.5: file VMA');
  t.equal(vma(fault({ vmaKind: 'file' }), 606).reason, null, '6.6: a read of a cached file page');
  t.equal(vma(fault({ anonVma: 0 }), 604).reason, 'no_anon_vma', '6.4: anonymous VMA without anon_vma');
  t.equal(vma(fault({ anonVma: 0 }), 609).reason, 'no_anon_vma', '6.9');
  t.equal(vma(fault({ anonVma: 0 }), 610).reason, null, '6.10: a read maps the zero page, no anon_vma needed');
  t.equal(vma(fault({ anonVma: -1 }), 606).reason, 'anon_vma_unknown', 'a VMA older than the capture: undecidable');
  t.equal(vma(fault(), 603).reason, 'no_per_vma_locks', 'before 6.4 there are no per-VMA locks');
});

t.test("LV4: a VMA write-locked by another thread's writer; a writer too close to tell", async (t) => {
  const r = vma(fault({ writeLocked: 1 }));
  t.same(r.locks, ['S mm lock_mmap vma_write_locked']);
  t.equal(r.vma, 0, 'vma_start_read failed: no VMA lock taken');
  t.equal(vma(fault({ writeLocked: -1 })).reason, 'writer_race');
});

t.test('LV5: access_error drops the VMA lock and retries under mmap_lock', async (t) => {
  const r = vma(fault({ write: true, accessError: true }));
  t.same(r.locks, ['S vma lock_vma_under_rcu fault', 'S mm lock_mmap access_error']);
  t.equal(r.outcome, 'bad_area');
});

t.test('LV6: VM_FAULT_RETRY paths under the VMA lock', async (t) => {
  t.equal(vma(fault({ vmaKind: 'special' }), 607).reason, 'no_map_pages', '6.7+: vdso/vvar have no map_pages');
  t.equal(vma(fault({ vmaKind: 'special' }), 606).reason, null, '6.6: no vmf_can_call_fault yet');
  t.equal(vma(fault({ vmaKind: 'file', write: true }), 606).reason, 'file_fault', '6.6: every ->fault call retries');
  t.equal(vma(fault({ vmaKind: 'file', write: true, anonVma: 1 }), 607).reason, null, '6.7+: ->fault under the VMA lock');
  t.equal(vma(fault({ vmaKind: 'file', major: true })).reason, 'file_io');
  t.equal(vma(fault({ vmaKind: 'anon', major: true })).reason, 'swap_io');
  t.equal(vma(fault({ vmaKind: 'file', readahead: true })).reason, 'readahead');
  const io = vma(fault({ vmaKind: 'file', major: true }));
  t.same(io.locks, ['S vma lock_vma_under_rcu fault', 'S mm lock_mmap file_io'], 'LV8 (6.8+): the mmap_lock attempt waits for the I/O (FAULT_FLAG_TRIED)');
  t.same(
    vma(fault({ vmaKind: 'file', major: true }), 607).locks,
    ['S vma lock_vma_under_rcu fault', 'S mm lock_mmap file_io', 'S mm lock_mmap retry'],
    'before 6.8 it may drop the lock for the I/O again',
  );
});

t.test('LV7: a fault needing an anon_vma its VMA lacks: trylock (6.10+) or retry (6.7-6.9)', async (t) => {
  const w = vma(fault({ write: true, anonVma: 0 }));
  t.same(w.locks, ['S vma lock_vma_under_rcu fault', 'S mm __vmf_anon_prepare anon_vma_trylock']);
  t.equal(w.fallback, null, 'still handled under the VMA lock');
  t.equal(w.reason, 'anon_vma_trylock');
  t.equal(w.outcome, 'vma');
  t.equal(vma(fault({ write: true, vmaKind: 'file', anonVma: 0 }), 608).reason, 'anon_vma_prepare', '6.8: a private file COW without anon_vma retries');
  t.equal(vma(fault({ write: true, vmaKind: 'shared_file', anonVma: 0 })).reason, null, 'a shared file mapping needs no anon_vma');
  t.equal(vma(fault({ write: false, anonVma: 0 })).reason, null, 'a read maps the zero page');
  t.equal(vma(fault({ write: true, anonVma: -1 })).reason, 'anon_vma_unknown');
});

t.test('the version rules: 6.4, 6.6 and 6.18 differ where a fallback changed', async (t) => {
  const [v64, v66, v618] = [LINUX_RULES(604), LINUX_RULES(606), LINUX_RULES(618)];
  t.same([v64.fileVmas, v66.fileVmas, v618.fileVmas], [false, true, true]);
  t.same([v64.fileFaultRetries, v66.fileFaultRetries, v618.fileFaultRetries], [false, true, false]);
  t.same([v64.needsAnonVmaToLock, v66.needsAnonVmaToLock, v618.needsAnonVmaToLock], [true, true, false]);
  t.same([v64.anonPrepare, v618.anonPrepare], ['retry', 'trylock']);
  t.same([v66.noMapPagesRetry, v618.noMapPagesRetry], [false, true]);
  t.equal(vma(fault({ vmaKind: 'file' }), 618).reason, null);
  t.equal(vma(fault({ version: 604, vmaKind: 'file' })).reason, 'not_anonymous', "the capture's version applies without a knob");
  t.equal(vma(fault({ version: 604, vmaKind: 'file' }), 618).reason, null, 'the knob overrides it');
});

t.test("the heap and the stack are anonymous VMAs like mmap'd anonymous memory", async (t) => {
  for (const kind of ['heap', 'stack'] as const) {
    t.equal(vma(fault({ vmaKind: kind }), 604).reason, null, `6.4 takes a ${kind} VMA with an anon_vma`);
    t.equal(vma(fault({ vmaKind: kind, anonVma: 0 }), 604).reason, 'no_anon_vma', `6.4: a ${kind} VMA without anon_vma`);
    t.equal(vma(fault({ vmaKind: kind, write: true, anonVma: 0 })).reason, 'anon_vma_trylock', `6.18: the first write to a ${kind} VMA`);
    t.equal(vma(fault({ vmaKind: kind, major: true })).reason, 'swap_io', `a major fault on the ${kind} is a swap-in`);
    t.equal(vma(fault({ vmaKind: kind, write: true, anonVma: 1 }), 606).reason, null, `6.6: no ->fault for the ${kind}`);
  }
  t.equal(vma(fault({ vmaKind: 'shared_anon' }), 604).reason, 'not_anonymous', 'shared anonymous memory is shmem, not anonymous');
  t.equal(vma(fault({ vmaKind: 'special' }), 604).reason, 'not_anonymous');
});

t.test('the boundaries of each version rule', async (t) => {
  const write = fault({ write: true, anonVma: 0 });
  t.equal(vma(write, 609).reason, 'no_anon_vma', '6.9: still refused by lock_vma_under_rcu');
  t.equal(vma(write, 610).reason, 'anon_vma_trylock', '6.10: the trylock');
  const cow = fault({ vmaKind: 'file', write: true, anonVma: 0 });
  t.equal(vma(cow, 609).reason, 'anon_vma_prepare', '6.9: vmf_anon_prepare retries');
  t.equal(vma(cow, 610).reason, 'anon_vma_trylock', '6.10: it takes the trylock');
  t.equal(vma(fault({ vmaKind: 'file', major: true }), 606).reason, 'file_fault', '6.6: a major file fault retries in ->fault');
  t.equal(vma(fault({ vmaKind: 'file' }), 606).reason, null, '6.6: a minor read is fault-around');
  for (const [why, over] of [
    ['file_io', { vmaKind: 'file' as const, major: true }],
    ['swap_io', { major: true }],
    ['readahead', { vmaKind: 'file' as const, readahead: true }],
  ] as const) {
    t.equal(vma(fault(over), 608).mm, 1, `6.8: after ${why} the mmap_lock attempt waits (FAULT_FLAG_TRIED)`);
    t.equal(vma(fault(over), 607).mm, 2, `6.7: after ${why} it may drop the lock again`);
    t.equal(vma(fault(over), 608).reason, why);
  }
  t.equal(
    vma(fault({ user: false, vmaKind: 'file', major: true }), 618).mm,
    2,
    'a kernel-mode major fault retries under mmap_lock (no VMA attempt did the I/O)',
  );
});

t.test('the columns and baselines the registry derives for the Linux models', async (t) => {
  const { modelColumns } = await import('../../src/models/index.js');
  t.same(modelColumns(linuxMmapModel), { name: 'linux-mmap', family: 'linux', baseline: 'linux-mmap', countColumn: 'mm_linux_mmap', savedColumn: null });
  t.same(modelColumns(linuxVmaModel), { name: 'linux-vma', family: 'linux', baseline: 'linux-mmap', countColumn: 'mm_linux_vma', savedColumn: 'saved_mm_vma' });
  t.match(linuxMmapModel.description, /every page fault under the per-mm mmap_lock/);
  t.match(linuxVmaModel.description, /per-VMA locks/);
});
