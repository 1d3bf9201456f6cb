// Fuzzing with a fixed seed: about 200 mutated traces across every framing
// (ktr, dtrace, jsonl, csv, perf text, perf.data) and compression (none,
// gzip, zstd), each validated, some strictly and some replayed. Every run
// must end with exit 0, 1 or 2 and a message, never a stack trace or an
// uncaught error, and leave nothing beside its output directory.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import t from 'tap';
import { main } from '../../src/cli.js';
import { Rng } from '../../src/synth/rng.js';
import { capture, fixture, ROOT } from '../helpers.js';

const SEED = 20261208;
const CASES = 200;
const REAL = join(ROOT, 'traces', 'real');

interface Base {
  readonly name: string;
  readonly bytes: Buffer;
  readonly binary: boolean;
  /** already compressed: mutated as it is (its compression is part of what is fuzzed) */
  readonly compressed?: boolean;
}

const perfText = gunzipSync(readFileSync(join(REAL, 'linux-forkexec-pipe.perf.txt.gz')))
  .toString('latin1')
  .split('\n')
  .slice(0, 1500)
  .join('\n');
const BASES: readonly Base[] = [
  { name: 'basic.ktr', bytes: readFileSync(fixture('basic.ktr')), binary: false },
  { name: 'kit-dragonfly.ktr', bytes: readFileSync(fixture('kit-dragonfly.ktr')), binary: false },
  { name: 'basic.dtrace', bytes: readFileSync(fixture('basic.dtrace')), binary: false },
  { name: 'basic-records.dtrace', bytes: readFileSync(fixture('basic-records.dtrace')), binary: false },
  { name: 'basic.jsonl', bytes: readFileSync(fixture('hostile-names.jsonl')), binary: false },
  { name: 'basic.csv', bytes: readFileSync(fixture('basic.csv')), binary: false },
  { name: 'pipe.perf.txt', bytes: Buffer.from(perfText, 'latin1'), binary: false },
  { name: 'zstd.perf.data', bytes: readFileSync(join(REAL, 'linux-forkexec-zstd.perf.data')), binary: true },
  { name: 'basic.dtrace.zst', bytes: readFileSync(fixture('basic.dtrace.zst')), binary: true, compressed: true },
  { name: 'pipe.perf.data.gz', bytes: readFileSync(join(REAL, 'linux-forkexec-pipe.perf.data.gz')), binary: true, compressed: true },
];

/** Bytes a hostile or broken trace holds. */
const NASTY = ['\0', '\x1b[2J', '\x07', '\r', '\n', '\ufeff', '"', '{', ',', '=', '99999999999999999999', '-1', '0x', 'ÿ', '\u202e'];

type Mutation = (rng: Rng, b: Buffer, binary: boolean) => Buffer;

const pick = <T>(rng: Rng, list: readonly T[]): T => list[rng.u32() % list.length]!;
const at = (rng: Rng, b: Buffer): number => (b.length === 0 ? 0 : rng.u32() % b.length);

const MUTATIONS: readonly (readonly [string, Mutation])[] = [
  [
    'flip bytes',
    (rng, b) => {
      const out = Buffer.from(b);
      for (let k = 1 + (rng.u32() % 8); k > 0; k--) out[at(rng, out)] = rng.u32() & 0xff;
      return out;
    },
  ],
  [
    'cut a range',
    (rng, b) => {
      const from = at(rng, b);
      return Buffer.concat([b.subarray(0, from), b.subarray(Math.min(b.length, from + 1 + (rng.u32() % 400)))]);
    },
  ],
  ['truncate', (rng, b) => b.subarray(0, at(rng, b))],
  [
    'insert nasty text',
    (rng, b) => {
      const where = at(rng, b);
      const text = Array.from({ length: 1 + (rng.u32() % 4) }, () => pick(rng, NASTY)).join('');
      return Buffer.concat([b.subarray(0, where), Buffer.from(text), b.subarray(where)]);
    },
  ],
  [
    'shuffle lines',
    (rng, b, binary) => {
      if (binary) return Buffer.concat([b.subarray(at(rng, b)), b.subarray(0, at(rng, b))]);
      const lines = b.toString('latin1').split('\n');
      for (let k = 0; k < 5 && lines.length > 1; k++) {
        const i = rng.u32() % lines.length;
        const j = rng.u32() % lines.length;
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      }
      return Buffer.from(lines.join('\n'), 'latin1');
    },
  ],
  [
    'huge numbers',
    (rng, b, binary) => {
      if (binary) return Buffer.concat([b.subarray(0, 64), Buffer.alloc(64, 0xff), b.subarray(128)]);
      let n = 0;
      return Buffer.from(
        b
          .toString('latin1')
          .replace(/\d{2,}/g, (m) => (n++ % 7 === rng.u32() % 7 ? pick(rng, ['18446744073709551616', '9223372036854775808', '9007199254740993', '-' + m]) : m)),
        'latin1',
      );
    },
  ],
  [
    'line endings',
    (rng, b, binary) =>
      binary
        ? Buffer.from(b.toString('latin1').replaceAll('\n', '\r'), 'latin1')
        : Buffer.from(b.toString('latin1').replaceAll('\n', pick(rng, ['\r', '\r\n', '\n\n'])), 'latin1'),
  ],
];

/** Any raw control character but the newline: the terminal would act on it. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f]/;
const STACK = /\n\s+at |Error: .*\n.*node:internal|uncaught/i;

const dir = t.testdir();
const rng = new Rng(SEED);
const cases = Array.from({ length: CASES }, (_, i) => {
  const base = BASES[i % BASES.length]!;
  const [mutation, mutate] = pick(rng, MUTATIONS);
  let bytes = mutate(rng, base.bytes, base.binary);
  const gzip = !base.compressed && rng.u32() % 3 === 0;
  if (gzip) bytes = gzipSync(bytes);
  const path = join(dir, `case${i}-${base.name}${gzip ? '.gz' : ''}`);
  writeFileSync(path, bytes);
  return { i, path, what: `case ${i}: ${base.name}${gzip ? ' (gzip)' : ''}, ${mutation}` };
});

t.test(`${CASES} mutated traces (seed ${SEED}): exit 0, 1 or 2, a message, never a stack trace`, async (t) => {
  const started = Date.now();
  for (const c of cases) {
    const runs: string[][] = [['validate', c.path]];
    if (c.i % 2 === 1) runs.push(['validate', '--strict', c.path]);
    if (c.i % 8 === 0) runs.push(['replay', c.path, '-o', join(dir, `out${c.i}`), '--models', 'old,new']);
    for (const args of runs) {
      let r;
      try {
        r = await capture(() => main(args));
      } catch (e) {
        t.fail(`${c.what}, ${args[0]}${args[1] === '--strict' ? ' --strict' : ''}: uncaught ${(e as Error).stack}`);
        continue;
      }
      const said = r.stdout + r.stderr;
      const label = `${c.what}, ${args.slice(0, 2).join(' ')}`;
      if (![0, 1, 2].includes(r.code)) t.fail(`${label}: exit ${r.code}`);
      if (args[0] === 'replay' && r.code === 1) t.fail(`${label}: replay exits 0 or 2`);
      if (STACK.test(said)) t.fail(`${label}: a stack trace\n${r.stderr}`);
      if (RAW_CONTROL.test(said)) t.fail(`${label}: a raw control character on the terminal`);
      if (r.code === 2 && !/^vmreplay: \S/m.test(r.stderr)) t.fail(`${label}: exit 2 without a message`);
    }
  }
  const left = readdirSync(dir).filter((n) => n.includes('.vmreplay-'));
  t.same(left, [], 'nothing left beside the output directories');
  t.pass(`${cases.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
