import t from 'tap';
import type { Row } from '../../src/columns/rows.js';
import { ktrWriter } from '../../src/ingest/ktr/write.js';
import { jsonlWriter } from '../../src/ingest/jsonl/write.js';
import { content, fixture, readTrace } from '../helpers.js';
import { randomEvents, tempFile, writeAll } from './text-trace.js';

const withoutContext = (rows: Row[]): Row[] => rows.filter((r) => r.kind !== 'context');

t.test('ktr fixtures yield the canonical events of basic.jsonl', async (t) => {
  const base = await readTrace(fixture('basic.jsonl'));
  for (const name of ['basic.ktr', 'basic-s.ktr']) {
    const { rows, ingest } = await readTrace(fixture(name));
    const f = ingest.files[0]!;
    t.equal(f.format, 'ktr', `${name} sniffed as ktr`);
    t.equal(f.rejected, 0, JSON.stringify(f.rejects));
    t.ok(f.balanced, `${name}: every line counted once`);
    t.equal(f.context, 4, `${name}: stock tokens_/tsleep_ lines kept as context`);
    t.equal(f.unknown, 1);
    t.equal(f.unknownKeys, 1);
    t.same(content(withoutContext(rows)), content(base.rows), `${name}: same events`);
    t.equal(f.framing, f.lines - 61, `${name}: TSC and header lines are framing`);
  }
});

t.test('stock KTR lines become context rows with their trace text', async (t) => {
  const { rows } = await readTrace(fixture('basic.ktr'));
  const ctx = rows.filter((r) => r.kind === 'context');
  t.same(
    ctx.map((r) => [r.name, r.cpu, r.ts]),
    [
      ['tokens_fail', 1, 1000003120],
      ['tokens_succ', 1, 1000003140],
      ['tsleep_tsleep_beg', 0, 1000100050],
      ['tsleep_tsleep_end', 0, 1000100080],
    ],
  );
  t.equal(ctx[3]!.extra, 'tsleep exit');
});

t.test('relative -s fixture notes how its times were rebuilt', async (t) => {
  const { ingest } = await readTrace(fixture('basic-s.ktr'));
  t.match(ingest.files[0]!.notes.join('\n'), /relative timestamps \(ktrdump -r -s\)/);
});

/** Read `text` as a ktr trace; rows, and the jsonl reading of the same events for reference. */
async function both(text: string, events: ReturnType<typeof randomEvents>, name = 'x.ktr') {
  const got = await readTrace(tempFile(name, text));
  const ref = await readTrace(tempFile('ref.jsonl', writeAll(jsonlWriter(), events)));
  return { got, ref, stats: got.ingest.files[0]! };
}

t.test('every column set ktrdump prints reads back exactly', async (t) => {
  const events = randomEvents(300, { seed: 7, cpus: 4 });
  const exact = [
    '-citp', // the default: per-CPU blocks, absolute TSC
    '-citp -s',
    '-citpq', // no header: inferred from the rows
    '-citpq -s',
    '-citpx',
    '-citpxn',
    '-citpf',
    '-citpxfq',
    '-a', // -c -i -r -x -p -s: relative uS from zero
    '-a -f',
    '-aq',
    '-cirp -s',
    '-cirpn -s', // raw tick deltas
    '-cirpnq -s',
    '-cixtpn -s',
  ];
  for (const flags of exact) {
    const { got, ref, stats } = await both(writeAll(ktrWriter({ flags }), events), events);
    t.equal(stats.format, 'ktr', `${flags}: sniffed`);
    t.equal(stats.rejected, 0, `${flags}: ${JSON.stringify(stats.rejects.slice(0, 2))}`);
    t.ok(stats.balanced, `${flags}: balanced`);
    t.same(content(got.rows), content(ref.rows), `${flags}: same events`);
  }
});

t.test('CRLF line endings', async (t) => {
  const events = randomEvents(80, { seed: 3 });
  for (const flags of ['-citp', '-aq']) {
    const { got, ref, stats } = await both(writeAll(ktrWriter({ flags }), events).replaceAll('\n', '\r\n'), events);
    t.equal(stats.rejected, 0, JSON.stringify(stats.rejects.slice(0, 2)));
    t.same(content(got.rows), content(ref.rows), `${flags} with CRLF`);
  }
});

t.test('TSC values above 2^53 convert exactly', async (t) => {
  // ~60 days of uptime at 2.4 GHz: ticks ~1.2e16 > 2^53
  const events = randomEvents(100, { seed: 11, start: 5_184_000_000_000_000 });
  for (const mhz of [2400, 1000, 3192.608]) {
    const { got, ref } = await both(writeAll(ktrWriter({ flags: '-citp', mhz }), events), events);
    t.same(content(got.rows), content(ref.rows), `${mhz} MHz`);
  }
});

t.test('without -c the CPU is unknown and blocks are found by the index', async (t) => {
  const events = randomEvents(120, { seed: 5, cpus: 3 });
  for (const flags of ['-itp', '-itpq']) {
    const { got, ref, stats } = await both(writeAll(ktrWriter({ flags }), events), events);
    t.equal(stats.rejected, 0);
    t.same(
      content(got.rows),
      content(ref.rows).map((r) => ({ ...r, cpu: -1 })),
      `${flags}: time order restored across blocks`,
    );
    t.match(stats.notes.join('\n'), /no cpu column/);
  }
});

t.test('relative times without -s restart at 0 on each CPU', async (t) => {
  const events = randomEvents(200, { seed: 9, cpus: 3 });
  const { got, stats } = await both(writeAll(ktrWriter({ flags: '-cirp' }), events), events);
  t.equal(stats.rejected, 0);
  t.match(stats.notes.join('\n'), /each CPU starts at 0/);
  for (const cpu of [0, 1, 2]) {
    const want = events.filter((e) => e.cpu === cpu).map((e) => e.ts - events.find((x) => x.cpu === cpu)!.ts);
    const have = got.rows.filter((r) => r.cpu === cpu).map((r) => r.ts as number);
    t.same(have, want, `cpu ${cpu}: offsets from its oldest entry`);
  }
});

t.test('without -i only traces that name their event can be read', async (t) => {
  const events = randomEvents(20, { seed: 2 });
  const { stats } = await both(writeAll(ktrWriter({ flags: '-ctp' }), events), events);
  t.equal(stats.rejected, 20);
  t.match(stats.rejects[0]!.reason, /no event name/);
  t.match(stats.warnings.join('\n'), /no ID column/);
  const named = ['TSC frequency is 1000.000 MHz', 'index  cpu timestamp        trace', ' 000000 0   5000             fault_retry tid=7 why=busy'].join('\n');
  const { rows } = await readTrace(tempFile('named.ktr', named + '\n'));
  t.equal(rows[0]!.kind, 'fault_retry');
  t.equal(rows[0]!.tid, 7);
  t.equal(rows[0]!.ts, 5000);
});

const TSC = 'TSC frequency is 1000.000 MHz';
const HEAD = 'index  cpu timestamp        ID                   trace';
const row = (index: number, cpu: number, ts: number, id: string, trace: string): string =>
  ` ${index.toString(16).padStart(6, '0')} ${String(cpu).padEnd(3)} ${String(ts).padEnd(16)} ${id.padEnd(20)} ${trace}`;

t.test('IDs: vmtrace events, stock context, other masters, <empty>', async (t) => {
  const text = [
    TSC,
    HEAD,
    row(0, 0, 100, 'vmtrace_fault_retry', 'tid=1 why=busy'),
    row(1, 0, 200, 'vmtrace_fault_retry', 'fault_retry tid=2 why=memory'),
    row(2, 0, 300, 'kernentry_trap', 'TRAP(pid 5, tid 6, trapno 12, eva 0)'),
    row(3, 0, 400, 'ctxsw_sw', '#cpu[0].td = 0xfffff80001234000'),
    row(4, 0, 500, 'memory_malloc_beg', 'malloc begin size=64 type=0xffffffff80a00000 flags=00000002'),
    row(5, 0, 600, '<empty>', ''),
    row(6, 0, 700, 'vmtrace_fault_end', 'tid=1'),
  ].join('\n');
  const { rows, ingest } = await readTrace(tempFile('ids.ktr', text + '\n'));
  const f = ingest.files[0]!;
  t.same(
    rows.map((r) => [r.kind, r.name]),
    [
      ['fault_retry', 'fault_retry'],
      ['fault_retry', 'fault_retry'],
      ['context', 'kernentry_trap'],
      ['context', 'ctxsw_sw'],
      ['unknown', 'memory_malloc_beg'],
      ['unknown', '<empty>'],
    ],
  );
  t.equal(rows[4]!.extra, 'malloc begin size=64 type=0xffffffff80a00000 flags=00000002');
  t.equal(f.rejected, 1, 'a malformed known event is rejected');
  t.match(f.rejects[0]!, { line: 9, reason: /fault_end: missing rc/ });
  t.ok(f.balanced);
});

t.test('rows before the first header wait for it', async (t) => {
  // ring index 0x11 .. : the header comes before index 0x14 (a multiple of 20)
  const text = [
    TSC,
    row(0x11, 0, 100, 'vmtrace_proc_exit', 'pid=1'),
    row(0x12, 0, 200, 'vmtrace_proc_exit', 'pid=2'),
    row(0x13, 0, 300, 'vmtrace_proc_exit', 'pid=3'),
    HEAD,
    row(0x14, 0, 400, 'vmtrace_proc_exit', 'pid=4'),
  ].join('\n');
  const { rows, ingest } = await readTrace(tempFile('late-header.ktr', text + '\n'));
  t.same(
    rows.map((r) => r.pid),
    [1, 2, 3, 4],
  );
  t.same(
    rows.map((r) => r.src_line),
    [2, 3, 4, 6],
  );
  t.equal(ingest.files[0]!.framing, 2);
});

t.test('per-CPU blocks are merged by time however far apart', async (t) => {
  // CPU 1's block holds the earliest and the latest events
  const text = [
    TSC,
    HEAD,
    row(10, 0, 2_000_000_000, 'vmtrace_proc_exit', 'pid=2'),
    row(11, 0, 4_000_000_000, 'vmtrace_proc_exit', 'pid=4'),
    row(70, 1, 1_000_000_000, 'vmtrace_proc_exit', 'pid=1'),
    row(71, 1, 3_000_000_000, 'vmtrace_proc_exit', 'pid=3'),
    row(72, 1, 9_000_000_000, 'vmtrace_proc_exit', 'pid=9'),
  ].join('\n');
  const { rows, ingest } = await readTrace(tempFile('blocks.ktr', text + '\n'), { sortWindowNs: 1000 });
  t.same(
    rows.map((r) => r.pid),
    [1, 2, 3, 4, 9],
  );
  t.equal(ingest.files[0]!.late, 0);
});

t.test('ktrdump -l: repeated blocks, ring-index gaps counted as drops', async (t) => {
  const text = [
    TSC,
    HEAD,
    row(10, 0, 100, 'vmtrace_proc_exit', 'pid=1'),
    row(11, 0, 200, 'vmtrace_proc_exit', 'pid=2'),
    row(50, 1, 150, 'vmtrace_proc_exit', 'pid=3'),
    // second poll: CPU 0 lost entries 12..16, CPU 1 lost none
    row(17, 0, 900, 'vmtrace_proc_exit', 'pid=4'),
    row(51, 1, 950, 'vmtrace_proc_exit', 'pid=5'),
  ].join('\n');
  const { rows, ingest } = await readTrace(tempFile('loop.ktr', text + '\n'));
  const f = ingest.files[0]!;
  t.same(
    rows.map((r) => r.pid),
    [1, 3, 2, 4, 5],
  );
  t.equal(f.dropped, 5);
  t.equal(f.cpu(0).dropped, 5);
  t.equal(f.cpu(1).dropped, 0);
  t.match(f.warnings.join('\n'), /5 KTR entries lost/);
});

t.test('-r -n raw tick deltas are told from -t absolute ticks', async (t) => {
  const deltas = [
    TSC,
    'index  cpu timestamp        ID                   trace',
    row(0, 0, 0, 'vmtrace_proc_exit', 'pid=1'),
    row(1, 0, 250, 'vmtrace_proc_exit', 'pid=2'),
    row(2, 0, 250, 'vmtrace_proc_exit', 'pid=3'),
  ];
  const a = await readTrace(tempFile('rn.ktr', deltas.join('\n') + '\n'));
  t.same(
    a.rows.map((r) => r.ts),
    [0, 250, 500],
  );
  t.match(a.ingest.files[0]!.notes.join('\n'), /relative timestamps/);
  const absolute = [TSC, HEAD, row(0, 0, 7000, 'vmtrace_proc_exit', 'pid=1'), row(1, 0, 7250, 'vmtrace_proc_exit', 'pid=2')];
  const b = await readTrace(tempFile('t.ktr', absolute.join('\n') + '\n'));
  t.same(
    b.rows.map((r) => r.ts),
    [7000, 7250],
  );
  t.same(b.ingest.files[0]!.notes, []);
});

t.test('a second TSC line starts another dump', async (t) => {
  const events = randomEvents(40, { seed: 4 });
  const first = events.slice(0, 20);
  const second = events.slice(20);
  const text = writeAll(ktrWriter({ flags: '-a' }), first) + writeAll(ktrWriter({ flags: '-a', mhz: 3000 }), second);
  const { got, ref, stats } = await both(text, events);
  t.equal(stats.rejected, 0);
  t.same(content(got.rows), content(ref.rows));
});

t.test('lines that are no part of a dump are rejected with a reason', async (t) => {
  const text = [
    TSC,
    HEAD,
    row(0, 0, 100, 'vmtrace_proc_exit', 'pid=1'),
    'ktrdump: kvm_read: invalid address',
    ' 000001 x   1                vmtrace_proc_exit    pid=2',
    ' 000002 0   12ab             vmtrace_proc_exit    pid=3',
  ].join('\n');
  const { rows, ingest } = await readTrace(tempFile('junk.ktr', text + '\n'));
  const f = ingest.files[0]!;
  t.equal(rows.length, 1);
  t.same(
    f.rejects.map((r) => r.line),
    [4, 5, 6],
  );
  t.match(f.rejects[0]!.reason, /not a ktrdump row/);
  t.match(f.rejects[1]!.reason, /bad cpu column/);
  t.match(f.rejects[2]!.reason, /bad timestamp/);
  t.ok(f.balanced);
});

t.test('headerless rows that fit no column set are rejected, not guessed', async (t) => {
  // not ' %06x ' rows, and not the default columns either
  const text = [TSC, '000000 zz', '000001 zz'].join('\n');
  const { ingest } = await readTrace(tempFile('nolayout.ktr', text + '\n'), { format: 'ktr' });
  const f = ingest.files[0]!;
  t.equal(f.rejected, 2);
  t.match(f.rejects[0]!.reason, /cannot tell the ktrdump columns/);
  t.ok(f.balanced);
});

t.test('sniffing: ktr is told from dtrace and the structured framings', async (t) => {
  const events = randomEvents(30, { seed: 6 });
  for (const flags of ['-citp', '-aq', '-citpfq', '-cfpq']) {
    const text = writeAll(ktrWriter({ flags }), events);
    const body = text.slice(text.indexOf('\n') + 1); // without the TSC line
    const { ingest } = await readTrace(tempFile('sniff.txt', body));
    t.equal(ingest.files[0]!.format, 'ktr', `${flags} without its TSC line`);
  }
});

t.test('every format of traces/capture/dragonfly/vm_trace.c is read as its event', async (t) => {
  // the trace column as ktrdump prints each KTR_INFO format (variants start with the event name)
  const o = '0xfffff80012345000';
  const b = '0xfffff80010a3c000';
  const formats: [string, string][] = [
    ['vmtrace_fault_begin', 'tid=812001 pid=812 va=0x800a12000 ftype=W fflags=0xc nthreads=3 map=user maptype=normal wired=0'],
    ['vmtrace_fault_begin_nomap', 'fault_begin tid=812001 pid=812 va=0x0 ftype=R fflags=0x4 nthreads=3 map=user'],
    ['vmtrace_fault_obj', `tid=812001 depth=0 obj=${o} otype=default page=absent backing=1 shadowed=0 swapped=0 ref=1`],
    ['vmtrace_fault_obj', `tid=812001 depth=1 obj=${b} otype=vnode page=absent backing=0 shadowed=0 swapped=0 ref=9 pager=has`],
    ['vmtrace_fault_retry', 'tid=812001 why=backdown'],
    ['vmtrace_fault_end', 'tid=812001 rc=0 depth=1 action=cow_copy io=1 io_ns=48000'],
    ['vmtrace_fault_fail', 'fault_end tid=812001 rc=1'],
    ['vmtrace_obj_lock', `tid=812001 obj=${o} op=acq mode=S site=vm_object_hold_shared class=token`],
    ['vmtrace_obj_ref', `tid=812001 obj=${b} otype=vnode ref=4 delta=-1 site=vm_object_deallocate`],
    ['vmtrace_obj_shadow', `tid=812001 obj=${o} source=${b} stype=vnode site=vm_map_lookup`],
    ['vmtrace_map_split', `tid=812001 obj=${o} otype=default`],
    ['vmtrace_exec_page', `tid=812001 obj=${b} page=valid`],
    ['vmtrace_page_grab', `tid=812001 obj=${b} page=present`],
    ['vmtrace_obj_collapse', `tid=812001 obj=${o} backing=${b} btype=default bbobj=0xfffff80010b71000 bbtype=vnode case=bypass`],
    ['vmtrace_obj_collapse_nobb', `obj_collapse tid=812001 obj=${o} backing=${b} btype=default case=none`],
    ['vmtrace_obj_name', `obj=${b} otype=vnode name="/usr/libexec/cc1" tid=812001`],
    ['vmtrace_load_section', `tid=812001 obj=${b}`],
    ['vmtrace_proc_fork', 'pid=812 child=813 tid=812001'],
    ['vmtrace_proc_exec', 'pid=813 path="/usr/bin/cc" comm="cc" tid=813001'],
    ['vmtrace_proc_exit', 'pid=813 tid=813001'],
  ];
  const text = [TSC, HEAD, ...formats.map(([id, trace], k) => row(k, 0, 1000 + k, id, trace))].join('\n');
  const { rows, ingest } = await readTrace(tempFile('kit.ktr', text + '\n'));
  const f = ingest.files[0]!;
  t.equal(f.rejected, 0, JSON.stringify(f.rejects));
  t.equal(f.unknown, 0);
  t.equal(f.unknownKeys, 0);
  t.same(
    rows.map((r) => r.kind),
    formats.map(([id, trace]) => (/^[a-z_]+ /.test(trace) && !trace.split(' ')[0]!.includes('=') ? trace.split(' ')[0] : id.slice('vmtrace_'.length))),
  );
});

t.test('a re-spaced header of the same columns does not cut the per-CPU merge', async (t) => {
  const text = [
    TSC,
    HEAD,
    row(10, 0, 300, 'vmtrace_proc_exit', 'pid=3'),
    HEAD.replace(/ +/g, ' '),
    row(11, 0, 400, 'vmtrace_proc_exit', 'pid=4'),
    row(90, 1, 100, 'vmtrace_proc_exit', 'pid=1'),
    row(91, 1, 200, 'vmtrace_proc_exit', 'pid=2'),
  ].join('\n');
  const { rows, ingest } = await readTrace(tempFile('respaced.ktr', text + '\n'), { sortWindowNs: 10 });
  t.same(
    rows.map((r) => r.pid),
    [1, 2, 3, 4],
  );
  t.equal(ingest.files[0]!.late, 0);
});

t.test('ticks without a TSC frequency are read as ns, with a warning', async (t) => {
  for (const first of ['', 'TSC frequency is  0.000 MHz\n']) {
    const { rows, ingest } = await readTrace(tempFile('nofreq.ktr', first + [HEAD, row(0, 0, 1234, 'vmtrace_proc_exit', 'pid=1')].join('\n') + '\n'));
    t.equal(rows[0]!.ts, 1234);
    t.match(ingest.files[0]!.warnings.join('\n'), /no TSC frequency/);
  }
});
