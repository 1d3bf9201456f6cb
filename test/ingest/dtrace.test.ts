import t from 'tap';
import { dtraceWriter } from '../../src/ingest/dtrace/write.js';
import { jsonlWriter } from '../../src/ingest/jsonl/write.js';
import { content, fixture, readTrace } from '../helpers.js';
import { randomEvents, tempFile, writeAll } from './text-trace.js';

t.test('dtrace fixtures yield the canonical events of basic.jsonl', async (t) => {
  const base = await readTrace(fixture('basic.jsonl'));
  for (const name of ['basic.dtrace', 'basic-records.dtrace']) {
    const { rows, ingest } = await readTrace(fixture(name));
    const f = ingest.files[0]!;
    t.equal(f.format, 'dtrace', `${name} sniffed as dtrace`);
    t.equal(f.rejected, 0, JSON.stringify(f.rejects));
    t.ok(f.balanced, `${name}: every line counted once`);
    t.same(content(rows), content(base.rows), `${name}: same events`);
  }
});

t.test('per-CPU buffers drained in turn are put back in time order', async (t) => {
  // basic.dtrace prints each switch interval CPU 0 first, then CPU 1
  const { rows, ingest } = await readTrace(fixture('basic.dtrace'));
  const ts = rows.map((r) => r.ts as number);
  t.same(
    ts,
    [...ts].sort((a, b) => a - b),
  );
  t.equal(ingest.files[0]!.late, 0);
  t.match(ingest.files[0]!.notes.join('\n'), /walltimestamp=1700000000999000000/);
});

t.test('drops are counted per CPU and warned about', async (t) => {
  const { ingest } = await readTrace(fixture('basic-records.dtrace'));
  const f = ingest.files[0]!;
  t.equal(f.cpu(0).dropped, 2);
  t.equal(f.cpu(1).dropped, 8);
  t.equal(f.dropped, 14, 'per-CPU drops plus 4 dynamic variable drops');
  const w = f.warnings.join('\n');
  t.match(w, /dropped 10 events \(CPU 0: 2, CPU 1: 8\)/);
  t.match(w, /4 dynamic variable drops/);
});

t.test('writer round trip, quiet lines and default records', async (t) => {
  const events = randomEvents(400, { seed: 21, cpus: 8 });
  const ref = await readTrace(tempFile('ref.jsonl', writeAll(jsonlWriter(), events)));
  for (const records of [false, true]) {
    const { rows, ingest } = await readTrace(tempFile('rt.dtrace', writeAll(dtraceWriter({ records }), events)));
    const f = ingest.files[0]!;
    t.equal(f.format, 'dtrace');
    t.equal(f.rejected, 0, JSON.stringify(f.rejects.slice(0, 2)));
    t.same(content(rows), content(ref.rows), records ? 'records' : 'quiet');
  }
});

t.test('records: untimed payloads, bare probes, probe errors, other messages', async (t) => {
  const text = [
    'CPU     ID                    FUNCTION:NAME',
    '  2  47781                   vm_fault:entry fault_retry tid=5 why=busy',
    '',
    '  1  47782                   vm_fault:return ',
    '',
    'dtrace: error on enabled probe ID 4 (ID 47781: fbt:kernel:vm_fault:entry): invalid address (0x0) in action #3 at DIF offset 28',
    'dtrace: error on enabled probe ID 4 (ID 47781: fbt:kernel:vm_fault:entry): invalid address (0x8) in action #3 at DIF offset 28',
    'dtrace: 3 aggregation drops on CPU 0',
    'dtrace: some other message',
    '  0  47783               vm_fault:entry 77 0 fault_retry tid=6 why=memory',
  ].join('\n');
  const { rows, ingest } = await readTrace(tempFile('rec.dtrace', text + '\n'));
  const f = ingest.files[0]!;
  t.same(
    rows.map((r) => [r.kind, r.name, r.cpu, r.ts]),
    [
      // untimed rows keep their place in the file
      ['fault_retry', 'fault_retry', 2, null],
      ['unknown', 'vm_fault:return', 1, null],
      ['fault_retry', 'fault_retry', 0, 77],
    ],
  );
  t.equal(f.dropped, 0, 'aggregation drops lose no printed event');
  const w = f.warnings.join('\n');
  t.match(w, /2 dtrace records carry no timestamp/);
  t.match(w, /2 dtrace probe errors/);
  t.match(w, /aggregation drops/);
  t.match(w, /dtrace said: some other message/);
  t.ok(f.balanced);
});

t.test('malformed lines are rejected with line numbers', async (t) => {
  const text = ['100 0 fault_retry tid=1 why=busy', 'hello world', '200 0 fault_retry tid=x why=busy', '300 0 fault_retry tid=3 why'].join('\n');
  const { ingest } = await readTrace(tempFile('bad.dtrace', text + '\n'), { format: 'dtrace' });
  const f = ingest.files[0]!;
  t.equal(f.events, 1);
  t.same(
    f.rejects.map((r) => r.line),
    [2, 3, 4],
  );
  t.match(f.rejects[0]!.reason, /not a dtrace line/);
  t.match(f.rejects[1]!.reason, /bad tid value/);
  t.match(f.rejects[2]!.reason, /expected key=value/);
});

t.test('nanoseconds of 2^53 or more (walltimestamp) are refused, never rounded', async (t) => {
  const { rows, ingest } = await readTrace(tempFile('wall.dtrace', '1700000000123456789 0 proc_exit pid=1\n'));
  t.same(rows, []);
  t.match(ingest.files[0]!.rejects[0]!.reason, /2\^53 ns \(104 days\) or more.*`timestamp`, not `walltimestamp`/);
});

t.test('sniffing: dtrace is told from ktr and the structured framings', async (t) => {
  const events = randomEvents(30, { seed: 8 });
  const quiet = await readTrace(tempFile('s1.txt', writeAll(dtraceWriter(), events)));
  t.equal(quiet.ingest.files[0]!.format, 'dtrace');
  const records = await readTrace(tempFile('s2.txt', writeAll(dtraceWriter({ records: true }), events)));
  t.equal(records.ingest.files[0]!.format, 'dtrace');
  const stderrFirst = await readTrace(tempFile('s3.txt', "dtrace: script 'vmtrace.d' matched 31 probes\n" + writeAll(dtraceWriter(), events)));
  t.equal(stderrFirst.ingest.files[0]!.format, 'dtrace');
});

t.test('every line traces/capture/freebsd/vmtrace.d prints is read as its event', async (t) => {
  // one line per printf of the script, as dtrace formats them
  const obj = '0xfffff80012345000';
  const lines = [
    '# vmtrace.d 1 timestamp=5000 walltimestamp=1700000000000005000',
    `10 1 fault_begin tid=100231 pid=812 va=0x800a12000 ftype=W fflags=0x8 nthreads=3 map=user comm="cc1 plus"`,
    `11 1 fault_obj tid=100231 depth=0 obj=${obj} otype=swap page=absent backing=1 shadowed=0 ref=1`,
    '12 1 fault_retry tid=100231 why=busy',
    '13 1 fault_end tid=100231 rc=0 io=1 io_ns=52000',
    `14 1 obj_lock tid=100231 obj=${obj} op=acq mode=S site=kernel\`vm_fault+0x1d3 class=token`,
    `15 1 obj_lock tid=100231 obj=${obj} op=wait_beg mode=X site=kernel\`vm_object_collapse+0x7a class=token`,
    `16 1 obj_lock tid=100231 obj=${obj} op=try_fail mode=X site=0xffffffff80c0ffee class=token`,
    `17 0 obj_ref tid=100100 obj=${obj} otype=vnode ref=4 delta=-1 site=kernel\`vm_map_entry_delete+0x31`,
    `18 0 obj_shadow tid=100100 obj=${obj} source=0xfffff80010a3c000 stype=vnode site=kernel\`vm_map_lookup+0x5e1`,
    `19 0 map_split tid=100100 obj=${obj} otype=swap`,
    `20 0 obj_collapse tid=100100 obj=${obj} backing=0xfffff80010a3c000 btype=swap bbobj=0xfffff80010b71000 bbtype=vnode`,
    `21 0 obj_collapse tid=100100 obj=${obj} backing=0xfffff80010a3c000 btype=swap`,
    `22 0 obj_name obj=${obj} otype=vnode name="/usr/bin/cc" tid=100100`,
    `23 0 exec_page tid=100100 obj=${obj} page=absent`,
    `24 0 load_section tid=100100 obj=${obj}`,
    `25 0 page_grab tid=100100 obj=${obj} page=present site=kernel\`vm_imgact_hold_page+0x4c`,
    '26 0 proc_fork pid=812 child=813 tid=100231',
    '27 0 proc_exec pid=813 path="/usr/bin/cc" comm="cc" tid=100232',
    '28 0 proc_exit pid=813 tid=100232',
  ];
  const { rows, ingest } = await readTrace(tempFile('kit.dtrace', lines.join('\n') + '\n'));
  const f = ingest.files[0]!;
  t.equal(f.rejected, 0, JSON.stringify(f.rejects));
  t.equal(f.unknown, 0);
  t.equal(f.unknownKeys, 0);
  t.equal(rows.length, lines.length - 1);
  t.equal(rows.find((r) => r.kind === 'fault_begin')!.comm, 'cc1 plus');
  t.equal(rows.find((r) => r.kind === 'obj_ref')!.site, 'kernel`vm_map_entry_delete+0x31');
});
