import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { run } from '../../src/commands/synth.js';
import { readTrace } from '../helpers.js';
import { UsageError } from '../../src/common/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'vmreplay-synth-cli-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** Run the command with its messages captured. */
async function synth(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { out: (s) => (stdout += s), err: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

t.test('writes a gzipped ktrdump trace the readers take without a rejected line', async (t) => {
  const out = join(dir, 'fe.ktr.gz');
  const { code, stderr } = await synth('forkexec', '-o', out, '--events', '1500', '--cpus', '2', '--seed', '9');
  t.equal(code, 0);
  t.match(stderr, /synth: 15\d\d events \(forkexec, seed 9, 2 CPUs, new kernel/);
  const { rows, ingest } = await readTrace(out);
  const f = ingest.files[0]!;
  t.equal(f.format, 'ktr');
  t.equal(f.rejected, 0, JSON.stringify(f.rejects));
  t.equal(rows[0]!.name, 'vmtrace_synthetic');
  t.match(String(rows[0]!.extra), /workload=forkexec seed=9 cpus=2 kernel=new/);
  t.equal(new Set(rows.map((r) => r.cpu)).size, 2);
});

t.test('the framing follows the file name unless --trace-format says otherwise', async (t) => {
  const jsonl = join(dir, 'b.jsonl');
  t.equal((await synth('build', '-o', jsonl, '--events', '300', '--kernel', 'old', '--pressure', 'none')).code, 0);
  t.equal((await readTrace(jsonl)).ingest.files[0]!.format, 'jsonl');
  const dtrace = join(dir, 'server.txt');
  const forced = await synth('server', '-o', dtrace, '--events', '300', '--trace-format', 'dtrace');
  t.equal(forced.code, 0);
  t.notMatch(forced.stderr, /warning/);
  const { rows, ingest } = await readTrace(dtrace);
  t.equal(ingest.files[0]!.format, 'dtrace');
  t.equal(ingest.files[0]!.rejected, 0);
  t.match(String(rows[0]!.extra), /workload=server/);
  const old = await synth('server', '-o', join(dir, 'old.txt'), '--events', '300', '--format', 'ktr');
  t.equal(old.code, 0, 'the old spelling still works');
  t.match(old.stderr, /^vmreplay: warning: --format for the trace's framing is deprecated: say --trace-format ktr\n/);
  t.equal((await readTrace(join(dir, 'old.txt'))).ingest.files[0]!.format, 'ktr');
});

t.test('misuse is a usage error', async (t) => {
  const out = join(dir, 'x.jsonl');
  await t.rejects(synth('-o', out), UsageError, 'no workload');
  await t.rejects(synth('compile', '-o', out), UsageError, 'unknown workload');
  await t.rejects(synth('forkexec'), UsageError, 'no output');
  await t.rejects(synth('forkexec', '-o', out, '--cpus', '0'), UsageError);
  await t.rejects(synth('forkexec', '-o', out, '--events', 'many'), UsageError);
  await t.rejects(synth('forkexec', '-o', out, '--seed', '1.5'), UsageError);
  await t.rejects(synth('forkexec', '-o', out, '--kernel', 'future'), UsageError);
  await t.rejects(synth('forkexec', '-o', out, '--trace-format', 'perf'), UsageError, 'a framing nothing can write');
  await t.rejects(synth('forkexec', '-o', out, '--bogus'), UsageError);
});

t.test('--help prints the usage', async (t) => {
  const { code, stdout } = await synth('--help');
  t.equal(code, 0);
  t.match(stdout, /usage: vmreplay synth forkexec\|build\|server -o FILE/);
  t.match(stdout, /vmtrace_synthetic/);
});

t.test('-o x.zst writes zstd that the readers take back, event for event', async (t) => {
  const plain = join(dir, 'z.jsonl');
  t.equal((await synth('forkexec', '-o', plain, '--events', '2000', '--seed', '3')).code, 0);
  for (const name of ['z.jsonl.zst', 'z.jsonl.ZST']) {
    const path = join(dir, name);
    t.equal((await synth('forkexec', '-o', path, '--events', '2000', '--seed', '3')).code, 0);
    t.same([...readFileSync(path).subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd], `${name}: a zstd frame, not text`);
    t.same((await readTrace(path)).rows, (await readTrace(plain)).rows, `${name} reads as the plain file`);
  }
});

t.test('a zstd stream of many frames (one per block) reads whole', async (t) => {
  const { ZstdStream } = await import('../../src/synth/zstd-stream.js');
  const path = join(dir, 'frames.jsonl.zst');
  const text = readFileSync(join(dir, 'z.jsonl'));
  const z = new ZstdStream(4096);
  const file = (await import('node:fs')).createWriteStream(path);
  z.pipe(file);
  for (let i = 0; i < text.length; i += 1000) z.write(text.subarray(i, i + 1000));
  z.end();
  await (await import('node:stream/promises')).finished(file);
  const magic = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
  let frames = 0;
  for (let i = readFileSync(path).indexOf(magic); i >= 0; i = readFileSync(path).indexOf(magic, i + 1)) frames++;
  t.ok(frames > 10, `${frames} frames`);
  t.same((await readTrace(path)).rows, (await readTrace(join(dir, 'z.jsonl'))).rows);
});

t.test('-o x.csv writes CSV that the readers take back', async (t) => {
  const path = join(dir, 's.csv');
  const { code } = await synth('server', '-o', path, '--events', '400', '--seed', '4');
  t.equal(code, 0);
  t.match(readFileSync(path, 'utf8'), /^ts,cpu,event,tid,pid,va,/);
  const { rows, ingest } = await readTrace(path);
  const f = ingest.files[0]!;
  t.equal(f.format, 'csv');
  t.equal(f.rejected, 0, JSON.stringify(f.rejects));
  t.equal(rows[0]!.name, 'vmtrace_synthetic');
  t.match(String(rows[0]!.extra), /^workload=server seed=4 cpus=4 kernel=new/);
  const gz = join(dir, 's.csv.gz');
  t.equal((await synth('server', '-o', gz, '--events', '400', '--seed', '4')).code, 0);
  const again = await readTrace(gz);
  t.equal(again.ingest.files[0]!.format, 'csv');
  t.equal(again.rows.length, rows.length, 'gzipped CSV: the same events');
});
