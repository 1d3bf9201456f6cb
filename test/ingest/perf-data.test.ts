// perf.data read directly (src/ingest/perf-data/): the real captures of
// traces/real/ (see PROVENANCE.md), compressed (the file, or its records with
// perf record -z), in pipe mode, forced by --format, with real LOST records,
// truncated at every section, corrupt, and files named .data that are not
// perf.data. Bad files get an InputError naming the file
// and the offset or record and exit 2; losses are counted; nothing crashes.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import t from 'tap';
import { main } from '../../src/cli.js';
import { InputError } from '../../src/common/errors.js';
import { Ingest } from '../../src/ingest/open.js';
import { ROOT, capture, content, readTrace } from '../helpers.js';

const REAL = join(ROOT, 'traces', 'real');
const DATA = join(REAL, 'linux-forkexec-callgraph.perf.data');
const LOST = join(REAL, 'linux-forkexec-lost.perf.data');
const bytes = readFileSync(DATA);
const u64 = (b: Buffer, at: number): number => Number(b.readBigUInt64LE(at));
const dataStart = u64(bytes, 40);
const dataEnd = dataStart + u64(bytes, 48);

/** Read a file to the end; the error it stops with, if any. */
async function failure(path: string, format?: 'perf-data'): Promise<unknown> {
  try {
    const ingest = new Ingest(format ? { format } : {});
    for await (const _ of ingest.events([path]));
    return null;
  } catch (e) {
    return e;
  }
}

t.test('the real capture read directly', async (t) => {
  const { rows, ingest } = await readTrace(DATA);
  const f = ingest.files[0]!;
  t.equal(f.format, 'perf-data', 'sniffed by its PERFILE2 magic');
  t.ok(f.balanced, 'every record counted once');
  t.same(
    { lines: f.lines, framing: f.framing, events: f.events, context: f.context, rejected: f.rejected, dropped: f.dropped, late: f.late },
    { lines: 13140, framing: 5, events: 12734, context: 401, rejected: 0, dropped: 0, late: 0 },
    'the records of PROVENANCE.md: none rejected, none lost, rows in time order',
  );
  t.equal(f.derivedRejected, 0);
  const count = (kind: string) => rows.filter((r) => r.kind === kind).length;
  t.same([count('fault_begin'), count('fault_end'), count('proc_fork'), count('proc_exec'), count('obj_lock')], [3738, 3738, 24, 25, 4525]);
  t.ok(
    f.notes.some((n) => n.startsWith('perf.data: recorded on vm, Linux 6.18.44-fc-v669 x86_64, perf 6.1.187: ') && n.includes('perf record')),
    'where and how it was recorded',
  );
  t.ok(
    rows.every((r) => Number(r.src_line) >= 1 && Number(r.src_line) <= 13140),
    'src_line is the record number',
  );

  const gz = join(t.testdir(), 'capture.perf.data.gz');
  writeFileSync(gz, gzipSync(bytes));
  const z = await readTrace(gz);
  t.equal(z.ingest.files[0]!.format, 'perf-data');
  t.ok(z.ingest.files[0]!.notes.includes('gzip-compressed'));
  t.equal(JSON.stringify(content(z.rows)), JSON.stringify(content(rows)), 'gzip-compressed: the same rows');

  const forced = await readTrace(DATA, { format: 'perf-data' });
  t.equal(forced.rows.length, rows.length, '--format perf-data');
});

t.test('perf record -z: the records inside zstd-compressed records, as its text shows them', async (t) => {
  const bin = await readTrace(join(REAL, 'linux-forkexec-zstd.perf.data'));
  const txt = await readTrace(join(REAL, 'linux-forkexec-zstd.perf.txt.gz'));
  const f = bin.ingest.files[0]!;
  t.ok(f.balanced);
  t.same([f.lines, f.events, f.rejected], [12441, 12047, 0], 'the 4 compressed records hold 12,431 records');
  t.ok(f.notes.some((n) => n.includes('4 zstd-compressed records (perf record -z) decompressed')));
  t.equal(bin.rows.filter((r) => r.kind === 'fault_end' && r.rc === 0).length, 3517);
  t.equal(JSON.stringify(content(bin.rows)), JSON.stringify(content(txt.rows)), 'the same rows as its perf script text (the kit fields)');
});

t.test('pipe mode (perf record -o -): attrs, formats and features come as records, read in one pass', async (t) => {
  const pipe = join(REAL, 'linux-forkexec-pipe.perf.data.gz');
  const bin = await readTrace(pipe);
  const txt = await readTrace(join(REAL, 'linux-forkexec-pipe.perf.txt.gz'));
  const f = bin.ingest.files[0]!;
  t.equal(f.format, 'perf-data');
  t.ok(f.balanced);
  t.same([f.lines, f.events, f.rejected], [6814, 6558, 0]);
  t.ok(f.notes.some((n) => n.startsWith('perf.data (pipe mode): 6814 records read directly')));
  t.ok(
    f.notes.some((n) => n.startsWith('perf.data: recorded on vm, Linux 6.18.44-fc-v669')),
    'the features sent as records',
  );
  t.equal(bin.rows.filter((r) => r.kind === 'fault_begin').length, 1911);
  t.equal(JSON.stringify(content(bin.rows)), JSON.stringify(content(txt.rows)), 'the same rows as its perf script text');

  // cut short: the stream ends inside a record
  const cut = join(t.testdir(), 'cut-pipe.perf.data');
  writeFileSync(cut, gunzipSync(readFileSync(pipe)).subarray(0, 300_001));
  const e = await failure(cut);
  t.ok(e instanceof InputError);
  t.match((e as Error).message, /truncated perf\.data: the stream ends inside record \d+ at byte \d+/);
});

t.test('real LOST records: counted as dropped, the faults they cut short reported', async (t) => {
  const { rows, ingest } = await readTrace(LOST);
  const f = ingest.files[0]!;
  t.ok(f.balanced);
  t.equal(f.rejected, 0);
  t.equal(f.dropped, 3257, 'the sum of the 15 PERF_RECORD_LOST records (perf script --show-lost-events shows the same)');
  t.ok(
    f.warnings.some((w) => w.includes('PERF_RECORD_LOST')),
    'a warning',
  );
  t.ok(
    f.notes.some((n) => n.includes('LOST_SAMPLES records count 3659 lost samples') && n.includes('not added again')),
    'the per-event counts are not counted twice',
  );
  t.equal(rows.filter((r) => r.kind === 'fault_begin').length, 945);
  t.ok(
    f.notes.some((n) => n.includes('945 faults, 941 completed') && n.includes('2 still open at the end')),
    'faults whose end was lost are said',
  );
  const perCpu = f.perCpu.reduce((n, c) => n + c.dropped, 0);
  t.equal(perCpu, 3257, 'and per CPU');
});

t.test('a truncated perf.data: a clear error naming the file and where, never a crash', async (t) => {
  const dir = t.testdir();
  const cuts: [string, number, RegExp][] = [
    ['inside the header', 50, /truncated perf\.data: 50 bytes, shorter than its 104-byte header/],
    ['inside the attrs', 300, /truncated perf\.data: the header's data section ends at byte \d+ but the file has 300 bytes/],
    ['inside the data', dataStart + 100_001, /truncated perf\.data: the header's data section ends at byte \d+ but the file has \d+ bytes/],
    ['at the end of the data', dataEnd, /truncated perf\.data: the feature section table at byte \d+ is cut short/],
    ['inside the tracing data (event formats)', dataEnd + 21 * 16 + 1000, /truncated perf\.data: feature section 1 at byte \d+ is cut short/],
  ];
  for (const [what, n, reason] of cuts) {
    const path = join(dir, `cut-${n}.perf.data`);
    writeFileSync(path, bytes.subarray(0, n));
    const e = await failure(path);
    t.ok(e instanceof InputError, `${what}: an InputError`);
    t.match((e as Error).message, reason, what);
    t.ok((e as Error).message.startsWith(path), 'naming the file');
  }
  // cut in the last feature sections, which the reader does not need: a warning, the data read
  const tail = join(dir, 'cut-tail.perf.data');
  writeFileSync(tail, bytes.subarray(0, bytes.length - 100));
  const { ingest } = await readTrace(tail);
  t.equal(ingest.files[0]!.events, 12734, 'cut in unused features: every record read');
  t.ok(
    ingest.files[0]!.warnings.some((w) => /^truncated perf\.data: its feature sections end at byte \d+ but the file has \d+ bytes/.test(w)),
    'and a warning',
  );

  // gzip-compressed and cut: the sizes are unknown up front, the data section ends short
  const gz = join(dir, 'cut.perf.data.gz');
  writeFileSync(gz, gzipSync(bytes.subarray(0, dataStart + 500_000)));
  const e = await failure(gz);
  t.ok(e instanceof InputError);
  t.match((e as Error).message, /truncated perf\.data/);

  const cli = await capture(() => main(['validate', join(dir, `cut-${dataStart + 100_001}.perf.data`)]));
  t.equal(cli.code, 2, 'exit 2');
  t.match(cli.stderr, /^vmreplay: .*truncated perf\.data.*\n$/);
  t.notMatch(cli.stderr, /\n\s+at /, 'no stack trace');
});

t.test('a corrupt record: the record and its offset', async (t) => {
  const bad = Buffer.from(bytes);
  // the size field of the tenth record
  let at = dataStart;
  for (let k = 0; k < 9; k++) at += bad.readUInt16LE(at + 6);
  bad.writeUInt16LE(0, at + 6);
  const path = join(t.testdir(), 'corrupt.perf.data');
  writeFileSync(path, bad);
  const e = await failure(path);
  t.ok(e instanceof InputError);
  t.match((e as Error).message, new RegExp(`:10: perf\\.data record 10 at byte ${at}: size 0, shorter than its header`));
});

t.test('a file named .data that is not a perf.data', async (t) => {
  const dir = t.testdir({
    'noise.data': Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff).map((b, i) => (i % 5 === 0 ? 0 : b))),
    'notes.data': 'measurements\n1 2 3\n',
  });
  const noise = await failure(join(dir, 'noise.data'));
  t.ok(noise instanceof InputError);
  t.match((noise as Error).message, /noise\.data: not a perf\.data file \(offset 0 holds no PERFILE2 magic: it starts '.*'\) and not a text trace/);
  const notes = await failure(join(dir, 'notes.data'));
  t.match((notes as Error).message, /notes\.data:1: not a perf\.data file \(no PERFILE2 magic at offset 0\) and not a text trace/);
  const forced = await failure(join(ROOT, 'traces', 'fixtures', 'basic.jsonl'), 'perf-data');
  t.match((forced as Error).message, /basic\.jsonl: not perf-data: its first bytes are not that format's magic: it starts '\{"ts":/);
  for (const name of ['noise.data', 'notes.data']) {
    const cli = await capture(() => main(['replay', join(dir, name), '-o', join(dir, `out-${name}`)]));
    t.equal(cli.code, 2, `${name}: exit 2`);
    t.notMatch(cli.stderr, /\n\s+at /, 'no stack trace');
  }
});

t.test('damaged bytes anywhere: an InputError or counted rejects, never a crash', async (t) => {
  const src = readFileSync(LOST);
  const start = u64(src, 40);
  const dir = t.testdir();
  let seed = 20261130;
  const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const outcomes = { read: 0, refused: 0 };
  for (let i = 0; i < 40; i++) {
    const b = Buffer.from(src);
    for (let k = 1 + Math.floor(rnd() * 6); k > 0; k--) {
      const at = rnd() < 0.8 ? start + Math.floor(rnd() * (b.length - start)) : Math.floor(rnd() * b.length);
      b[at] = Math.floor(rnd() * 256);
    }
    const path = join(dir, `damaged-${i}.perf.data`);
    writeFileSync(path, b);
    const e = await failure(path);
    if (e === null) outcomes.read++;
    else if (e instanceof InputError) outcomes.refused++;
    else t.fail(`damaged-${i}: ${(e as Error).stack}`);
  }
  t.equal(outcomes.read + outcomes.refused, 40, JSON.stringify(outcomes));
});

t.test('a gzip-compressed perf.data that is cut or corrupt: one line, exit 2', async (t) => {
  const dir = t.testdir();
  const gz = gzipSync(bytes);
  const cut = join(dir, 'cut-stream.perf.data.gz');
  writeFileSync(cut, gz.subarray(0, Math.floor(gz.length / 2))); // Z_BUF_ERROR: the stream ends mid-way
  const flipped = Buffer.from(gz);
  for (let i = 2000; i < 2400; i++) flipped[i] = flipped[i]! ^ 0x5a; // Z_DATA_ERROR
  const corrupt = join(dir, 'corrupt.perf.data.gz');
  writeFileSync(corrupt, flipped);
  const pipe = join(dir, 'cut-pipe.perf.data.gz'); // pipe mode: read in one pass over the stream
  writeFileSync(pipe, readFileSync(join(REAL, 'linux-forkexec-pipe.perf.data.gz')).subarray(0, 40_000));
  for (const path of [cut, corrupt, pipe]) {
    for (const args of [
      ['validate', path],
      ['replay', path, '-o', join(dir, 'out')],
    ]) {
      const r = await capture(() => main(args));
      t.equal(r.code, 2, `${args[0]} ${path}: exit 2`);
      t.match(r.stderr, new RegExp(`^vmreplay: ${path.replaceAll('.', '\\.')}: .*(corrupt|truncated)`), 'names the file');
      t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  }
});
