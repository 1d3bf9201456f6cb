// The capture kits' output, as the fixed kits print it (traces/capture/dragonfly,
// traces/capture/freebsd), read through the project's readers: every variant line
// each kit emits, what the assembler makes of the walks outside vm_fault and of
// restarts before any level, and the warnings a kernel developer must see.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Dictionaries } from '../../src/columns/dictionaries.js';
import type { Row } from '../../src/columns/rows.js';
import { Ingest } from '../../src/ingest/open.js';
import { DRAGONFLY_MODELS as MODELS } from '../../src/models/index.js';
import { type AssembledFault, FaultAssembler } from '../../src/replay/assemble.js';
import { MemoryOutput } from '../replay/memory-output.js';
import { replayTraces } from '../../src/replay/run.js';
import { formatIngestStats } from '../../src/report/ingest-stats.js';
import { formatSummary } from '../../src/report/summary.js';
import { fixture, readTrace, ROOT } from '../helpers.js';
import { resolveReplayOptions } from '../../src/replay/options.js';

const KITS = join(ROOT, 'traces', 'capture');
const DFLY = fixture('kit-dragonfly.ktr');
const DFLY_POLLED = fixture('kit-dragonfly-l.ktr');
const FBSD = fixture('kit-freebsd.dtrace');

function countByKind(rows: Row[]): Record<string, number> {
  const n: Record<string, number> = {};
  for (const r of rows) n[r.kind as string] = (n[r.kind as string] ?? 0) + 1;
  return n;
}

/** Faults as the replay assembles them, with the address of each level's object. */
async function assemble(path: string) {
  const ingest = new Ingest({});
  const faults: AssembledFault[] = [];
  const assembler = new FaultAssembler(ingest.files, ingest.strings, (f) => faults.push(f));
  for await (const b of ingest.events([path])) assembler.batch(b);
  assembler.finish();
  const va = (f: AssembledFault): string => '0x' + ((BigInt(f.vaHi) << 32n) | BigInt(f.vaLo)).toString(16);
  const byVa = (v: string): AssembledFault => {
    const f = faults.find((x) => va(x) === v);
    if (!f) throw new Error(`no fault at ${v}`);
    return f;
  };
  const levelObjs = (f: AssembledFault): string[][] => f.phases.map((p) => p.levels.map((l) => ingest.addresses.hex(l.obj)));
  return { ingest, assembler, faults, byVa, levelObjs, file: ingest.files[0]! };
}

t.test('DragonFly kit, one merged dump: every event and variant line reads clean', async (t) => {
  const { rows, ingest } = await readTrace(DFLY);
  const f = ingest.files[0]!;
  t.equal(f.format, 'ktr');
  t.equal(f.rejected, 0, JSON.stringify(f.rejects));
  t.ok(f.balanced, 'every line counted once');
  t.equal(f.unknown, 0);
  t.equal(f.unknownKeys, 0, 'no key outside the vocabulary (entry= included)');
  t.same(f.warnings, [], 'the TSC line is there: nothing to warn about');
  t.same(countByKind(rows), {
    proc_fork: 1,
    map_split: 2,
    fault_begin: 6,
    fault_obj: 11,
    fault_retry: 3,
    fault_end: 6,
    obj_shadow: 1,
    exec_page: 2,
    obj_name: 1,
    load_section: 3,
    obj_ref: 4,
    proc_exec: 1,
    proc_exit: 1,
    obj_collapse: 2,
    page_grab: 1,
    context: 3,
  });

  // The second KTR_INFO of an event names the event in its trace column.
  const grow = rows.find((r) => r.kind === 'fault_begin' && r.va === '0x7fffffbfe000')!;
  t.equal(grow.name, 'fault_begin', 'vmtrace_fault_begin_nomap reads as fault_begin');
  t.equal(grow.maptype, null, 'no maptype after a failed lookup');
  t.equal(grow.wired, null);
  const fail = rows.find((r) => r.kind === 'fault_end' && r.rc === 1)!;
  t.equal(fail.name, 'fault_end', 'vmtrace_fault_fail reads as fault_end');
  t.equal(fail.action, null);
  t.equal(fail.depth, null);
  t.same(
    rows.filter((r) => r.kind === 'fault_obj' && r.site !== null).map((r) => [r.tid, r.site, r.obj]),
    [
      [101001, 'fault_object_page', '0xffffffe01a3c4000'],
      [300001, 'fault_page', '0xffffffe02f300000'],
      [200001, 'vpagetable', '0xffffffe02f800000'],
    ],
    'entry= tags land in site',
  );
  const nobb = rows.find((r) => r.kind === 'obj_collapse' && r.collapse_case === 'collapse')!;
  t.equal(nobb.backing2_obj, null, 'the collapse variant without a second backing object');
  t.equal(rows.find((r) => r.kind === 'obj_collapse' && r.collapse_case === 'bypass')!.backing2_otype, 'vnode');
  t.same(
    rows.filter((r) => r.kind === 'obj_ref').map((r) => [r.delta, r.site]),
    [
      [1, 'vm_object_reference_locked'],
      [1, 'vm_object_reference_locked'],
      [-1, 'vm_object_deallocate_locked'],
      [-1, 'vm_object_deallocate'],
    ],
  );
  t.equal(rows.find((r) => r.kind === 'obj_name')!.text, '/bin/ls');
  t.equal(rows.find((r) => r.kind === 'fault_end' && r.io === true)!.io_ns, 49000);
  // 2400 MHz: the 960 ticks between the first two rows are 400 ns.
  t.equal((rows[1]!.ts as number) - (rows[0]!.ts as number), 400);
});

t.test('DragonFly kit: walks outside vm_fault are a known kind, stack growth one attempt', async (t) => {
  const { assembler, faults, byVa, levelObjs, file } = await assemble(DFLY);
  t.equal(faults.length, 6, 'every begin met its end');
  t.equal(assembler.truncated, 0, 'entry= walks are not orphans: nothing counted as cut off');
  t.equal(
    file.perCpu.reduce((n, c) => n + c.truncatedBegin + c.truncatedEnd, 0),
    0,
  );
  t.match(file.notes.join('\n'), /3 fault_obj events of walks outside vm_fault/);

  const grow = byVa('0x7fffffbfe000');
  t.equal(grow.recordedAttempts, 2, 'the growstack restart is counted');
  t.same(levelObjs(grow), [['0xffffffe02f400000']], 'but opens no empty attempt');
  t.equal(grow.endDepth, -1);

  const vkernel = byVa('0x1000');
  t.same(levelObjs(vkernel), [['0xffffffe02f900000']], 'the page-table walk is not a level of the fault');

  const backdown = byVa('0x400000');
  t.equal(backdown.recordedAttempts, 2);
  t.equal(backdown.phases.length, 1, 'a back-down merges into the same attempt');
  t.equal(backdown.io, true);

  const busy = byVa('0x800200000');
  t.same(
    busy.phases.map((p) => p.retry),
    ['busy', null],
  );

  const cow = byVa('0x600000');
  t.same(levelObjs(cow), [['0xffffffe02f300000', '0xffffffe02f200000']]);
});

t.test('DragonFly kit: the write fault shadows in vm_map_lookup, before its begin is logged', async (t) => {
  const { rows } = await readTrace(DFLY);
  const shadow = rows.findIndex((r) => r.kind === 'obj_shadow' && r.site === 'vm_map_lookup');
  const begin = rows.findIndex((r) => r.kind === 'fault_begin' && r.va === '0x600000');
  t.ok(shadow >= 0 && begin >= 0);
  t.ok(shadow < begin, 'fault_begin is logged after vm_map_lookup() returns, so the shadow comes first');
  t.equal(rows[shadow]!.tid, rows[begin]!.tid);
});

/** Each event's keys, in order, from the kit's print formats: `event -> [keys...]` per variant. */
function formatKeys(formats: Iterable<[string, string]>): Map<string, string[][]> {
  const keys = new Map<string, string[][]>();
  for (const [event, fmt] of formats) keys.set(event, [...(keys.get(event) ?? []), [...fmt.matchAll(/(\w+)=/g)].map((m) => m[1]!)]);
  return keys;
}

/** The keys of a payload, in order; `optional` keys may follow a format's last key. */
function matchesAVariant(payload: string, variants: string[][] | undefined, optional: string[] = []): boolean {
  const got = [...payload.replace(/"[^"]*"/g, '""').matchAll(/(\w+)=/g)].map((m) => m[1]!);
  return (variants ?? []).some((v) => v.every((k, i) => got[i] === k) && got.slice(v.length).every((k) => optional.includes(k)));
}

t.test('the fixtures print what the kits print: every event line has the keys of one of its formats', async (t) => {
  const d = readFileSync(join(KITS, 'freebsd', 'vmtrace.d'), 'utf8');
  const dKeys = formatKeys([...d.matchAll(/printf\("%d %d (\w+) ([^"\\]*(?:\\"[^"\\]*)*)\\n"/g)].map((m) => [m[1]!, m[2]!] as [string, string]));
  t.ok(dKeys.size >= 14, `${dKeys.size} events printed by vmtrace.d`);
  for (const line of readFileSync(FBSD, 'utf8').split('\n')) {
    const m = /^\d+ \d+ (\w+) (.*)$/.exec(line);
    if (m) t.ok(matchesAVariant(m[2]!, dKeys.get(m[1]!)), `vmtrace.d prints: ${line.slice(0, 90)}`);
  }
  const c = readFileSync(join(KITS, 'dragonfly', 'vm_trace.c'), 'utf8');
  const ktr = formatKeys([...c.matchAll(/KTR_INFO\(KTR_VMTRACE, vmtrace, (\w+), \d+,\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!] as [string, string]));
  t.ok(ktr.size >= 20, `${ktr.size} KTR_INFOs in vm_trace.c`);
  for (const line of readFileSync(DFLY, 'latin1').split('\n')) {
    const m = /^\s*[0-9a-f]{6}\s+\d+\s+\d+\s+vmtrace_(\w+)\s+(.*)$/.exec(line);
    if (m) t.ok(matchesAVariant(m[2]!, ktr.get(m[1]!), ['pager']), `vm_trace.c prints: ${line.slice(0, 90)}`);
  }
});

t.test('DragonFly kit: replay and summary', async (t) => {
  const out = new MemoryOutput();
  const run = await replayTraces([DFLY], resolveReplayOptions({ models: MODELS }), out, new Dictionaries());
  t.equal(run.faultsReplayed, 5);
  t.equal(run.faultsUnreplayable, 1, 'the failed fault reached no object');
  t.equal(run.faultsTruncated, 0);
  t.notMatch(formatSummary(run, { sharedFault: true }), /warning/);
});

t.test('DragonFly kit dumped with -o FILE (no TSC line): loud in stats and summary', async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'no-tsc.ktr');
  writeFileSync(path, readFileSync(DFLY, 'latin1').split('\n').slice(1).join('\n'), 'latin1');
  const { rows, ingest } = await readTrace(path);
  const f = ingest.files[0]!;
  t.equal(f.rejected, 0);
  t.equal((rows[1]!.ts as number) - (rows[0]!.ts as number), 960, 'ticks taken as ns');
  t.match(f.warnings.join('\n'), /no 'TSC frequency is N MHz' line \(ktrdump prints it to stdout, never into -o FILE\)/);
  t.match(formatIngestStats(ingest.files), /warning: no TSC frequency/);
  const run = await replayTraces([path], resolveReplayOptions({ models: MODELS }), new MemoryOutput(), new Dictionaries());
  t.match(formatSummary(run, { sharedFault: true }), /warning: no TSC frequency: no 'TSC frequency is N MHz' line/);
});

t.test('DragonFly kit with ktrdump -l: per-CPU rounds, ring overrun counted', async (t) => {
  const { rows, ingest } = await readTrace(DFLY_POLLED);
  const f = ingest.files[0]!;
  t.equal(f.rejected, 0, JSON.stringify(f.rejects));
  t.ok(f.balanced);
  t.equal(rows.length, 13);
  const ts = rows.map((r) => r.ts as number);
  t.same(
    ts,
    [...ts].sort((a, b) => a - b),
    'blocks merged by time',
  );
  t.equal(f.cpu(1).dropped, 3, 'the index gap 0x141 -> 0x145 on CPU 1');
  t.equal(f.cpu(0).dropped, 0);
  t.match(f.warnings.join('\n'), /3 KTR entries lost to ring wrap between ktrdump -l reads/);
  t.match(f.notes.join('\n'), /ktrdump -l: 2 rounds/);
});

const NO_AWK = spawnSync('awk', ['BEGIN { exit 0 }']).error ? 'no awk here' : false;

t.test('DragonFly kit, ktrdump -l killed: ktr-tail.awk takes the lost tail from the frozen rings', { skip: NO_AWK }, async (t) => {
  const dir = t.testdir();
  const full = readFileSync(DFLY_POLLED, 'latin1')
    .split('\n')
    .filter((l) => l.length > 0);
  // killed: the last three entry lines were still in ktrdump's stdio buffer
  const captured = full.slice(0, -3);
  const lost = full.slice(-3);
  const capture = join(dir, 'vm.ktr');
  writeFileSync(capture, captured.join('\n') + '\n', 'latin1');
  // one more dump of the frozen rings: the TSC line, then each CPU's whole ring as a block
  const entries = full.filter((l) => /^\s*[0-9a-f]{6}\s/.test(l));
  const block = (cpu: string): string[] => [
    'index  cpu timestamp        ID                   trace',
    ...entries.filter((l) => l.trim().split(/\s+/)[1] === cpu),
  ];
  const dump = [full[0]!, ...block('0'), ...block('1')].join('\n') + '\n';
  const tail = spawnSync('awk', ['-f', join(KITS, 'dragonfly', 'ktr-tail.awk'), capture, '-'], { input: dump, encoding: 'latin1' });
  t.equal(tail.status, 0, tail.stderr);
  t.same(
    tail.stdout.split('\n').filter((l) => l.length > 0),
    lost,
    'exactly the entries -l had not written (all of CPU 1 here)',
  );
  writeFileSync(capture, captured.join('\n') + '\n' + tail.stdout, 'latin1');
  const whole = await readTrace(DFLY_POLLED);
  const mended = await readTrace(capture);
  t.equal(mended.rows.length, whole.rows.length, 'every entry once');
  t.same(
    mended.rows.map((r) => [r.ts, r.kind]),
    whole.rows.map((r) => [r.ts, r.kind]),
  );
  t.equal(mended.ingest.files[0]!.cpu(1).dropped, 3, 'the ring-wrap gap of the capture is still counted, and no new one');
  t.equal(mended.ingest.files[0]!.cpu(0).dropped, 0);
});

t.test('FreeBSD kit through vmtrace.sh: check lines, variants, drops', async (t) => {
  const { rows, ingest } = await readTrace(FBSD);
  const f = ingest.files[0]!;
  t.equal(f.format, 'dtrace');
  t.equal(f.rejected, 0, JSON.stringify(f.rejects));
  t.ok(f.balanced);
  t.equal(f.unknownKeys, 0);
  t.same(countByKind(rows), {
    proc_fork: 1,
    obj_shadow: 2,
    obj_lock: 6,
    fault_begin: 4,
    fault_obj: 6,
    fault_end: 4,
    fault_retry: 2,
    obj_collapse: 2,
    page_grab: 1,
    obj_name: 1,
    exec_page: 2,
    obj_ref: 2,
    proc_exec: 1,
    proc_exit: 1,
  });
  t.equal(rows.filter((r) => r.kind === 'map_split' || r.kind === 'load_section').length, 0, 'their probes are missing here');
  const w = f.warnings.join('\n');
  t.match(w, /capture: missing probe fbt::vm_map_copy_entry:entry: no map_split.* \[-D VMTRACE_NO_VM_MAP_COPY_ENTRY\]/);
  t.match(w, /capture: missing probe fbt::elf64_load_section:entry.* \[-D VMTRACE_NO_ELF64_LOAD_SECTION\]/);
  // vmtrace.sh leaves out the clauses of each missing fbt probe and test-compiles the result
  const compiled = /capture: compiled with: (dtrace -C.*)$/m.exec(f.notes.join('\n'))?.[1] ?? '';
  for (const [, def] of w.matchAll(/\[-D (VMTRACE_NO_\w+)\]/g)) t.match(compiled, ` -D ${def} `, `${def} in the compiled script`);
  t.match(f.notes.join('\n'), /capture: checked: kern_execve fires inside execve/);
  t.match(w, /dropped 12 events \(CPU 1: 12\)/);
  t.match(w, /3 dynamic variable drops/);
  const notes = f.notes.join('\n');
  t.match(notes, /capture: kernel 13\.2-RELEASE/);
  t.match(notes, /capture: otype numbering not checked/);
  t.match(notes, /walltimestamp=1764460800000000000/);
  t.notMatch(w, /otype numbering/, 'an unchecked numbering is a note, not a warning');
  t.same(
    rows.filter((r) => r.kind === 'obj_shadow').map((r) => r.site),
    ['vmspace_fork', 'vm_map_lookup'],
    'sites are function names, not symbol+offset',
  );
  t.same(
    rows.filter((r) => r.kind === 'obj_lock').map((r) => [r.site, r.op]),
    [
      ['vmspace_fork', 'acq'],
      ['vmspace_fork', 'rel'],
      ['vm_fault', 'try_fail'],
      ['vm_fault', 'acq'],
      ['vm_fault', 'wait_beg'],
      ['vm_fault', 'wait_end'],
    ],
  );
  // one event per backing object removed by one vm_object_collapse call, each with its case
  t.same(
    rows.filter((r) => r.kind === 'obj_collapse').map((r) => [r.ts, r.obj, r.backing_obj, r.backing2_obj, r.collapse_case]),
    [
      [86400000070000, '0xfffff8003c500000', '0xfffff8003c600000', '0xfffff8003c700000', 'collapse'],
      [86400000070000, '0xfffff8003c500000', '0xfffff8003c700000', null, 'bypass'],
    ],
  );
  const exec = rows.filter((r) => r.kind === 'exec_page' || r.kind === 'obj_name').map((r) => [r.kind, r.obj, r.text]);
  t.same(
    exec,
    [
      ['obj_name', '0xfffff80012a50000', '/usr/bin/true'],
      ['exec_page', '0xfffff80012a50000', null],
      ['exec_page', '0xfffff80012a54000', null],
    ],
    'the interpreter (ld-elf.so) is mapped but not named',
  );
});

t.test('FreeBSD kit: a restart before any level opens no empty attempt', async (t) => {
  const { assembler, faults, byVa, levelObjs } = await assemble(FBSD);
  t.equal(faults.length, 4);
  t.equal(assembler.truncated, 0);
  const stack = byVa('0x7fffffffd000');
  t.equal(stack.recordedAttempts, 2);
  t.same(levelObjs(stack), [['0xfffff8003c400000']]);
  const busy = byVa('0x1021000');
  t.same(
    busy.phases.map((p) => p.retry),
    ['busy', null],
  );
  const cow = byVa('0x800a00000');
  t.same(levelObjs(cow), [['0xfffff8003c300000', '0xfffff8003c200000']]);
  const out = new MemoryOutput();
  const run = await replayTraces([FBSD], resolveReplayOptions({ models: MODELS }), out, new Dictionaries());
  t.equal(run.faultsReplayed, 4);
  t.equal(run.faultsUnreplayable, 0);
});
