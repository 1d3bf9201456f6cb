// Bad and awkward input through the ingest API (no CLI): every case is either
// read, or counted and reported with file:line and a reason; --strict turns
// the counted ones into an InputError.

import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { content, fixture, readTrace } from '../helpers.js';
import { prng, tempFile } from './text-trace.js';
import { InputError } from '../../src/common/errors.js';

const TSC = 'TSC frequency is 1000.000 MHz';
const HEAD = 'index  cpu timestamp        ID                   trace';
const ktrRow = (index: number, cpu: number, ts: number, id: string, trace: string): string =>
  ` ${index.toString(16).padStart(6, '0')} ${String(cpu).padEnd(3)} ${String(ts).padEnd(16)} ${id.padEnd(20)} ${trace}`;

async function strictError(path: string): Promise<InputError> {
  try {
    await readTrace(path, { strict: true });
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('no InputError');
}

t.test('a truncated last line is warned about and accounted for', async (t) => {
  const cases: [string, string][] = [
    ['cut.jsonl', '{"ts":1,"cpu":0,"event":"proc_exit","pid":1}\n{"ts":2,"cpu":0,"event":"proc_ex'],
    ['cut.dtrace', '1 0 proc_exit pid=1\n2 0 fault_begin tid=1 pid=2 va=0x40'],
    ['cut.ktr', [TSC, HEAD, ktrRow(0, 0, 1, 'vmtrace_proc_exit', 'pid=1'), ktrRow(1, 0, 2, 'vmtrace_fault_begin', 'tid=1 pid=2 va=0x40')].join('\n')],
  ];
  for (const [name, text] of cases) {
    const { rows, ingest } = await readTrace(tempFile(name, text));
    const f = ingest.files[0]!;
    t.equal(rows.length, 1, `${name}: the whole lines are read`);
    t.match(f.warnings.join('\n'), /has no newline: the file may be truncated/, `${name}: warned`);
    t.equal(f.rejected, 1, `${name}: the cut line is rejected`);
    t.equal(f.rejects[0]!.line, f.lines, `${name}: at the last line`);
    t.ok(f.balanced);
  }
});

t.test('binary garbage', async (t) => {
  const rnd = prng(99);
  const junk = Uint8Array.from({ length: 4096 }, (_, i) => (i % 50 === 0 ? 10 : i % 7 === 0 ? 0 : Math.floor(rnd() * 256)));
  const e = await readTrace(tempFile('junk.bin', junk)).then(
    () => null,
    (err: unknown) => err,
  );
  t.type(e, InputError, 'a binary file is not a text trace');
  t.match((e as InputError).reason, /binary data/);

  // a NUL-bearing line inside a text trace is one rejected line
  const mixed = Buffer.concat([Buffer.from('1 0 proc_exit pid=1\n'), Buffer.from('2 0 proc_\0exit pid=2\n'), Buffer.from('3 0 proc_exit pid=3\n')]);
  const { rows, ingest } = await readTrace(tempFile('mixed.dtrace', mixed));
  const f = ingest.files[0]!;
  t.same(
    rows.map((r) => r.pid),
    [1, 3],
  );
  t.match(f.rejects[0]!, { line: 2, reason: /binary data/ });
  t.ok(f.balanced);
  const err = await strictError(tempFile('mixed.dtrace', mixed));
  t.equal(err.line, 2);
});

t.test('an empty file: a warning, an error with strict', async (t) => {
  const path = tempFile('empty.ktr', '');
  const { rows, ingest } = await readTrace(path);
  t.equal(rows.length, 0);
  t.match(ingest.files[0]!.warnings.join('\n'), /empty trace/);
  const err = await strictError(path);
  t.match(err.reason, /empty trace/);
  t.equal(err.file, path);
});

t.test('a missing tid: rejected with file:line and reason; strict stops there', async (t) => {
  const cases: [string, string, number][] = [
    ['notid.dtrace', '1 0 proc_exit pid=1\n2 0 fault_retry why=busy\n3 0 proc_exit pid=3\n', 2],
    ['notid.ktr', [TSC, HEAD, ktrRow(0, 0, 1, 'vmtrace_proc_exit', 'pid=1'), ktrRow(1, 0, 2, 'vmtrace_fault_retry', 'why=busy')].join('\n') + '\n', 4],
    ['notid.jsonl', '{"ts":1,"cpu":0,"event":"fault_retry","why":"busy"}\n', 1],
  ];
  for (const [name, text, line] of cases) {
    const path = tempFile(name, text);
    const { ingest } = await readTrace(path);
    const f = ingest.files[0]!;
    t.equal(f.rejected, 1, name);
    t.match(f.rejects[0]!, { line, reason: /fault_retry: missing tid/ }, name);
    const err = await strictError(path);
    t.equal(err.line, line, `${name}: strict`);
    t.match(err.message, new RegExp(`${name}:${line}: fault_retry: missing tid`));
  }
});

t.test('a 64-bit address above 2^53 stays exact', async (t) => {
  const cases: [string, string][] = [
    ['addr.dtrace', '1 0 map_split tid=1 obj=0xfffffffffffff801 otype=vnode\n'],
    ['addr.ktr', [TSC, HEAD, ktrRow(0, 0, 1, 'vmtrace_map_split', 'tid=1 obj=0xfffffffffffff801 otype=vnode')].join('\n') + '\n'],
    ['addr.jsonl', '{"ts":1,"cpu":0,"event":"map_split","tid":1,"obj":18446744073709549569,"otype":"vnode"}\n'],
  ];
  for (const [name, text] of cases) {
    const { rows } = await readTrace(tempFile(name, text));
    t.equal(rows[0]!.obj, '0xfffffffffffff801', name);
  }
});

t.test('out-of-order timestamps across CPUs are sorted; beyond the window they are late, not lost', async (t) => {
  const text = [
    '500 1 proc_exit pid=5',
    '100 0 proc_exit pid=1',
    '300 2 proc_exit pid=3',
    '200 0 proc_exit pid=2',
    '2000000600 1 proc_exit pid=7',
    '400 3 proc_exit pid=4',
  ].join('\n');
  // one row per batch, so the sorter sees rows one by one as a long trace would
  const { rows, ingest } = await readTrace(tempFile('ooo.dtrace', text + '\n'), { batchRows: 1 });
  const f = ingest.files[0]!;
  t.same(
    rows.slice(0, 4).map((r) => r.ts),
    [100, 200, 300, 500],
    'within the window: sorted',
  );
  t.same(
    rows.map((r) => r.pid),
    [1, 2, 3, 5, 4, 7],
    'pid 4 came 2 s after a later row: passed on as it came',
  );
  t.equal(f.late, 1, 'and counted late');
  t.equal(f.cpu(3).late, 1);
});

t.test('CRLF line endings', async (t) => {
  const base = await readTrace(fixture('basic.jsonl'));
  for (const name of ['basic.jsonl', 'basic.dtrace', 'basic.ktr', 'basic-s.ktr', 'basic-records.dtrace']) {
    const { readFileSync } = await import('node:fs');
    const crlf = readFileSync(fixture(name), 'latin1').replaceAll('\n', '\r\n');
    const { rows, ingest } = await readTrace(tempFile(name, Buffer.from(crlf, 'latin1')));
    t.equal(ingest.files[0]!.rejected, 0, name);
    t.same(content(rows.filter((r) => r.kind !== 'context')), content(base.rows), `${name} with CRLF`);
  }
});

t.test('a fault_end without its fault_begin is an event, even with strict', async (t) => {
  const text = '100 0 fault_end tid=42 rc=0\n200 0 fault_begin tid=43 pid=1 va=0x1000 ftype=R fflags=0x4\n';
  const { rows, ingest } = await readTrace(tempFile('orphan.dtrace', text), { strict: true });
  t.equal(rows[0]!.kind, 'fault_end');
  t.equal(ingest.files[0]!.rejected, 0);
});

t.test('gzip and zstd input', async (t) => {
  const { readFileSync } = await import('node:fs');
  const base = await readTrace(fixture('basic.dtrace'));
  const gz = await readTrace(tempFile('basic.dtrace.gz', gzipSync(readFileSync(fixture('basic.ktr')))));
  t.equal(gz.ingest.files[0]!.format, 'ktr');
  t.match(gz.ingest.files[0]!.notes, ['gzip-compressed']);
  t.same(content(gz.rows.filter((r) => r.kind !== 'context')), content(base.rows), 'gzip');

  // committed fixture: the test does not need the zstd CLI
  const zst = await readTrace(fixture('basic.dtrace.zst'));
  t.equal(zst.ingest.files[0]!.format, 'dtrace');
  t.match(zst.ingest.files[0]!.notes, ['zstd-compressed']);
  t.same(content(zst.rows), content(base.rows), 'zstd fixture');

  let zstdCli = true;
  try {
    execFileSync('zstd', ['--version'], { stdio: 'ignore' });
  } catch {
    zstdCli = false;
  }
  t.test('zstd CLI output, several frames', { skip: zstdCli ? false : 'the zstd command is not installed' }, async (t) => {
    const text = readFileSync(fixture('basic-s.ktr'));
    const cut = text.indexOf('\n', text.length >> 1) + 1;
    const frame = (b: Buffer): Buffer => execFileSync('zstd', ['-q', '-c'], { input: b });
    const path = tempFile('two-frames.ktr.zst', Buffer.concat([frame(text.subarray(0, cut)), frame(text.subarray(cut))]));
    const { rows, ingest } = await readTrace(path);
    t.equal(ingest.files[0]!.rejected, 0);
    t.same(content(rows.filter((r) => r.kind !== 'context')), content(base.rows));
  });
});
