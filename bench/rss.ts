// One measurement of `npm run bench`, run by bench.ts in a fresh process so
// that each peak RSS is its own. Prints one line, `BENCH {json}`, last on
// standard output: events (or lines), wall seconds, CPU seconds of every
// thread (DuckDB's included) and the process's peak RSS in bytes.
//
//   node dist/bench/rss.js read TRACE       our reader alone (ingest, sorted batches)
//   node dist/bench/rss.js replay TRACE     ingest + replay of every model, tables discarded
//   node dist/bench/rss.js duckdb TRACE     DuckDB read_csv of the file's lines into a table
//   node dist/bench/rss.js cli ARGS...      the command line itself (vmreplay ARGS...)

// Each mode loads only what it runs, so that its CPU-seconds do not count
// loading DuckDB or the replay for a step that uses neither. Wall time starts
// once the mode's modules are loaded (`started`), as it always has; CPU-seconds
// count the whole process.

export interface Measurement {
  /** events read or replayed (lines for duckdb; 0 for cli, whose count bench.ts knows) */
  readonly count: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
  /** the command's exit code (cli) */
  readonly code: number;
}

let wall = 0;
const started = () => (wall = performance.now());

async function measure(mode: string, args: string[]): Promise<{ count: number; code: number }> {
  switch (mode) {
    case 'read': {
      const { Ingest } = await import('../src/ingest/open.js');
      started();
      const ingest = new Ingest();
      let n = 0;
      for await (const b of ingest.events(args)) n += b.length;
      return { count: n, code: 0 };
    }
    case 'replay': {
      const [{ MODELS }, { replayTraces }, { resolveReplayOptions }] = await Promise.all([
        import('../src/models/index.js'),
        import('../src/replay/run.js'),
        import('../src/replay/options.js'),
      ]);
      started();
      const run = await replayTraces(
        args,
        { ...resolveReplayOptions({ models: MODELS }), worker: true },
        { write() {}, async flush() {}, releasesBatches: true },
      );
      return { count: run.events, code: 0 };
    }
    case 'duckdb': {
      const [{ DuckDBInstance }, { literal }] = await Promise.all([import('@duckdb/node-api'), import('../src/store/sql.js')]);
      started();
      const db = await DuckDBInstance.create(':memory:');
      const con = await db.connect();
      // One VARCHAR per line, loaded into a table: what "DuckDB reads the lines" means here.
      await con.run(
        `CREATE TABLE lines AS SELECT * FROM read_csv(${literal(args[0]!)}, columns={'line':'VARCHAR'}, delim=e'\\x01', quote='', escape='', header=false, auto_detect=false)`,
      );
      const n = Number((await con.runAndReadAll('SELECT count(*) FROM lines')).getRows()[0]![0]);
      con.closeSync();
      db.closeSync();
      return { count: n, code: 0 };
    }
    case 'cli': {
      const { main } = await import('../src/cli.js');
      started();
      return { count: 0, code: await main(args) };
    }
    default:
      throw new Error(`bench/rss: unknown mode '${mode}'`);
  }
}

const [mode = '', ...args] = process.argv.slice(2);
const { count, code } = await measure(mode, args);
const cpu = process.cpuUsage();
const m: Measurement = {
  count,
  seconds: (performance.now() - wall) / 1000,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  peakRssBytes: process.resourceUsage().maxRSS * 1024,
  code,
};
process.stdout.write(`\nBENCH ${JSON.stringify(m)}\n`);
