// One real capture (traces/real/linux-forkexec-callgraph.perf.data, see
// PROVENANCE.md) printed by perf script in six shapes, each read by the perf
// text reader and compared with the perf.data read directly: the same events
// and the same replay, apart from what each shape cannot carry (stated in its
// notes): microsecond timestamps, no [cpu] column, no time at all, call-chain
// site hints that only text has, and no side-band records.

import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import type { Row } from '../../src/columns/rows.js';
import { replay } from '../../src/api/replay.js';
import { RECORD_FIX, SIDEBAND_FIX } from '../../src/ingest/perf/mapper.js';
import { newScriptLine, parseScriptLine } from '../../src/ingest/perf/script-line.js';
import { ROOT, content, readTrace } from '../helpers.js';

const REAL = join(ROOT, 'traces', 'real');
const DATA = join(REAL, 'linux-forkexec-callgraph.perf.data');
const shape = (name: string): string => join(REAL, `linux-forkexec-callgraph.${name}perf.txt.gz`);
const SHAPES = {
  kit: shape(''), // capture.sh: --ns, -F trace:comm,pid,tid,cpu,time,event,trace -F sw:...,addr, side-band
  defaultSideband: shape('default-sideband.'), // perf script -G --show-mmap-events --show-task-events
  callchains: shape('callchains.'), // perf script --show-mmap-events --show-task-events
  noCpu: shape('nocpu.'), // -F comm,tid,time,event,trace,ip,sym,dso -G --ns, side-band
  noTime: shape('notime.'), // -F comm,pid,tid,cpu,event,trace,addr, side-band: untimed, a bare addr after each payload
  bare: shape('default.'), // perf script -G: default fields, no side-band
};

/** The rows of a file, without where they came from, and its stats. */
async function events(path: string) {
  const { rows, ingest } = await readTrace(path);
  return { rows: content(rows), f: ingest.files[0]! };
}

/** Row-by-row equality (tap's deep diff of 20,000 rows is too slow): the first differences, or none. */
function sameRows(t: Test, got: Row[], want: Row[], what: string): void {
  const diffs: string[] = [];
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    const g = JSON.stringify(got[i]);
    const w = JSON.stringify(want[i]);
    if (g !== w && diffs.push(`row ${i}:\n  got  ${g}\n  want ${w}`) >= 3) break;
  }
  t.equal(got.length, want.length, `${what}: as many rows`);
  t.same(diffs, [], what);
}

const floorUs = (ts: unknown): unknown => (typeof ts === 'number' ? Math.floor(ts / 1000) * 1000 : ts);
const without = (rows: Row[], drop: (r: Row) => Row): Row[] => rows.map((r) => drop({ ...r }));
/** At microsecond precision: the time floored, and a Linux fault's duration (a difference of such times) left out. */
const atUs = (r: Row): Row => ((r.ts = floorUs(r.ts) as number), r.kind === 'lx_fault' ? ((r.dur_ns = null), r) : r);
const faultsOf = (rows: Row[]) => rows.filter((r) => r.kind === 'fault_begin').map((r) => [floorUs(r.ts), r.tid, r.va, r.ftype, r.comm]);

t.test('six perf script shapes of one capture against its perf.data', async (t) => {
  const bin = await events(DATA);
  t.equal(bin.f.format, 'perf-data');
  const faults = bin.rows.filter((r) => r.kind === 'fault_end' && r.rc === 0).length;
  t.equal(faults, 3738, 'the capture: 3,738 faults, every one completed');

  await t.test("the kit's fields: the same rows", async (t) => {
    const txt = await events(SHAPES.kit);
    t.equal(txt.f.format, 'perf');
    t.equal(txt.f.rejected, 0);
    sameRows(t, txt.rows, bin.rows, 'row for row, field for field');
  });

  await t.test('default fields with side-band: the same rows at microsecond precision', async (t) => {
    const txt = await events(SHAPES.defaultSideband);
    t.equal(txt.f.rejected, 0);
    sameRows(t, without(txt.rows, atUs), without(bin.rows, atUs), 'the same rows');
    t.ok(
      txt.f.notes.some((n) => n.includes('no pid column') && n.includes('microsecond timestamps')),
      'the notes say what the fields lacked',
    );
  });

  await t.test('call chains: the same rows, plus the kernel callers as sites', async (t) => {
    const txt = await events(SHAPES.callchains);
    t.equal(txt.f.rejected, 0);
    t.ok(txt.f.framing > 80000, `frame lines are framing (${txt.f.framing})`);
    const noSite = (r: Row): Row => (atUs(r), r.kind === 'fault_end' || r.kind === 'obj_lock' ? ((r.site = null), r) : r);
    sameRows(t, without(txt.rows, noSite), without(bin.rows, noSite), 'apart from ts precision and site');
    const locks = txt.rows.filter((r) => r.kind === 'obj_lock');
    const sites = new Set(locks.map((r) => r.site));
    for (const caller of ['vm_mmap_pgoff', 'dup_mmap', 'exit_mmap', 'lock_mm_and_find_vma']) t.ok(sites.has(caller), `an mmap_lock taken by ${caller}`);
    t.ok(
      locks.filter((r) => r.site !== 'mmap_lock' && r.site !== 'mmap_trylock' && r.site !== 'mmap_write_downgrade').length > 0.9 * locks.length,
      'most lock rows name their caller',
    );
    const handlers = txt.rows.filter((r) => r.kind === 'fault_end' && r.site !== null);
    const named = new Set(handlers.map((r) => r.site));
    t.ok(handlers.length > 100, `fault handlers named (${handlers.length})`);
    t.same([...named].sort(), ['do_anonymous_page', 'do_fault', 'filemap_fault'], 'the handlers this kernel shows in its chains');
    // do_anonymous_page gives a fresh zeroed page: the model, which never sees the chain, agrees on every one
    const anon = handlers.filter((r) => r.site === 'do_anonymous_page');
    t.ok(anon.length > 50 && anon.every((r) => r.action === 'zero_fill'), `Linux's do_anonymous_page faults are the model's zero fills (${anon.length})`);
    t.ok(
      bin.rows.every((r) => r.kind !== 'fault_end' || r.site === null),
      'perf.data has no symbols: no handler sites',
    );
    t.ok(
      bin.f.notes.some((n) => n.includes('no call-chain site hints')),
      'and says so',
    );
  });

  await t.test('-F without the cpu column: the same rows without a CPU', async (t) => {
    const txt = await events(SHAPES.noCpu);
    t.equal(txt.f.rejected, 0, 'the trailing ip/sym/dso after each payload is cut off');
    const noCpu = (r: Row): Row => ((r.cpu = null as unknown as number), r);
    sameRows(t, without(txt.rows, noCpu), without(bin.rows, noCpu), 'apart from the CPU');
    t.ok(
      txt.rows.every((r) => r.cpu === null || r.cpu === -1),
      'no row has a CPU',
    );
    t.ok(txt.f.notes.some((n) => n.includes('no [cpu] column')));
  });

  await t.test("-F without the time field: the same rows, untimed, in the file's order", async (t) => {
    const txt = await events(SHAPES.noTime);
    t.equal(txt.f.rejected, 0);
    const untimed = (r: Row): Row => ((r.ts = null as unknown as number), r.kind === 'lx_fault' ? ((r.dur_ns = null), r) : r);
    sameRows(t, txt.rows, without(bin.rows, untimed), 'apart from the time');
    t.ok(txt.f.notes.some((n) => n.includes('no time column on 13135 lines')));
  });

  await t.test('default fields without side-band: the same faults, objects made up, and the fix named', async (t) => {
    const txt = await events(SHAPES.bare);
    t.equal(txt.f.rejected, 0);
    t.same(faultsOf(txt.rows), faultsOf(bin.rows), 'every fault, at its address, in order');
    t.equal(txt.rows.filter((r) => r.kind === 'fault_end' && r.rc === 0).length, faults);
    t.ok(
      txt.f.warnings.some((w) => w.includes('no MMAP2/MMAP records') && w.includes(SIDEBAND_FIX)),
      'what was missing, what it cost, the command that fixes it',
    );
    t.ok(txt.f.warnings.some((w) => w.includes('no FORK/COMM/EXIT records')));
  });
});

t.test('each shape replays to the faults of the perf.data', async (t) => {
  const figures = async (path: string) => {
    const r = await replay(path, { models: ['old', 'new', 'new-fixed'] }); // the mapping onto BSD objects, shape by shape
    return { faults: r.faultsReplayed, truncated: r.faultsTruncated, models: r.models.map((m) => [m.model, m.xTokens, m.backdownTotal, m.hazards]) };
  };
  const want = await figures(DATA);
  t.equal(want.faults, 3738);
  for (const [name, path] of Object.entries(SHAPES)) {
    const got = await figures(path);
    t.equal(got.faults, want.faults, `${name}: every fault replayed`);
    // without mappings the objects (and so the locking) are the reader's guesses: only the fault count matches
    if (name !== 'bare') t.same(got, want, `${name}: the same figures under every model`);
  }
});

t.test('when nothing can be replayed: one line of why, and the command that fixes it', async (t) => {
  const lines = gunzipSync(readFileSync(SHAPES.defaultSideband)).toString('utf8').split('\n');
  const dir = t.testdir({
    'accounting-only.txt': lines.filter((l) => !l.includes('exceptions:page_fault')).join('\n'),
    'entries-only.txt': lines.filter((l) => !l.includes('-faults:')).join('\n'),
  });
  const only = await events(join(dir, 'accounting-only.txt'));
  t.equal(only.rows.filter((r) => r.kind === 'fault_begin').length, 0);
  t.ok(
    only.f.warnings.some((w) => /^perf: 0 faults replayed: 3738 minor\/major-faults samples but no fault entry tracepoints/.test(w) && w.includes(RECORD_FIX)),
    only.f.warnings.join('\n'),
  );
  const entries = await events(join(dir, 'entries-only.txt'));
  t.ok(
    entries.f.warnings.some((w) => w.startsWith('perf: 0 faults completed') && w.includes(RECORD_FIX)),
    entries.f.warnings.join('\n'),
  );
});

t.test('what follows a tracepoint payload is cut off; the payload is kept whole', async (t) => {
  const body = (line: string): string => {
    const h = newScriptLine();
    const b = Buffer.from(line, 'latin1');
    t.ok(parseScriptLine(b, 0, b.length, h), line);
    return b.toString('latin1', h.bodyStart, h.bodyEnd).trim();
  };
  const head = '            bash  6292/6292 [001]  1063.156355: exceptions:page_fault_user: ';
  const payload = 'address=0x7f7f01d31b70 ip=0x7f7f01d31b70 error_code=0x14';
  for (const tail of [
    '',
    ' ffffffff821f31c0 exc_page_fault+0x2f0 ([kernel.kallsyms])', // ip sym dso (the default fields of some perf versions)
    ' ffffffff821f31c0 exc_page_fault ([kernel.kallsyms])',
    ' ffffffff821f31c0 ([kernel.kallsyms])', // ip dso
    ' ffffffff821f31c0 exc_page_fault', // ip sym
    ' ffffffff821f31c0', // ip
    '               0', // addr of a tracepoint sample
    ' 7f7f01d31b70 [unknown] (/tmp/prog (deleted))', // a dso in parentheses of its own
  ]) {
    t.equal(body(head + payload + tail), payload, JSON.stringify(tail));
  }
  // a value with blanks (an exec'd file name) is not taken for a trailer
  const exec = 'filename=/tmp/my prog pid=7 old_pid=7';
  t.equal(body('sh 7/7 [000] 1.000001: sched:sched_process_exec: ' + exec), exec);
  t.equal(body('sh 7/7 [000] 1.000001: sched:sched_process_exec: ' + exec + ' ffffffff81000000 bprm_execve ([kernel.kallsyms])'), exec);
});
