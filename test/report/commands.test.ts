// `check` (exit 0, 1, 2), `compare` (two replays of one trace with
// --shared-fault 0 and 1), `export --perfetto` (Chrome trace-event JSON) and
// the usage errors of `report`.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli.js';
import { compareRuns, delta } from '../../src/report/compare.js';
import { sizeWarning } from '../../src/commands/export.js';
import { decodeMessage, type Fields, int, sub, text } from './protobuf.js';
import { loadReportData, type ReportData } from '../../src/report/data.js';
import { SAMPLE_TRACE } from '../../src/common/paths.js';
import { capture, fixture } from '../helpers.js';
import { decodePng, pixelStats } from './png.js';

/** One replay of basic.ktr for the whole file (shared_fault 1), and one with shared_fault 0. */
const dir = t.testdir();
const RUN = join(dir, 'run');
const RUN_SF0 = join(dir, 'run-sf0');
t.before(async () => {
  const a = await capture(() => main(['replay', fixture('basic.ktr'), '-o', RUN]));
  const b = await capture(() => main(['replay', fixture('basic.ktr'), '-o', RUN_SF0, '--shared-fault', '0']));
  if (a.code !== 0 || b.code !== 0) throw new Error(a.stderr + b.stderr);
});

t.test('check: one OK line and exit 0 when every threshold holds', async (t) => {
  const r = await capture(() => main(['check', RUN, '--min-saved-x', '50', '--max-backdown-rate', '25', '--max-contention-ns', '0']));
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, 'OK new: saved X 58.06% >= 50%, back-down rate 25% <= 25%, estimated waiting 0 ns <= 0 ns\n');
  const fixed = await capture(() => main(['check', RUN, '--model', 'new-fixed', '--min-saved-x', '51.6', '--max-hazards', '0']));
  t.equal(fixed.code, 0, fixed.stderr);
  t.match(fixed.stdout, /^OK new-fixed: saved X 51\.61% >= 51\.6%, hazards 0 <= 0\n$/);
});

t.test('check: exit 1 and one line per failed threshold, naming figure, value and limit', async (t) => {
  const r = await capture(() => main(['check', RUN, '--min-saved-x', '60', '--max-hazards', '0', '--max-backdown-rate', '30']));
  t.equal(r.code, 1);
  t.equal(
    r.stdout,
    'FAIL saved X of new against old is 58.06% (18 of 31), below the minimum 60%\n' + 'FAIL hazards of new: 1, above the maximum 0\n',
    'the back-down rate held, so it is not listed',
  );
});

t.test('check: replays traces first, into a temporary directory it removes', async (t) => {
  const r = await capture(() => main(['check', fixture('basic.jsonl'), '--model', 'new-fixed', '--max-hazards', '0', '--max-backdown-rate', '10']));
  t.equal(r.code, 1);
  t.equal(r.stdout, 'FAIL back-down rate of new-fixed: 12.5% (1 back-downs in 8 faults), above the maximum 10%\n');
  t.match(r.stderr, /saved vs old/, 'the replay summary goes to stderr');
});

t.test('check: bad usage is exit 2', async (t) => {
  for (const argv of [
    ['check', RUN],
    ['check', RUN, '--min-saved-x', 'lots'],
    ['check', RUN, '--max-hazards', '-1'],
    ['check', RUN, '--min-saved-x', '1', '--model', 'bogus'],
    ['check', '--min-saved-x', '1'],
    ['check', join(dir, 'nothing-here'), '--min-saved-x', '1'],
  ]) {
    const r = await capture(() => main(argv));
    t.equal(r.code, 2, argv.slice(1).join(' '));
    t.match(r.stderr, /^vmreplay: /);
  }
});

t.test('compare: the same trace with --shared-fault 0 (A) and 1 (B), as deltas', async (t) => {
  const r = await capture(() => main(['compare', RUN_SF0, RUN, '--format', 'json']));
  t.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout);
  t.same(c.models, ['old', 'new', 'new-fixed']);
  t.ok(c.differences.includes('A and B replayed the same input (the same sha256).'));
  t.ok(c.differences.includes('knob shared_fault: A 0, B 1.'));
  const old = c.headline.find((h: { model: string }) => h.model === 'old').figures;
  t.same(old.xTokens, { a: 42, b: 31, delta: -11, ratio: 31 / 42 });
  const neu = c.headline.find((h: { model: string }) => h.model === 'new').figures;
  t.same([neu.xTokens.b, neu.savedX.b, neu.hazards.b], [13, 18, 1], "B's figures are the replay's");
  t.same(neu.sChain.ratio, null, 'no ratio against zero');
  // Keyed by name, never by address.
  const sh = c.byObjectName.filter((k: { key: string }) => k.key === '/bin/sh');
  t.same(
    sh.map((k: { model: string }) => k.model),
    ['old', 'new', 'new-fixed'],
  );
  t.notOk(JSON.stringify(c.byObjectName).includes('0xfffff8'), 'no address among the keys');
  const site = c.bySite.find((k: { key: string; model: string }) => k.key === 'vm_prefault' && k.model === 'old');
  t.ok(site, 'sites are keys');

  const out = join(dir, 'cmp');
  const w = await capture(() => main(['compare', RUN_SF0, RUN, '-o', out]));
  t.equal(w.code, 0, w.stderr);
  for (const f of ['compare.md', 'compare.html', 'compare.json']) t.ok(existsSync(join(out, f)), f);
  const md = readFileSync(join(out, 'compare.md'), 'utf8');
  t.match(md, '| X tokens | 42 | 31 | -11 | 0.738 |');
  t.match(md, '- knob shared_fault: A 0, B 1.');
  const html = readFileSync(join(out, 'compare.html'), 'utf8');
  t.match(html, '<td>X tokens</td><td class="r">42</td>');
  t.match(md, '](charts/compare-x-by-site.png)');
  t.match(html, /<figure class="chart" id="chart-compare-x-by-site">\n<svg/);
  const png = pixelStats(decodePng(readFileSync(join(out, 'charts', 'compare-x-by-site.png'))));
  t.ok(png.dark > 300 && png.colours > 8, 'the chart has text and coloured bars');
  const spec = JSON.parse(readFileSync(join(out, 'charts', 'compare-x-by-site.vl.json'), 'utf8'));
  t.same(spec.encoding.color.scale.domain, ['A: shared_fault=0', 'B: shared_fault=1'], 'the legend says what A and B are');
  t.notOk(
    spec.encoding.color.scale.range.some((c: string) => ['#4c78a8', '#f58518'].includes(c)),
    "A and B are not drawn in old's and new's colours",
  );
  t.notMatch(md, /\d\.\d\d ns/, 'wait times in a readable unit, not "96050.00 ns"');
  // compare leads with what changed: the saving per site, the unchanged rows folded.
  t.ok(md.indexOf('## What changed: X saved per site') < md.indexOf('## Headline'), 'the saving per site comes first');
  t.match(
    md,
    /## What changed: X saved per site\n\n.*\n\n\| site \| model \| saved in A \| saved in B \| B − A \|\n.*\n\| `vm_prefault` \| new \| 0 \| 6 \| 6 \|/,
  );
  t.match(md, /<details>\n<summary>15 unchanged site savings<\/summary>/);
  const firstTable = md.slice(md.indexOf('## What changed'), md.indexOf('<details>'));
  t.notMatch(firstTable, /\| 0 \|\n/, 'no unchanged row before the fold');

  const traces = await capture(() => main(['compare', fixture('basic.ktr'), fixture('basic.dtrace')]));
  t.equal(traces.code, 0, traces.stderr);
  t.match(traces.stdout, /^# vmreplay compare/);
  t.match(traces.stdout, '- A and B replayed different inputs.');
  t.match(traces.stdout, '| X tokens | 31 | 31 | 0 | 1.000 |', 'the same trace in two framings gives the same figures');

  const bad = await capture(() => main(['compare', RUN]));
  t.equal(bad.code, 2);
});

t.test('compare says what differs between the runs besides the figures', async (t) => {
  const a = await loadReportData(RUN);
  const b = await loadReportData(RUN_SF0);
  const other: ReportData = {
    ...b,
    models: ['new', 'old'],
    baseline: 'new',
    run: { ...b.run, version: '9.9.9', synthetic: 'workload=test', inputs: [{ path: 'x', bytes: 1, sha256: 'f00' }] },
  };
  const c = compareRuns(a, other);
  t.same(c.differences, [
    'A and B replayed different inputs.',
    'knob shared_fault: A 1, B 0.',
    'models: A old,new,new-fixed, B new,old; only the models in both are compared.',
    'baselines differ: A old, B new; saved figures are each against their own.',
    'vmreplay versions differ: A 0.1.0, B 9.9.9.'.replace('0.1.0', a.run.version),
    'B is a generated trace, the other is not.',
  ]);
  t.same(c.models, ['old', 'new']);
  t.same(delta(0, 5), { a: 0, b: 5, delta: 5, ratio: null });
});

t.test('export --perfetto: trace-event JSON, one process per model, holds as slices', async (t) => {
  const file = join(dir, 'timeline.json');
  const r = await capture(() => main(['export', RUN, '--perfetto', file]));
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout + r.stderr, /timeline written to .* lock holds on \d+ tracks, 4 back-downs and hazards/);
  const trace = JSON.parse(readFileSync(file, 'utf8'));
  t.ok(Array.isArray(trace.traceEvents));
  const events = trace.traceEvents as { name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; args: Record<string, unknown> }[];
  const processes = events.filter((e) => e.name === 'process_name').map((e) => [e.pid, e.args.name]);
  t.same(processes, [
    [1, 'model old'],
    [2, 'model new'],
    [3, 'model new-fixed'],
  ]);
  const slices = events.filter((e) => e.ph === 'X');
  // Every acquisition with a time is a slice: 161 rows in basic.ktr's acquisitions table.
  t.equal(slices.length, 161);
  t.ok(slices.every((s) => s.ts >= 0 && (s.dur ?? -1) >= 0));
  t.ok(
    slices.some((s) => s.name === 'vm_fault /bin/sh'),
    'slices are named by site and object name',
  );
  const instants = events.filter((e) => e.ph === 'i').map((e) => `${e.pid} ${e.name}`);
  t.same(instants.sort(), ['2 back-down B1', '2 back-down B1', '2 hazard token_livelock', '3 back-down B1']);
  // Slices on one track nest or follow each other: what the trace-event format can show.
  const byTrack = new Map<string, { ts: number; end: number }[]>();
  for (const s of slices) {
    const k = `${s.pid}:${s.tid}`;
    byTrack.set(k, [...(byTrack.get(k) ?? []), { ts: s.ts, end: s.ts + s.dur! }]);
  }
  for (const [track, list] of byTrack) {
    const open: number[] = [];
    for (const s of list) {
      while (open.length && open.at(-1)! <= s.ts + 1e-9) open.pop();
      t.ok(open.length === 0 || open.at(-1)! >= s.end - 1e-9, `track ${track}: a slice at ${s.ts} nests`);
      open.push(s.end);
    }
  }
  const usage = await capture(() => main(['export', RUN]));
  t.equal(usage.code, 2);

  // One thread, one track: each hold is drawn up to the thread's next acquisition, so slices on a track follow each other.
  const threads = new Set(slices.map((s) => `${s.pid}:${s.tid}`));
  const names = events.filter((e) => e.name === 'thread_name').map((e) => String(e.args.name));
  t.equal(names.filter((n) => / #\d+$/.test(n)).length, 0, 'no "#2" lanes');
  t.equal(threads.size, names.length, 'one track per (model, thread)');
  for (const [track, list] of byTrack) {
    const sorted = [...list].sort((a, b) => a.ts - b.ts);
    t.ok(
      sorted.every((s, i) => i === 0 || s.ts >= sorted[i - 1]!.end - 1e-9),
      `track ${track}: slices do not overlap`,
    );
  }
  t.ok(
    slices.every((s) => typeof s.args.hold_ns === 'number'),
    'the whole estimated hold stays in args',
  );
  const hazard = events.find((e) => e.name === 'hazard token_livelock')!;
  t.match(hazard.args.trace_line, /basic\.ktr:21$/, 'a hazard carries its trace line');
});

t.test('export --perfetto: standard output, filters, the size warning', async (t) => {
  const all = JSON.parse(readFileSync(join(dir, 'timeline.json'), 'utf8')).traceEvents as {
    ph: string;
    pid: number;
    tid: number;
    ts: number;
    name: string;
    args: Record<string, unknown>;
  }[];
  const out = await capture(() => main(['export', RUN, '--perfetto', '-']));
  t.equal(out.code, 0, out.stderr);
  t.same(JSON.parse(out.stdout).traceEvents.length, all.length, '- writes the timeline to standard output');
  t.notOk(existsSync('-'), 'no file named -');
  t.match(out.stderr, /timeline written to standard output/);

  const only = async (...args: string[]) => {
    const r = await capture(() => main(['export', RUN, '--perfetto', '-', ...args]));
    t.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).traceEvents as typeof all;
  };
  const newOnly = await only('--model', 'new');
  t.same([...new Set(newOnly.filter((e) => e.ph !== 'M').map((e) => e.pid))], [2], '--model new: only its process');
  t.same(
    newOnly.filter((e) => e.name === 'process_name').map((e) => e.args.name),
    ['model new'],
  );
  const thr = await only('--pid', '102');
  const threadNames = thr.filter((e) => e.name === 'thread_name').map((e) => String(e.args.name));
  t.ok(threadNames.length > 0 && threadNames.every((n) => n.endsWith(' thr')), `--pid 102: only thr's threads (${threadNames.join(', ')})`);
  const allSlices = all.filter((e) => e.ph === 'X');
  const window = await only('--from', '1000100000', '--to', '1000130000');
  const inWindow = window.filter((e) => e.ph === 'X');
  t.ok(inWindow.length > 0 && inWindow.length < allSlices.length, `--from/--to: ${inWindow.length} of ${allSlices.length} holds`);
  const bad = await capture(() => main(['export', RUN, '--perfetto', '-', '--pid', 'x']));
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--pid takes a whole number/);
  const unknown = await capture(() => main(['export', RUN, '--perfetto', '-', '--model', 'nope']));
  t.equal(unknown.code, 2);
  t.equal(sizeWarning(99e6), null);
  t.match(sizeWarning(772e6)!, /^warning: the timeline is 772\.0 MB, more than the Perfetto UI's JSON importer takes .*--model, --pid or --from\/--to$/);
});

t.test('export --perfetto FILE.pftrace: Perfetto protobuf, decoded with the published field numbers', async (t) => {
  const file = join(dir, 'timeline.pftrace');
  const r = await capture(() => main(['export', RUN, '--perfetto', file]));
  t.equal(r.code, 0, r.stderr);
  const bytes = readFileSync(file);
  const jsonBytes = readFileSync(join(dir, 'timeline.json')).length;
  t.ok(bytes.length < jsonBytes / 2, `less than half the JSON (${bytes.length} bytes against ${jsonBytes})`);
  // Trace { repeated TracePacket packet = 1 } (protos/perfetto/trace/trace.proto)
  const trace = decodeMessage(bytes);
  t.same([...trace.keys()], [1], 'a Trace holds only packets');
  const packets = trace.get(1)!.map((b) => decodeMessage(b as Buffer));
  t.ok(
    packets.every((p) => int(p, 10) === 1),
    'every packet on one trusted_packet_sequence_id (10)',
  );
  t.equal(int(packets[0], 13), 1, 'the first packet clears the incremental state (sequence_flags 13)');
  // TracePacket.track_descriptor = 60: TrackDescriptor { uuid 1, name 2, process 3, thread 4, parent_uuid 5 }
  const descriptors = packets.map((p) => sub(p, 60)).filter((d): d is Fields => d !== undefined);
  const processes = descriptors.filter((d) => d.has(3)).map((d) => text(sub(d, 3), 6));
  t.same(processes, ['model old', 'model new', 'model new-fixed'], 'a process (ProcessDescriptor.process_name 6) per model');
  const threads = descriptors.filter((d) => d.has(4));
  t.ok(
    threads.length > 0 && threads.every((d) => /^tid \d+/.test(text(sub(d, 4), 5) ?? '') && d.has(5)),
    'thread tracks (ThreadDescriptor.thread_name 5) under their process',
  );
  const uuids = new Set(descriptors.map((d) => int(d, 1)));
  // TracePacket.interned_data = 12: InternedData { event_categories 1, event_names 2, debug_annotation_names 3, debug_annotation_string_values 29 }, entries { iid 1, name 2 }
  const interned = new Map<number, Map<number, string>>([1, 2, 3, 29].map((f) => [f, new Map()]));
  for (const p of packets) {
    const data = sub(p, 12);
    for (const [table, entries] of data ?? [])
      for (const b of entries) interned.get(table)?.set(int(decodeMessage(b as Buffer), 1)!, text(decodeMessage(b as Buffer), 2)!);
  }
  t.ok(
    packets.slice(1).every((p) => int(p, 13) === 2),
    'later packets say they need the interned state (sequence_flags 2)',
  );
  const nameOf = (e: Fields) => interned.get(2)!.get(int(e, 10)!);
  // TracePacket.track_event = 11: TrackEvent { type 9, track_uuid 11, name_iid 10, category_iids 3, debug_annotations 4 }
  const events = packets.filter((p) => p.has(11)).map((p) => ({ ts: int(p, 8)!, e: sub(p, 11)! }));
  t.ok(
    events.every(({ e }) => uuids.has(int(e, 11))),
    'every event on a described track',
  );
  const begins = events.filter(({ e }) => int(e, 9) === 1);
  const ends = events.filter(({ e }) => int(e, 9) === 2);
  t.equal(begins.length, 161, 'a slice per acquisition, as in the JSON');
  t.equal(ends.length, begins.length, 'each slice ended');
  t.ok(
    begins.some(({ e }) => nameOf(e) === 'vm_fault /bin/sh'),
    'slices named by site and object',
  );
  t.equal(interned.get(1)!.get(int(begins[0]!.e, 3)!)?.includes(','), true, 'a category class,mode');
  const hazard = events.find(({ e }) => int(e, 9) === 3 && nameOf(e) === 'hazard token_livelock');
  t.ok(hazard, 'the hazard as an instant');
  // DebugAnnotation { name_iid 1, string_value_iid 17 }
  const args = new Map(
    (hazard!.e.get(4) ?? []).map((b) => decodeMessage(b as Buffer)).map((a) => [interned.get(3)!.get(int(a, 1)!), interned.get(29)!.get(int(a, 17)!)]),
  );
  t.match(args.get('trace_line'), /basic\.ktr:21$/, 'the hazard carries its trace line');
  // Per track, begin and end alternate: one track per thread shows every slice.
  const depth = new Map<number, number>();
  let nested = true;
  for (const { e } of events.filter(({ e }) => int(e, 9) !== 3)) {
    const track = int(e, 11)!;
    const d = (depth.get(track) ?? 0) + (int(e, 9) === 1 ? 1 : -1);
    if (d < 0 || d > 1) nested = false;
    depth.set(track, d);
  }
  t.ok(nested, 'slices on a track follow each other');
  const piped = await capture(() => main(['export', RUN, '--perfetto', '-', '--proto', '--model', 'new']));
  t.equal(piped.code, 0, piped.stderr);
});

t.test("replay's summary: the top sites by saved X, and a hint to the report", async (t) => {
  const out = join(dir, 'replayed');
  const r = await capture(() => main(['replay', fixture('basic.ktr'), '-o', out]));
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /where: the 5 sites with most X tokens saved vs old/);
  t.match(r.stdout, /\nsite +X old +X new +X new-fixed +saved new +saved new-fixed\n/);
  t.match(r.stdout, /\nvm_prefault +6 +0 +0 +6 +6\nvm_fault +9 +5 +6 +4 +3\n/, 'largest saving first');
  t.match(r.stdout + r.stderr, `for a report to paste into a review: vmreplay report ${out}`);
});

t.test('report: usage errors are exit 2', async (t) => {
  const noOut = await capture(() => main(['report', fixture('basic.ktr')]));
  t.equal(noOut.code, 2);
  t.match(noOut.stderr, /no report directory \(-o DIR\)/);
  const none = await capture(() => main(['report']));
  t.equal(none.code, 2);
  const notRun = await capture(() => main(['report', dir, '-o', join(dir, 'x')]));
  t.equal(notRun.code, 2, 'a directory that is no run is read as a trace and refused');
});

t.test('unknown chain links: the summary and the report give the same per-model count in faults, and say where the rest are', async (t) => {
  const out = join(dir, 'sample');
  const r = await capture(() => main(['replay', SAMPLE_TRACE(), '-o', out]));
  t.equal(r.code, 0, r.stderr);
  const note = r.stdout.replace(/\n {2}/g, ' ').match(/^note: chain links .*$/m)?.[0] ?? '';
  // The sample meets unknown links in a few faults, and many more at vm_object_deallocate: 4 + 51 in all.
  t.match(note, 'in faults: old 2, new 1, new-fixed 1 (vnode_pager_lock and vm_prefault walks stopped there; faults.unknown_links)');
  t.match(note, 'at other lock sites: old 17, new 17, new-fixed 17 (vm_object_deallocate');
  t.match(note, 'not in the tables, so not in the report');

  const report = await capture(() => main(['report', out]));
  t.equal(report.code, 0, report.stderr);
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  t.match(
    md,
    '- Chain links below the recorded levels that no event described, in faults: old 2, new 1, new-fixed 1 (vnode_pager_lock and vm_prefault walks stopped there; faults.unknown_links)',
  );
  t.match(md, 'links met at other lock sites (vm_object_deallocate) are not in the tables; the replay’s terminal summary counts them separately.');
  const data = await loadReportData(out);
  t.same(data.coverage.unknownLinks, { old: 2, new: 1, 'new-fixed': 1 }, "the report's count is the faults table's");
});
