// `npm run bench`: throughput and memory, measured and printed with the ratio
// to each target, never asserted. For each trace size it generates a DragonFly
// fork/exec trace (8 CPUs, dtrace framing), then measures on that file, each
// in a fresh process (bench/rss.ts) so every peak RSS is its own:
//   wc -l                  the floor for touching every line
//   duckdb read_csv        DuckDB loading the same lines into a table
//   read                   our reader alone (sorted event batches)
//   validate               `vmreplay validate` (read and check)
//   ingest+replay          every model, tables discarded
//   replay -o OUT          the whole command, default outputs (Parquet + DuckDB)
// and writes bench/results.json with the machine (cores, memory, Node).
//
//   npm run bench [-- --events N[,N...]] [--dir DIR] [--steps S,...] [--pairs P] [--store]
//
// Each figure is the whole process, start-up included: what a user waits for.
// The ratios to DuckDB are paired: `replay -o` and `validate` each run in turn
// with DuckDB's load (--pairs times, default 3), and the median of the
// pair-by-pair ratios is printed, so a machine whose speed drifts still gives
// a meaningful ratio.
//
// --events picks the sizes (default 1M, 10M and 50M events); --dir keeps the
// generated traces there and reuses them; --steps runs some of duckdb, wc,
// read, validate, ingest+replay, replay (default all); --out writes the
// results elsewhere than bench/results.json; --store adds bench/store.ts.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../src/common/paths.js';
import type { Measurement } from './rss.js';
import { benchStore } from './store.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    dir: { type: 'string' },
    steps: { type: 'string' },
    out: { type: 'string' },
    store: { type: 'boolean' },
    pairs: { type: 'string' },
  },
});
const SIZES = (values.events ?? '1000000,10000000,50000000').split(',').map((s) => Number(s.replaceAll('_', '')));
if (SIZES.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--events: a comma-separated list of positive integers, not '${values.events}'`);
const ALL_STEPS = ['duckdb', 'wc', 'read', 'validate', 'ingest+replay', 'replay'];
const STEPS = values.steps?.split(',') ?? ALL_STEPS;
if (STEPS.some((s) => !ALL_STEPS.includes(s))) throw new Error(`--steps: some of ${ALL_STEPS.join(',')}, not '${values.steps}'`);

const PAIRS = Number(values.pairs ?? 3);
if (!Number.isInteger(PAIRS) || PAIRS < 1) throw new Error(`--pairs: a positive integer, not '${values.pairs}'`);
const ROOT = projectRoot();
const BIN = join(ROOT, 'bin', 'vmreplay.js');
const RSS = join(ROOT, 'dist', 'bench', 'rss.js');
const GIB = 1024 ** 3;

/** The targets of the performance issue, as ratios where 1 or more is met. */
const TARGETS = {
  /** replay -o against DuckDB's load, paired: at most 3x at 1M events, 4x from 10M */
  replayVsDuckdb: (events: number) => (events < 10_000_000 ? 3 : 4),
  ingestReplayEventsPerSec: 1e6,
  validateVsDuckdb: 2,
  peakRssBytes: GIB,
  rssGrowth: 0.1,
  outputVsInput: 0.35,
};

interface Step extends Measurement {
  readonly step: string;
  readonly events: number;
  readonly bytes: number;
}

interface SizeResult {
  /** median of the pair-by-pair ratios to DuckDB's load, whole processes */
  readonly paired: { readonly replay: number | null; readonly validate: number | null };
  readonly events: number;
  readonly trace: string;
  readonly bytes: number;
  readonly lines: number;
  readonly outputBytes: number;
  readonly steps: Step[];
}

/** Run `node args`; `seconds` is the whole process, start-up included, from spawn to exit. */
function child(args: string[]): Measurement {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - t0) / 1000;
  const line = r.stdout
    ?.split('\n')
    .reverse()
    .find((l) => l.startsWith('BENCH '));
  if (!line) throw new Error(`bench: ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  return { ...(JSON.parse(line.slice(6)) as Measurement), seconds };
}

function timed(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`bench: ${cmd} ${args.join(' ')} failed`);
  return (performance.now() - t0) / 1000;
}

function sizeOf(path: string): number {
  const s = statSync(path);
  return s.isDirectory() ? readdirSync(path).reduce((n, e) => n + sizeOf(join(path, e)), 0) : s.size;
}

const fmt = {
  rate: (n: number, s: number) => `${(n / s / 1e6).toFixed(2)} M/s`,
  mbps: (b: number, s: number) => `${(b / 1e6 / s).toFixed(0)} MB/s`,
  mb: (b: number) => `${(b / 1e6).toFixed(0)} MB`,
  n: (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n.toLocaleString()),
};

function trace(dir: string, events: number): string {
  const path = join(dir, `forkexec-${events}.dtrace`);
  if (existsSync(path)) return path;
  const t0 = performance.now();
  const part = path.replace(/\.dtrace$/, '.part.dtrace'); // the framing follows the extension
  const r = spawnSync(process.execPath, [BIN, 'synth', 'forkexec', '--cpus', '8', '--events', String(events), '--seed', '7', '-o', part], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('bench: synth failed');
  renameSync(part, path);
  console.log(`  generated ${path} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return path;
}

function measureSize(dir: string, events: number): SizeResult {
  const path = trace(dir, events);
  const bytes = statSync(path).size;
  const steps: Step[] = [];
  const add = (step: string, m: Measurement, count = m.count) => {
    const s = { step, events: count, bytes, ...m };
    steps.push(s);
    const rss = s.peakRssBytes ? fmt.mb(s.peakRssBytes) : '-';
    console.log(
      `  ${fmt.n(events).padStart(4)}  ${step.padEnd(15)} ${s.seconds.toFixed(2).padStart(8)} s  ${fmt.rate(count, s.seconds).padStart(10)}  ${fmt.mbps(bytes, s.seconds).padStart(9)}  ` +
        `cpu ${s.cpuSeconds.toFixed(1).padStart(6)} s (${fmt.rate(count, s.cpuSeconds).replace(' M/s', ' M per CPU-s')})  peak RSS ${rss.padStart(7)}`,
    );
    return s;
  };
  const want = (step: string) => STEPS.includes(step);
  let lines = 0;
  if (want('duckdb')) lines = add('duckdb read_csv', child([RSS, 'duckdb', path])).count;
  if (want('wc')) {
    const seconds = timed('wc', ['-l', path]);
    add('wc -l', { count: lines, seconds, cpuSeconds: seconds, peakRssBytes: 0, code: 0 });
  }
  const read = want('read') || want('validate') ? add('read', child([RSS, 'read', path])) : null;
  if (want('validate')) add('validate', child([RSS, 'cli', 'validate', path]), read!.count);
  if (want('ingest+replay')) add('ingest+replay', child([RSS, 'replay', path]));
  let outputBytes = 0;
  if (want('replay')) {
    const out = join(dir, `out-${events}`);
    rmSync(out, { recursive: true, force: true });
    const m = child([RSS, 'cli', 'replay', path, '-o', out]);
    if (m.code !== 0) throw new Error(`bench: replay exited ${m.code}`);
    // the events table has a row per event replayed
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { tables: Record<string, { rows: number }> };
    add('replay -o OUT', m, manifest.tables.events!.rows);
    outputBytes = sizeOf(out);
    rmSync(out, { recursive: true, force: true });
    console.log(`  ${fmt.n(events).padStart(4)}  output ${fmt.mb(outputBytes)} for ${fmt.mb(bytes)} of input (${((100 * outputBytes) / bytes).toFixed(0)}%)`);
  }
  const paired = {
    replay: want('replay') ? pairedRatio('replay -o OUT', () => replayOnce(dir, path)) : null,
    validate: want('validate') ? pairedRatio('validate', () => child([RSS, 'cli', 'validate', path])) : null,
  };
  return { events, trace: path, bytes, lines, outputBytes, steps, paired };

  /** Median of `PAIRS` ratios, each `a` against DuckDB's load run just after it. */
  function pairedRatio(name: string, a: () => Measurement): number {
    const ratios: number[] = [];
    for (let i = 0; i < PAIRS; i++) ratios.push(a().seconds / child([RSS, 'duckdb', path]).seconds);
    ratios.sort((x, y) => x - y);
    const median = ratios[Math.floor(ratios.length / 2)]!;
    console.log(
      `  ${fmt.n(events).padStart(4)}  ${name} / duckdb read_csv, paired: ${ratios.map((r) => `${r.toFixed(2)}x`).join(', ')} (median ${median.toFixed(2)}x)`,
    );
    return median;
  }
}

function replayOnce(dir: string, path: string): Measurement {
  const out = join(dir, 'out-paired');
  rmSync(out, { recursive: true, force: true });
  const m = child([RSS, 'cli', 'replay', path, '-o', out]);
  rmSync(out, { recursive: true, force: true });
  return m;
}

interface TargetRow {
  readonly target: string;
  readonly events: number;
  readonly measured: string;
  /** measured against the target: 1 or more is met */
  readonly ratio: number;
}

function targets(results: readonly SizeResult[]): TargetRow[] {
  const rows: TargetRow[] = [];
  const step = (r: SizeResult, name: string) => r.steps.find((s) => s.step === name);
  for (const r of results) {
    const whole = step(r, 'replay -o OUT');
    const replay = step(r, 'ingest+replay');
    const rate = (s: Step) => s.events / s.seconds;
    const row = (target: string, measured: string, ratio: number) => rows.push({ target, events: r.events, measured, ratio });
    const most = TARGETS.replayVsDuckdb(r.events);
    if (r.paired.replay !== null) row(`replay -o OUT <= ${most}x duckdb (paired)`, `${r.paired.replay.toFixed(2)}x`, most / r.paired.replay);
    if (replay) row('ingest+replay >= 1M events/s', fmt.rate(replay.events, replay.seconds), rate(replay) / TARGETS.ingestReplayEventsPerSec);
    if (r.paired.validate !== null)
      row(`validate <= ${TARGETS.validateVsDuckdb}x duckdb (paired)`, `${r.paired.validate.toFixed(2)}x`, TARGETS.validateVsDuckdb / r.paired.validate);
    if (whole) row('output <= 35% of input', `${((100 * r.outputBytes) / r.bytes).toFixed(0)}%`, (TARGETS.outputVsInput * r.bytes) / r.outputBytes);
    if (whole) row('peak RSS < 1 GiB', fmt.mb(whole.peakRssBytes), TARGETS.peakRssBytes / whole.peakRssBytes);
  }
  const at = (n: number) => results.find((r) => r.events === n);
  const small = at(10_000_000) ?? results[results.length - 2];
  const large = at(50_000_000) ?? results[results.length - 1];
  const a = small && step(small, 'replay -o OUT')?.peakRssBytes;
  const b = large && step(large, 'replay -o OUT')?.peakRssBytes;
  if (small && large && small !== large && a && b) {
    const growth = b / a - 1;
    rows.push({
      target: `peak RSS within 10% from ${fmt.n(small.events)} to ${fmt.n(large.events)}`,
      events: large.events,
      measured: `${growth >= 0 ? '+' : ''}${(100 * growth).toFixed(0)}%`,
      ratio: TARGETS.rssGrowth / Math.max(growth, 1e-9),
    });
  }
  return rows;
}

async function main(): Promise<void> {
  if (!existsSync(RSS)) throw new Error(`bench: ${RSS} is missing; run 'npm run build' first`);
  const keep = values.dir !== undefined;
  const dir = keep ? values.dir! : mkdtempSync(join(tmpdir(), 'vmreplay-bench-'));
  mkdirSync(dir, { recursive: true });
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? '?',
    memoryBytes: totalmem(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
  console.log(
    `vmreplay bench: forkexec traces (8 CPUs, dtrace) of ${SIZES.map(fmt.n).join(', ')} events; ${machine.cores} cores, ${fmt.mb(machine.memoryBytes)}, node ${machine.node}; ${dir}\n`,
  );
  const results: SizeResult[] = [];
  try {
    for (const events of SIZES) results.push(measureSize(dir, events));
    const rows = targets(results);
    console.log('\ntargets (ratio = measured against the target; 1 or more is met)');
    for (const r of rows) {
      console.log(
        `  ${r.target.padEnd(40)} ${fmt.n(r.events).padStart(4)}  ${r.measured.padStart(10)}  ${r.ratio.toFixed(2).padStart(6)}  ${r.ratio >= 1 ? 'met' : 'not met'}`,
      );
    }
    const file = values.out ?? join(ROOT, 'bench', 'results.json');
    writeFileSync(
      file,
      JSON.stringify({ date: new Date().toISOString(), machine, workload: 'synth forkexec --cpus 8 --seed 7, dtrace', results, targets: rows }, null, 2) + '\n',
    );
    console.log(`\nwritten ${file}`);
    if (values.store) {
      console.log('\nstore write options');
      await benchStore();
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
