// `npm run bench`: throughput and memory figures, printed with ratios, never
// asserted. Generates a multi-million-line DragonFly fork/exec trace in each
// framing, then measures: `wc -l` and DuckDB's read_csv over the same file (a
// floor for "reading lines"), our readers (events/s, MB/s), the replay of
// every model (events/s), memory at two trace sizes (bounded by live state,
// not length), a full replay into the store, and the store's write options.
//
//   npm run bench [-- --events N]      (default 2,000,000 events)

import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { Dictionaries } from '../src/columns/dictionaries.js';
import { Ingest } from '../src/ingest/open.js';
import type { FormatName } from '../src/ingest/framing.js';
import { writerFor } from '../src/ingest/registry.js';
import { MODELS } from '../src/models/index.js';
import type { TableOutput } from '../src/replay/output.js';
import { replayTraces } from '../src/replay/run.js';
import { openStore } from '../src/store/index.js';
import { generate } from '../src/synth/generate.js';
import { openOutput, TextSink } from '../src/synth/sink.js';
import { benchStore } from './store.js';

const { values } = parseArgs({ options: { events: { type: 'string' } } });
const EVENTS = Number(values.events ?? 2_000_000);
const FORMATS: FormatName[] = ['ktr', 'dtrace', 'jsonl'];
const NULL_OUTPUT: TableOutput = { write() {}, async flush() {} };
const knobs = { sharedFault: true };

const rate = (n: number, secs: number): string => `${(n / secs / 1e6).toFixed(2)} M/s`;
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const time = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const r = await f();
  return [r, (performance.now() - t0) / 1000];
};

async function synth(path: string, format: FormatName, events: number): Promise<number> {
  const out = openOutput(path);
  const sink = new TextSink(out.stream, writerFor(format));
  const s = await generate({ workload: 'forkexec', cpus: 8, events, seed: 7, kernel: 'new' }, sink);
  await sink.end();
  await out.close();
  return s.events;
}

async function readOnly(path: string): Promise<number> {
  const ingest = new Ingest();
  let n = 0;
  for await (const b of ingest.events([path])) n += b.length;
  return n;
}

async function duckdbLines(path: string): Promise<number> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  // One VARCHAR column per line: a floor for any CSV-ish reading of the file.
  const r = await c.runAndReadAll(
    `select count(*) from read_csv('${path}', columns={'line':'VARCHAR'}, delim=e'\\x01', quote='', escape='', header=false, auto_detect=false)`,
  );
  c.closeSync();
  return Number(r.getRows()[0]![0]);
}

function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vmreplay-bench-'));
  console.log(`vmreplay bench: ${EVENTS.toLocaleString()} generated forkexec events, node ${process.version}, ${dir}\n`);
  try {
    const files: Record<string, string> = {};
    for (const f of FORMATS) {
      files[f] = join(dir, `trace.${f}`);
      const [n, secs] = await time(() => synth(files[f]!, f, EVENTS));
      console.log(`synth ${f.padEnd(6)} ${n.toLocaleString()} events in ${secs.toFixed(2)} s (${rate(n, secs)})`);
    }
    console.log('\nreading (same file, three ways)');
    for (const f of FORMATS) {
      const path = files[f]!;
      const bytes = (await stat(path)).size;
      const [, wcSecs] = await time(async () => execFileSync('wc', ['-l', path]));
      const [lines, duckSecs] = await time(() => duckdbLines(path));
      const [events, ourSecs] = await time(() => readOnly(path));
      console.log(
        `  ${f.padEnd(6)} ${mb(bytes)}, ${lines.toLocaleString()} lines: wc -l ${wcSecs.toFixed(2)} s; ` +
          `duckdb read_csv ${duckSecs.toFixed(2)} s (${rate(lines, duckSecs)} lines); ` +
          `vmreplay ${ourSecs.toFixed(2)} s = ${rate(events, ourSecs)} events, ${(bytes / 1e6 / ourSecs).toFixed(0)} MB/s ` +
          `(x${(ourSecs / wcSecs).toFixed(1)} wc, x${(ourSecs / duckSecs).toFixed(1)} duckdb)`,
      );
    }

    console.log('\nreplay, all models (old, new, new-fixed), tables discarded');
    const ktr = files.ktr!;
    const [run, replaySecs] = await time(() => replayTraces([ktr], { models: MODELS, knobs }, NULL_OUTPUT));
    const read = await time(() => readOnly(ktr));
    console.log(
      `  ${run.events.toLocaleString()} events, ${run.faultsReplayed.toLocaleString()} faults: ${replaySecs.toFixed(2)} s = ${rate(run.events, replaySecs)} ` +
        `(reading alone ${read[1].toFixed(2)} s; replay adds ${(replaySecs - read[1]).toFixed(2)} s for ${MODELS.length} models)`,
    );

    console.log('\nmemory: the same workload at 1x and 4x the length, each in a fresh process');
    const small = join(dir, 'small.ktr');
    const large = join(dir, 'large.ktr');
    await synth(small, 'ktr', Math.round(EVENTS / 4));
    await synth(large, 'ktr', EVENTS);
    for (const [label, path] of [
      ['1x', small],
      ['4x', large],
    ] as const) {
      const rss = execFileSync(process.execPath, [process.argv[1]!.replace(/bench\.js$/, 'rss.js'), path], { encoding: 'utf8' }).trim();
      console.log(`  ${label}: ${mb((await stat(path)).size)} trace, peak RSS ${rss}`);
    }

    console.log('\nfull replay into the store (Parquet + Arrow IPC + DuckDB)');
    const out = join(dir, 'out');
    const dicts = new Dictionaries();
    const store = await openStore(out, dicts);
    const [full, fullSecs] = await time(() => replayTraces([ktr], { models: MODELS, knobs }, store, dicts));
    const [summary, closeSecs] = await time(() => store.close({ inputs: [ktr], models: MODELS.map((m) => m.name), knobs: { shared_fault: 1 } }));
    const rows = Object.values(summary.rows).reduce((a, b) => a + b, 0);
    console.log(
      `  ${full.events.toLocaleString()} events -> ${rows.toLocaleString()} rows: replay+write ${fullSecs.toFixed(2)} s (${rate(full.events, fullSecs)} events), ` +
        `close (views, Parquet, manifest) ${closeSecs.toFixed(2)} s; end to end ${rate(full.events, fullSecs + closeSecs)} events, ${rate(rows, fullSecs + closeSecs)} rows`,
    );
    console.log(`  peak RSS of this process so far: ${mb(peakRss())}`);

    console.log('\nstore write options');
    await benchStore();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
