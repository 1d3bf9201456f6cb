// The perf reader on hand-written `perf script` / `perf trace` snippets: each
// mapping rule of Linux faults onto the vocabulary, and the line accounting.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { Row } from '../../src/columns/rows.js';
import { inferredKeys } from '../../src/events/rules.js';
import type { FileStats } from '../../src/ingest/common/stats.js';
import { readTrace } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'vmreplay-perf-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let serial = 0;

/** Read perf text; every test also checks that each line was counted exactly once. */
async function read(t: Test, text: string): Promise<{ rows: Row[]; f: FileStats }> {
  const path = join(dir, `${serial++}.perf.txt`);
  writeFileSync(path, text);
  const { rows, ingest } = await readTrace(path);
  const f = ingest.files[0]!;
  t.equal(f.format, 'perf', 'sniffed as perf');
  t.ok(
    f.balanced,
    `every line counted once: ${JSON.stringify({ lines: f.lines, framing: f.framing, events: f.events, context: f.context, rejected: f.rejected })}`,
  );
  t.equal(f.derivedRejected, 0, JSON.stringify(f.rejects));
  t.equal(rows.length, f.events + f.context + f.unknown + f.derived, 'rows = events + context + unknown + derived');
  return { rows, f };
}

// ---- line builders, in the shape capture.sh asks perf script for ----
let clock = 100_000_000; // microseconds
const ts = (): string => {
  clock += 7;
  return `${Math.floor(clock / 1e6)}.${String(clock % 1e6).padStart(6, '0')}000`;
};
const head = (comm: string, pid: number, tid: number, cpu = 0): string =>
  `${comm.padStart(16)} ${`${pid}/${tid}`.padStart(10)}  [${String(cpu).padStart(3, '0')}] ${ts()}:`;
const tp = (comm: string, pid: number, tid: number, event: string, body: string, cpu = 0): string =>
  `${head(comm, pid, tid, cpu)} ${event.padStart(36)}: ${body}`;
const hex = (n: number): string => '0x' + n.toString(16);
const mmap2 = (comm: string, pid: number, start: number, len: number, off: number, dev: string, ino: number, prot: string, path: string): string =>
  `${head(comm, pid, pid)} PERF_RECORD_MMAP2 ${pid}/${pid}: [${hex(start)}(${hex(len)}) @ ${off === 0 ? '0' : hex(off)} ${dev} ${ino} 0]: ${prot} ${path}`;
const anon = (comm: string, pid: number, start: number, len: number, path = '//anon'): string => mmap2(comm, pid, start, len, start, '00:00', 0, 'rw-p', path);
/** One fault: entry tracepoint, optional filemap line, then its accounting sample. */
function fault(
  comm: string,
  pid: number,
  tid: number,
  va: number,
  error: number,
  opts: { major?: boolean; kernel?: boolean; file?: string; end?: boolean } = {},
): string[] {
  const lines = [
    tp(
      comm,
      pid,
      tid,
      opts.kernel ? 'exceptions:page_fault_kernel' : 'exceptions:page_fault_user',
      `address=${hex(va)} ip=${opts.kernel ? 'clear_user' : hex(va)} error_code=${hex(error)}`,
    ),
  ];
  if (opts.file) lines.push(tp(comm, pid, tid, 'filemap:mm_filemap_fault', opts.file));
  if (opts.end !== false) lines.push(`${head(comm, pid, tid)} ${(opts.major ? 'major-faults' : 'minor-faults').padStart(36)}: ${va.toString(16).padStart(16)}`);
  return lines;
}
const lock = (comm: string, pid: number, what: 'start_locking' | 'acquire_returned' | 'released', mm: string, write: boolean, success?: boolean): string =>
  tp(comm, pid, pid, `mmap_lock:mmap_lock_${what}`, `mm=${mm} memcg_id=1 write=${write}${success === undefined ? '' : ` success=${success}`}`);
/** The mmap_lock pattern of dup_mmap: own mm and the new mm, both for writing. */
const dupMmap = (comm: string, pid: number, own: string, fresh: string): string[] => [
  lock(comm, pid, 'start_locking', own, true),
  lock(comm, pid, 'acquire_returned', own, true, true),
  lock(comm, pid, 'start_locking', fresh, true),
  lock(comm, pid, 'acquire_returned', fresh, true, true),
  lock(comm, pid, 'released', fresh, true),
  lock(comm, pid, 'released', own, true),
];
const forkRec = (comm: string, child: number, parent: number): string =>
  `${head(comm, parent, parent)} PERF_RECORD_FORK(${child}:${child}):(${parent}:${parent})`;
const exitRec = (comm: string, pid: number, parent: number): string => `${head(comm, pid, pid)} PERF_RECORD_EXIT(${pid}:${pid}):(${parent}:${parent})`;
const execRec = (comm: string, pid: number): string => `${head(comm, pid, pid)} PERF_RECORD_COMM exec: ${comm}:${pid}/${pid}`;
const trace = (...parts: (string | string[])[]): string => parts.flat().join('\n') + '\n';

const W = 0x2,
  P = 0x1,
  U = 0x4,
  I = 0x10;
const LIBC = 0x7f0000000000;
const HEAP = 0x560000000000;
const libc = (pid: number, comm = 'sh'): string[] => [
  mmap2(comm, pid, LIBC, 0x28000, 0, 'fe:00', 339380, 'r--p', '/usr/lib/libc.so.6'),
  mmap2(comm, pid, LIBC + 0x28000, 0x100000, 0x28000, 'fe:00', 339380, 'r-xp', '/usr/lib/libc.so.6'),
  mmap2(comm, pid, LIBC + 0x200000, 0x4000, 0x1d0000, 'fe:00', 339380, 'rw-p', '/usr/lib/libc.so.6'),
];
const LIBC_OBJ = '0xf1fe000000052db4'; // dev fe:00, inode 339380
const faults = (rows: Row[]): Row[] => rows.filter((r) => r.kind === 'fault_begin' || r.kind === 'fault_obj' || r.kind === 'fault_end');
const inf = (r: Row | undefined): string[] => inferredKeys((r?.inferred as number) ?? 0);
const of = (rows: Row[], kind: string): Row[] => rows.filter((r) => r.kind === kind);

t.test('a file-backed read fault is a VNODE level named by device:inode and path', async (t) => {
  const { rows, f } = await read(t, trace('# ========', '# perf version : 6.1', '', libc(10), fault('sh', 10, 10, LIBC + 0x28010, U | I)));
  t.equal(f.framing, 3, 'header, comment and blank lines are framing');
  const name = of(rows, 'obj_name')[0]!;
  t.same([name.obj, name.otype, name.text], [LIBC_OBJ, 'vnode', '/usr/lib/libc.so.6'], 'obj_name at the first mapping');
  t.equal(of(rows, 'obj_name').length, 1, 'named once');
  const [begin, level, end] = faults(rows);
  t.match(
    begin,
    { tid: 10, pid: 10, va: '0x7f0000028010', ftype: 4, fflags: 0x4, nthreads: 1, map: 'user', comm: 'sh' },
    'instruction fetch: ftype X, user fault: BURST',
  );
  t.same(inf(begin), ['fflags', 'nthreads', 'maptype', 'wired']);
  t.match(level, { depth: 0, obj: LIBC_OBJ, otype: 'vnode', page: 'valid', has_backing: false });
  t.notOk(inf(level).includes('page'), 'a VNODE page state is observed (minor fault: page cached)');
  t.ok(inf(level).includes('ref') && inf(level).includes('backing'), 'chain facts come from the model');
  t.match(end, { rc: 0, depth: 0, action: 'map', io: false });
  t.same(inf(end), ['depth', 'action']);
  t.ok(
    f.notes.some((n) => n.includes('Linux') && n.includes('inferred')),
    'the file says it is a Linux mapping and what is inferred',
  );
});

t.test('a major fault reads the page through the file pager', async (t) => {
  const { rows } = await read(t, trace(libc(10), fault('sh', 10, 10, LIBC + 0x29000, U, { major: true, file: 'dev=254:0 ino=52db4 ofs=167936' })));
  const [, level, end] = faults(rows);
  t.match(level, { otype: 'vnode', page: 'absent', pager: 'has' });
  t.ok(inf(level).includes('pager'));
  t.match(end, { depth: 0, action: 'map', io: true });
  t.ok((end!.io_ns as number) > 0, 'io_ns: the fault duration');
  t.ok(inf(end).includes('io_ns'));
  t.equal(of(rows, 'context').filter((r) => r.name === 'mm_filemap_fault').length, 1, 'the filemap line is kept as context');
});

t.test('private anonymous memory: a DEFAULT object per mapping, zero fill first, then found', async (t) => {
  const { rows } = await read(
    t,
    trace(anon('sh', 10, HEAP, 0x21000, '[heap]'), fault('sh', 10, 10, HEAP + 8, W | U), fault('sh', 10, 10, HEAP + 16, P | W | U)),
  );
  const [, l1, e1, , l2, e2] = faults(rows);
  t.match(l1, { depth: 0, otype: 'default', page: 'absent', has_backing: false, shadowed: false });
  t.match(String(l1!.obj), /^0xd0/, 'a synthetic anonymous object');
  t.ok(
    ['obj', 'otype', 'page'].every((k) => inf(l1).includes(k)),
    'anonymous objects and their page states are inferred',
  );
  t.match(e1, { depth: -1, action: 'zero_fill' });
  t.match(l2, { obj: l1!.obj, page: 'valid' }, 'the same object holds the page now');
  t.match(e2, { depth: 0, action: 'map' });
  t.notOk(
    rows.some((r) => r.kind === 'obj_ref' && r.obj === l1!.obj),
    'anonymous objects come without a reference event (allocated by the fault)',
  );
});

t.test('the first write to a private file page is a copy-on-write through a DEFAULT shadow', async (t) => {
  const data = LIBC + 0x200000;
  const { rows } = await read(
    t,
    trace(
      libc(10),
      fault('sh', 10, 10, data + 0x10, W | U, { file: 'dev=254:0 ino=52db4 ofs=1900544' }),
      fault('sh', 10, 10, data + 0x1010, W | U),
      fault('sh', 10, 10, data + 0x2020, U), // a read of a page nobody wrote
      // RELRO: the first page goes read-only; the same VMA with a new protection
      mmap2('sh', 10, data, 0x1000, 0x1d0000, 'fe:00', 339380, 'r--p', '/usr/lib/libc.so.6'),
      fault('sh', 10, 10, data + 0x3000, W | U),
    ),
  );
  const shadows = of(rows, 'obj_shadow');
  t.equal(shadows.length, 1, 'one shadow for the entry, at its first write');
  const shadow = shadows[0]!;
  t.match(shadow, { tid: 10, backing_obj: LIBC_OBJ, backing_otype: 'vnode', site: 'vm_object_shadow' });
  t.same(inf(shadow), ['event', 'obj'], 'obj_shadow is an inferred event');
  const levels = of(rows, 'fault_obj');
  t.match(levels[0], { depth: 0, obj: shadow.obj, otype: 'default', page: 'absent', has_backing: true });
  t.match(levels[1], { depth: 1, obj: LIBC_OBJ, otype: 'vnode', page: 'valid' });
  t.ok(inf(levels[1]).includes('depth') && !inf(levels[0]).includes('depth'), 'a place below depth 0 is the modelled chain');
  const ends = of(rows, 'fault_end');
  t.match(ends[0], { depth: 1, action: 'cow_copy' });
  t.match(ends[1], { depth: 1, action: 'cow_copy' }, 'another page of the entry: copied from the file too');
  t.match(
    levels.slice(4, 6),
    [
      { depth: 0, obj: shadow.obj, page: 'absent' },
      { depth: 1, obj: LIBC_OBJ, page: 'valid' },
    ],
    'a read walks past the shadow',
  );
  t.match(ends[2], { depth: 1, action: 'readonly' }, 'and maps the file page read-only');
  t.match(levels[6], { depth: 0, obj: shadow.obj }, 'after mprotect the rest of the entry keeps its shadow');
  t.match(ends[3], { depth: 1, action: 'cow_copy' });
  const refs = of(rows, 'obj_ref');
  t.same(
    refs.map((r) => [r.obj, r.delta, r.ref, r.site]),
    [
      [LIBC_OBJ, 1, 0, 'vm_object_reference'],
      [LIBC_OBJ, 1, 1, 'vm_object_reference'],
      [LIBC_OBJ, 1, 2, 'vm_object_reference'],
      [shadow.obj, 1, 1, 'vm_object_reference'],
    ],
    'one reference per mapping; the mprotect split gives the shadow a second user',
  );
  t.ok(refs.every((r) => inf(r).includes('event') && inf(r).includes('ref')));
});

t.test('a fork seen copying (dup_mmap) splits every private entry; the child copies on write', async (t) => {
  const { rows, f } = await read(
    t,
    trace(
      libc(10),
      anon('sh', 10, HEAP, 0x21000, '[heap]'),
      mmap2('sh', 10, 0x7f1000000000, 0x1000, 0, '00:01', 77, 'rw-s', '/dev/zero (deleted)'),
      fault('sh', 10, 10, HEAP + 8, W | U),
      fault('sh', 10, 10, LIBC + 0x28010, U | I),
      dupMmap('sh', 10, '0xffff888100000000', '0xffff888100001000'),
      forkRec('sh', 11, 10),
      tp('sh', 10, 10, 'sched:sched_process_fork', 'comm=sh pid=10 child_comm=sh child_pid=11'),
      fault('sh', 11, 11, HEAP + 8, P | W | U),
      fault('sh', 10, 10, HEAP + 8, P | W | U),
    ),
  );
  const fork = of(rows, 'proc_fork');
  t.equal(fork.length, 1, 'one proc_fork (the tracepoint repeats the record)');
  t.match(fork[0], { pid: 10, child: 11, tid: 10 });
  t.same(inf(fork[0]), [], 'the fork itself is observed');
  const heap = of(rows, 'fault_obj')[0]!.obj;
  const splits = of(rows, 'map_split');
  t.same(
    splits.map((r) => [r.obj, r.otype]),
    [
      [heap, 'default'],
      [LIBC_OBJ, 'vnode'],
      [LIBC_OBJ, 'vnode'],
      [LIBC_OBJ, 'vnode'],
    ],
    'map_split for each private entry with an object, in address order',
  );
  t.ok(splits.every((r) => inf(r).includes('event')));
  const shm = '0xf10001000000004d'; // dev 00:01, inode 77
  t.same(
    of(rows, 'obj_ref')
      .filter((r) => r.obj === shm)
      .map((r) => [r.delta, r.ref]),
    [
      [1, 0],
      [1, 1],
    ],
    'the shared mapping is not split: the child takes one more reference',
  );
  const shadows = of(rows, 'obj_shadow');
  t.equal(shadows.length, 2, 'child and parent each shadow the shared heap object at their first write');
  t.ok(shadows.every((s) => s.backing_obj === heap && s.backing_otype === 'default'));
  const childLevels = of(rows, 'fault_obj').filter((r) => r.tid === 11);
  t.match(childLevels, [
    { depth: 0, obj: shadows[0]!.obj, page: 'absent' },
    { depth: 1, obj: heap, page: 'valid' },
  ]);
  t.ok(f.notes.some((n) => n.includes('1 copied')));
});

t.test('a fork not seen copying (posix_spawn, vfork) shares the space until exec: no split, no teardown', async (t) => {
  const { rows, f } = await read(
    t,
    trace(
      libc(20, 'make'),
      lock('make', 20, 'start_locking', '0xffff888100000000', false),
      lock('make', 20, 'acquire_returned', '0xffff888100000000', false, true),
      lock('make', 20, 'released', '0xffff888100000000', false),
      fault('make', 20, 20, LIBC + 0x28010, U | I),
      forkRec('make', 21, 20),
      fault('make', 21, 21, LIBC + 0x29010, U | I),
      execRec('cc', 21),
      mmap2('cc', 21, 0x400000, 0x1000, 0, 'fe:00', 1234, 'r-xp', '/usr/bin/cc'),
      tp('cc', 21, 21, 'sched:sched_process_exec', 'filename=/usr/bin/cc pid=21 old_pid=21'),
      exitRec('cc', 21, 20),
    ),
  );
  t.equal(of(rows, 'map_split').length, 0, 'no copy: no map_split');
  const childLevel = of(rows, 'fault_obj').find((r) => r.tid === 21)!;
  t.equal(childLevel.obj, LIBC_OBJ, "the child faults on its parent's mapping");
  const drops = of(rows, 'obj_ref').filter((r) => r.delta === -1);
  t.same(
    drops.map((r) => r.obj),
    ['0xf1fe0000000004d2'],
    "exec drops nothing of the parent's; exit drops the child's own mapping",
  );
  t.ok(f.notes.some((n) => n.includes('1 shared it')));
});

t.test('without mmap_lock events a fork is copied when parent or child next touches memory', async (t) => {
  const { rows, f } = await read(
    t,
    trace(libc(10), forkRec('sh', 11, 10), fault('sh', 10, 10, LIBC + 0x200010, W | U), forkRec('sh', 12, 10), execRec('true', 12)),
  );
  const splits = of(rows, 'map_split');
  t.equal(splits.length, 3, 'the first fork: split when the parent faulted');
  t.ok(
    splits.every((s) => s.tid === 10),
    'attributed to the forking thread',
  );
  const touched = rows.filter((r) => r.kind === 'map_split' || r.kind === 'fault_begin').slice(0, 4);
  t.same(
    touched.map((r) => r.kind),
    ['map_split', 'map_split', 'map_split', 'fault_begin'],
    'written at the touch, before its fault',
  );
  t.equal(new Set(touched.map((r) => r.src_line)).size, 1, 'from the line of the touch');
  t.ok(f.notes.some((n) => n.includes('1 taken as copies') && n.includes('1 exec')));
});

t.test('exec drops the old mappings and names the executable; exit drops the rest', async (t) => {
  const { rows } = await read(
    t,
    trace(
      libc(10),
      execRec('true', 10),
      mmap2('true', 10, 0x400000, 0x1000, 0, 'fe:00', 1234, 'r--p', '/usr/bin/true'),
      mmap2('true', 10, 0x401000, 0x1000, 0x1000, 'fe:00', 1234, 'r-xp', '/usr/bin/true'),
      libc(10, 'true'),
      tp('true', 10, 10, 'sched:sched_process_exec', 'filename=/bin/true pid=10 old_pid=10'),
      tp('true', 10, 10, 'sched:sched_process_exit', 'comm=true pid=10 prio=120 group_dead=true'),
      exitRec('true', 10, 1),
    ),
  );
  const kinds = rows
    .filter((r) => r.kind !== 'obj_name' && r.kind !== 'context')
    .map((r) => `${r.kind}${r.delta ? ((r.delta as number) > 0 ? '+' : '-') : ''}`);
  t.same(kinds, [
    'obj_ref+',
    'obj_ref+',
    'obj_ref+',
    'obj_ref-',
    'obj_ref-',
    'obj_ref-', // exec: the old image
    'obj_ref+',
    'obj_ref+',
    'obj_ref+',
    'obj_ref+',
    'obj_ref+',
    'proc_exec',
    'exec_page',
    'proc_exit',
    'obj_ref-',
    'obj_ref-',
    'obj_ref-',
    'obj_ref-',
    'obj_ref-',
  ]);
  const exec = of(rows, 'proc_exec')[0]!;
  t.match(exec, { pid: 10, text: '/bin/true', comm: 'true', tid: 10 });
  t.same(inf(exec), [], 'proc_exec is observed');
  const page = of(rows, 'exec_page')[0]!;
  t.match(page, { obj: '0xf1fe0000000004d2', page: 'valid' }, 'the first file mapped after exec is the executable');
  t.same(inf(page), ['event', 'page']);
  t.equal(of(rows, 'proc_exit').length, 1, 'the EXIT record after group_dead adds nothing');
});

t.test('a shadow whose only user is another shadow collapses into it when the last mapping goes', async (t) => {
  const { rows } = await read(
    t,
    trace(
      anon('sh', 10, HEAP, 0x21000, '[heap]'),
      fault('sh', 10, 10, HEAP, W | U),
      fault('sh', 10, 10, HEAP + 0x2000, W | U),
      dupMmap('sh', 10, '0xffff888100000000', '0xffff888100001000'),
      forkRec('sh', 11, 10),
      fault('sh', 10, 10, HEAP, P | W | U), // parent: shadow in front of the heap object
      fault('sh', 11, 11, HEAP + 0x1000, W | U), // child: its own shadow
      exitRec('sh', 11, 10), // child's shadow dies; the heap object is left to the parent's shadow
      fault('sh', 10, 10, HEAP + 0x2000, P | W | U), // still write-protected since the fork
    ),
  );
  const heap = of(rows, 'fault_obj')[0]!.obj;
  const [parentShadow] = of(rows, 'obj_shadow');
  const collapse = of(rows, 'obj_collapse');
  t.equal(collapse.length, 1);
  t.match(collapse[0], { obj: parentShadow!.obj, backing_obj: heap, backing_otype: 'default', collapse_case: 'collapse' });
  t.ok(inf(collapse[0]).includes('event'));
  const last = of(rows, 'fault_obj').at(-1)!;
  t.match(last, { depth: 0, obj: parentShadow!.obj, page: 'valid', has_backing: false }, 'the collapsed shadow took the pages and has no backing object');
  t.match(of(rows, 'fault_end').at(-1), { depth: 0, action: 'map' });
});

t.test('mmap_lock events are observed obj_lock rows on the mm_struct address, class map', async (t) => {
  const mm = '0xffff888105258c80';
  const { rows } = await read(
    t,
    trace(
      lock('sh', 10, 'start_locking', mm, true),
      lock('sh', 10, 'acquire_returned', mm, true, true),
      lock('sh', 10, 'acquire_returned', mm, false, true), // mmap_write_downgrade
      lock('sh', 10, 'released', mm, false),
      lock('sh', 10, 'acquire_returned', mm, false, false), // a failed trylock
    ),
  );
  t.same(
    of(rows, 'obj_lock').map((r) => [r.op, r.mode, r.site, r.class, r.obj]),
    [
      ['wait_beg', 'X', 'mmap_lock', 'map', mm],
      ['acq', 'X', 'mmap_lock', 'map', mm],
      ['rel', 'X', 'mmap_write_downgrade', 'map', mm],
      ['acq', 'S', 'mmap_write_downgrade', 'map', mm],
      ['rel', 'S', 'mmap_lock', 'map', mm],
      ['try_fail', 'S', 'mmap_trylock', 'map', mm],
    ],
  );
  t.ok(
    of(rows, 'obj_lock').every((r) => r.inferred === 0),
    'nothing inferred',
  );
});

t.test('faults without accounting, kernel addresses, stacks and unknown mappings', async (t) => {
  const STACK = 0x7ffc00000000;
  const { rows, f } = await read(
    t,
    trace(
      anon('sh', 10, STACK, 0x21000, '[stack]'),
      fault('sh', 10, 10, STACK + 0x10, P | W, { kernel: true, end: false }), // given up (pagefault_disable)
      fault('sh', 10, 10, STACK - 0x3000, W | U), // below the stack: it grows
      tp('sh', 10, 10, 'exceptions:page_fault_user', 'address=0xffffffffff600000 ip=0xffffffffff600000 error_code=0x15'), // vsyscall
      fault('sh', 10, 10, 0x10000000, U, { file: 'dev=8:1 ino=ff ofs=4096' }), // a mapping made before the trace
      fault('sh', 10, 10, 0x20000000, W | U),
    ),
  );
  const ends = of(rows, 'fault_end');
  t.match(ends[0], { rc: 5 }, 'no accounting sample: ended with KERN_FAILURE');
  t.same(inf(ends[0]), ['rc']);
  t.match(of(rows, 'fault_obj')[0], { otype: 'default', page: 'absent' }, 'stack growth: the stack object');
  t.ok(
    rows.some((r) => r.kind === 'context' && r.name === 'page_fault_user'),
    'a kernel address is context, not a fault',
  );
  const guessed = of(rows, 'fault_obj').slice(1);
  t.match(guessed[0], { obj: '0xf1080100000000ff', otype: 'vnode' }, 'filemap names the file of an unknown mapping');
  t.ok(inf(guessed[0]).includes('obj') && inf(guessed[0]).includes('otype'), 'a made-up mapping marks obj and otype');
  t.match(guessed[1], { otype: 'default', page: 'absent' });
  t.ok(f.notes.some((n) => n.includes('1 ended without one') && n.includes('2 outside every recorded mapping') && n.includes('1 growing a stack')));
});

t.test('lost records are counted as dropped; callchains are framing; bad lines are rejected with a reason', async (t) => {
  const { f } = await read(
    t,
    trace(
      `${head('perf', 1, 1, 1)} PERF_RECORD_LOST lost 42`,
      fault('sh', 10, 10, HEAP, W | U),
      '\tffffffff8175336a handle_mm_fault+0x2a ([kernel.kallsyms])',
      `${head('sh', 10, 10)} PERF_RECORD_MMAP2 10/10: garbage`,
      'this is not perf output',
    ),
  );
  t.equal(f.dropped, 42);
  t.equal(f.cpu(1).dropped, 42);
  t.ok(f.warnings.some((w) => w.includes('lost')));
  t.equal(f.framing, 2, 'the LOST notice and the callchain line');
  t.equal(f.rejected, 2);
  t.same(
    f.rejects.map((r) => r.line),
    [5, 6],
  );
  t.match(f.rejects[0]!.reason, /MMAP/);
});

t.test("perf script's default columns (TID only, a period before software events)", async (t) => {
  const { rows } = await read(
    t,
    trace(
      '            bash  6292 [001]  1063.156294: PERF_RECORD_MMAP2 6292/6292: [0x7ffc3f234000(0x21000) @ 0x7ffffffde000 00:00 0 0]: rw-p [stack]',
      '            bash  6292 [001]  1063.156462:           exceptions:page_fault_user: address=0x7ffc3f234010 ip=0x7f87b1078b70 error_code=0x6',
      '            bash  6292 [001]  1063.156466:          1                         minor-faults:  ffffffff8175336a elf_load+0x28a ([kernel.kallsyms])',
      '     kworker/u4:1  77 [000]  1063.156500:           exceptions:page_fault_user: address=0x1000 ip=0x1000 error_code=0x4',
    ),
  );
  const begin = of(rows, 'fault_begin');
  t.match(begin[0], { tid: 6292, pid: 6292, ts: 1063156462000, cpu: 1 }, 'pid from the MMAP2 record of the thread');
  t.notOk(inf(begin[0]).includes('pid'));
  t.match(of(rows, 'fault_end')[0], { action: 'zero_fill' });
  t.match(begin[1], { tid: 77, pid: 77, comm: 'kworker/u4:1' }, 'a comm with / and : is read whole');
  t.ok(inf(begin[1]).includes('pid'), 'a pid nobody told is inferred');
});

t.test('perf trace --pf=all lines', async (t) => {
  const { rows, f } = await read(
    t,
    trace(
      '     0.000 ( 0.000 ms): bash/6514 minfault [elf_load+0x28a] => 0x55b8f65f4764 (?k)',
      '    12.110 ( 0.000 ms): bash/6514 minfault [_start+0x0] => /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2@0x1ab70 (d.)',
      '    12.200 ( 0.000 ms): bash/6514 majfault [_dl_start+0x3d] => /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2@0x33e06 (d.)',
      '    12.752 ( 0.000 ms): bash/6514 minfault [_dl_init_paths+0xce] => //anon@0x7f6d3f05c008 (d.)',
      '    12.800 ( 0.004 ms): bash/6514 brk(brk: 0x55b8f7000000) = 0x55b8f7000000',
    ),
  );
  t.equal(of(rows, 'fault_begin').length, 4);
  const [b0, b1] = of(rows, 'fault_begin');
  t.match(b0, { tid: 6514, pid: 6514, va: '0x55b8f65f4764', ts: 0, comm: 'bash', ftype: 1 });
  t.ok(['pid', 'ftype', 'fflags'].every((k) => inf(b0).includes(k)));
  t.notOk(inf(b0).includes('va'), 'an absolute target is the address');
  t.match(b1, { va: '0x1ab70', ts: 12110000 });
  t.ok(inf(b1).includes('va'), 'a file target gives an offset: va inferred');
  const levels = of(rows, 'fault_obj');
  t.match(levels[1], { otype: 'vnode', page: 'valid' });
  t.match(String(levels[1]!.obj), /^0xf2/, 'a file known by path only');
  t.match(levels[2], { obj: levels[1]!.obj, page: 'absent', pager: 'has' });
  t.match(of(rows, 'fault_end')[2], { io: true });
  t.match(levels[3], { otype: 'default', page: 'absent' });
  t.equal(f.context, 1, 'the syscall line is context');
  t.ok(f.notes.some((n) => n.startsWith('perf trace --pf')));
});

t.test('threads, plain MMAP records, swap-in, and a fork told only by its tracepoint', async (t) => {
  const { rows, f } = await read(
    t,
    trace(
      `${head('app', 30, 30)} PERF_RECORD_MMAP 30/30: [0x400000(0x2000) @ 0]: x /opt/app`,
      anon('app', 30, HEAP, 0x10000),
      `${head('app', 30, 30)} PERF_RECORD_FORK(30:31):(30:30)`, // a thread
      fault('app', 30, 31, 0x400010, U | I),
      fault('app', 30, 31, HEAP, W | U),
      fault('app', 30, 31, HEAP, U, { major: true }), // read back from swap
      tp('app', 30, 31, 'sched:sched_process_exit', 'comm=app pid=31 prio=120 group_dead=false'),
      `${head('app', 30, 31)} PERF_RECORD_EXIT(30:31):(30:30)`,
      tp('app', 30, 30, 'sched:sched_process_fork', 'comm=app pid=30 child_comm=app child_pid=32'),
      fault('app', 32, 32, HEAP, W | U),
    ),
  );
  const begins = of(rows, 'fault_begin');
  t.match(begins[0], { tid: 31, pid: 30, nthreads: 2 }, 'the thread counts in nthreads');
  const levels = of(rows, 'fault_obj');
  t.match(levels[0], { otype: 'vnode', page: 'valid' });
  t.match(String(levels[0]!.obj), /^0xf2/, 'an MMAP record without device and inode: the file by path');
  t.match(of(rows, 'obj_name')[0], { text: '/opt/app' });
  t.match(levels[2], { otype: 'swap', page: 'absent', pager: 'has' }, 'a major fault on anonymous memory: a swap-in');
  t.match(of(rows, 'fault_end')[2], { depth: 0, io: true });
  t.equal(of(rows, 'proc_exit').length, 0, 'a thread exit is not a process exit');
  t.match(of(rows, 'proc_fork'), [{ pid: 30, child: 32 }], 'the tracepoint alone makes the fork');
  t.match(begins[3], { tid: 32, pid: 32, nthreads: 1 });
  t.ok(
    f.notes.some((n) => n.includes('1 taken as copies')),
    'no mmap_lock events: copied at the touch',
  );
});

t.test('a trace whose first lines are the perf header is still sniffed as perf', async (t) => {
  const header = Array.from({ length: 60 }, (_, i) => (i === 3 ? '# perf version : 6.1.187' : `# header line ${i}`));
  const { f } = await read(t, trace(header, fault('sh', 10, 10, HEAP, W | U)));
  t.equal(f.framing, 60);
  t.equal(f.events, 2);
});

t.test('kernel-provided mappings, other perf events, stray samples, exec without task records', async (t) => {
  const { rows, f } = await read(
    t,
    trace(
      mmap2('sh', 10, 0x7fff00000000, 0x2000, 0, '00:00', 0, 'r-xp', '[vdso]'),
      fault('sh', 10, 10, 0x7fff00000010, U | I),
      tp('sh', 10, 10, 'sched:sched_switch', 'prev_comm=sh prev_pid=10 next_comm=swapper/0 next_pid=0'),
      `${head('sh', 10, 10)} ${'minor-faults'.padStart(36)}: 7fff00000010`,
      tp('sh', 10, 10, 'sched:sched_process_exec', 'filename=/bin/sh pid=10 old_pid=10'),
    ),
  );
  const level = of(rows, 'fault_obj')[0]!;
  t.match(level, { otype: 'device', page: 'valid' }, '[vdso]: a kernel-provided object');
  t.match(String(level.obj), /^0xe0/);
  t.match(of(rows, 'obj_name')[0], { text: '[vdso]', otype: 'device' });
  t.ok(
    rows.some((r) => r.kind === 'context' && r.name === 'sched:sched_switch'),
    'another perf event is kept as context by name',
  );
  t.ok(
    rows.some((r) => r.kind === 'context' && r.name === 'minor-faults'),
    'an accounting sample without its fault entry is context',
  );
  t.ok(f.notes.some((n) => n.includes('1 minor/major-faults samples without a fault entry')));
  t.equal(of(rows, 'exec_page').length, 0, 'no exec record: no executable known');
  t.ok(f.warnings.some((w) => w.includes('--show-task-events')));
});
