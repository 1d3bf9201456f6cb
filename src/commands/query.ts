// `vmreplay query OUTDIR NAME|SQL`: print a canned view or table by name, or
// the result of any SQL, from a run's database (opened read-only); with
// neither, list what there is to query. A bad query or a missing run is one
// line on stderr and exit 2 (via UsageError / InputError), never a stack trace.
// A dataset's database (`replay --dataset ... -o OUT`) is queried the same way:
// its tables and views have a `trace` column; the views over time are per
// trace, in OUT/trace=NAME.

import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { RunDatabase } from '../store/run-database.js';
import { OUTPUT_FORMATS, DEFAULT_TABLE_ROWS, type Write } from '../report/render/results.js';
import { runStatements } from './statements.js';
import { shell } from './query-shell.js';
import { ident } from '../store/sql.js';
import { VIEWS, VIEW_NAMES } from '../store/views.js';
import { STANDARD_TABLES } from '../store/store.js';
import { wrap } from '../report/render/wrap.js';
import { terminalWidth } from './console.js';
import { number, oneOf, parse } from './args.js';
import { InputError, UsageError } from '../common/errors.js';
import { commandLine } from '../common/invocation.js';
import { didYouMean } from './suggest.js';

const USAGE = `usage: vmreplay query OUTDIR [NAME|SQL|-] [-f FILE.sql] [--shell] [--format table|csv|json] [--max-rows N]
  OUTDIR          a run directory, or a dataset (vmreplay replay --dataset ... -o OUT): every table
                  and view then has a trace column (the views over time are per trace: query
                  OUT/trace=NAME, one trace's own run, for them)
  (nothing)       list the run's tables and views, one line each on what they hold
  NAME            a canned view (${VIEW_NAMES.join(', ')}) or a table (events, acquisitions, faults, ...)
  SQL             any SQL on the run's database (docs/tables.md lists every table, view and column);
                  several statements (;) print one result each, in order
  -               the SQL from standard input
  -f FILE.sql     the SQL from a file
  --shell         a prompt: SQL up to a ; runs, .tables lists the tables and views, .mode table|csv|json,
                  .help, .quit (reads standard input when it is not a terminal)
  --format        table (default: aligned text, addresses in hex, split into pages of columns when wider
                  than the terminal), csv, or json (an array of objects; addresses as decimal strings;
                  several statements: one array each, one after the other)
  --max-rows N    rows the table format shows (default ${DEFAULT_TABLE_ROWS})`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { format: { type: 'string' }, 'max-rows': { type: 'string' }, file: { type: 'string', short: 'f' }, shell: { type: 'boolean' } },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const [outDir, ...words] = positionals;
  if (outDir === undefined) throw new UsageError(`give a run directory, and a view name or SQL\n${USAGE}`);
  const format = oneOf(values.format, OUTPUT_FORMATS, '--format', 'table');
  const maxRows = number(values['max-rows'], '--max-rows', DEFAULT_TABLE_ROWS);
  if (values.shell && (words.length > 0 || values.file !== undefined)) throw new UsageError('--shell reads its SQL at the prompt: give no SQL with it');
  const text = values.shell ? '' : await queryText(words, values.file);

  const db = await RunDatabase.open(outDir);
  process.stdout.on('error', quietOnClosedPipe);
  try {
    if (values.shell) {
      await shell(db.connection, format, { maxRows, width: terminalWidth() }, write);
      return 0;
    }
    if (text === '') {
      await write(await listing(db.connection, terminalWidth()));
      return 0;
    }
    const sql = await sqlFor(db.connection, text);
    // Pages of columns on a terminal; a pipe or a file gets whole rows (for `less -S`, a script).
    await runStatements(db.connection, sql, format, { maxRows, width: process.stdout.isTTY ? terminalWidth() : Infinity }, write);
    return 0;
  } finally {
    process.stdout.off('error', quietOnClosedPipe);
    db.close();
  }
}

/** The query: the words on the command line, `-` for standard input, or the file of -f; '' lists what there is. */
async function queryText(words: readonly string[], file: string | undefined): Promise<string> {
  const given = words.join(' ').trim();
  if (file !== undefined) {
    if (given !== '') throw new UsageError(`give the SQL either on the command line or with -f, not both`);
    try {
      return nonEmpty((await readFile(file, 'utf8')).trim(), file);
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(file, 0, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (given !== '-') return given;
  let sql = '';
  for await (const chunk of process.stdin) sql += String(chunk);
  return nonEmpty(sql.trim(), 'standard input');
}

function nonEmpty(sql: string, from: string): string {
  if (sql === '') throw new UsageError(`no SQL in ${from}`);
  return sql;
}

/** `vmreplay query ... | head`: the reader went away, which is not an error. */
function quietOnClosedPipe(e: NodeJS.ErrnoException): void {
  if (e.code !== 'EPIPE') throw e;
  process.exit(0);
}

const MODELS_DOC = 'The models of the run in the order given; the first is the baseline of every saved_* figure';
const TRACES_DOC = 'The traces of a dataset: partition name (the trace column of every table) and input file';

/** The run's tables (with their rows) and views, one line each: the first sentence of what the docs say they hold. */
async function listing(connection: DuckDBConnection, width: number): Promise<string> {
  const found = (await connection.runAndReadAll(`SELECT DISTINCT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name`))
    .getRows()
    .map((r) => r[0] as string);
  const docs = new Map<string, string>([...STANDARD_TABLES.map((t) => [t.name, t.doc] as const), ['models', MODELS_DOC], ['traces', TRACES_DOC]]);
  const viewDocs = new Map(VIEWS.map((v) => [v.name, v.doc] as const));
  const tables = [...docs.keys(), ...found.filter((n) => !docs.has(n) && !viewDocs.has(n))].filter((n) => found.includes(n));
  const views = VIEW_NAMES.filter((n) => found.includes(n));
  const rows: [string, bigint | string, string][] = [];
  for (const name of tables) {
    const count = (await connection.runAndReadAll(`SELECT count(*) FROM ${ident(name)}`)).getRows()[0]![0] as bigint;
    rows.push([name, count, docs.get(name) ?? '']);
  }
  const traces = found.includes('traces') ? await datasetTraces(connection) : null;
  const nameWidth = Math.max(...[...tables, ...views].map((n) => n.length));
  const fit = (doc: string, used: number) => oneLine(doc, width - used);
  let out = '';
  if (traces) {
    out +=
      wrap(
        `a dataset of ${traces.length} trace${traces.length === 1 ? '' : 's'} (${traces.join(', ')}): every table and view has a trace column; one trace alone, and its views over time: ${commandLine('query OUT/trace=NAME')}`,
        width,
      ) + '\n';
  }
  out += `tables (${commandLine('query OUT NAME')} prints one; docs/tables.md has every column)\n`;
  const rowsWidth = Math.max(4, ...rows.map((r) => String(r[1]).length));
  for (const [name, count, doc] of rows)
    out += `  ${name.padEnd(nameWidth)}  ${String(count).padStart(rowsWidth)} rows  ${fit(doc, 2 + nameWidth + 2 + rowsWidth + 7)}\n`;
  out += `\nviews (canned queries: ${commandLine('query OUT NAME')})\n`;
  for (const name of views) out += `  ${name.padEnd(nameWidth)}  ${fit(viewDocs.get(name) ?? '', 2 + nameWidth + 2)}\n`;
  return out;
}

/** A dataset's trace names, in its order. */
async function datasetTraces(connection: DuckDBConnection): Promise<string[]> {
  return (await connection.runAndReadAll('SELECT trace FROM traces')).getRows().map((r) => String(r[0]));
}

/** The first sentence of `doc`, cut to `room` characters. */
function oneLine(doc: string, room: number): string {
  const first = doc.split(/(?<=[.:;])\s/)[0]!.replace(/[.:;]$/, '');
  const max = Math.max(room, 20);
  return first.length <= max ? first : first.slice(0, max - 1) + '…';
}

/** A bare name is a table or view to print whole; anything else is SQL. */
async function sqlFor(connection: DuckDBConnection, text: string): Promise<string> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) return text;
  const known = (await connection.runAndReadAll(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'`))
    .getRows()
    .map((r) => r[0] as string);
  if (!known.includes(text)) {
    if (known.includes('traces') && VIEW_NAMES.includes(text)) {
      const traces = await datasetTraces(connection);
      throw new UsageError(
        `'${text}' is per trace in a dataset (its time buckets follow one trace's clock): ${commandLine(`query OUT/trace=NAME ${text}`)} (traces: ${traces.join(', ')})`,
      );
    }
    const near = didYouMean(text, [...VIEW_NAMES, ...known]);
    throw new UsageError(
      near
        ? `no table or view named '${text}'${near} (${commandLine('query OUT')} lists them)`
        : `no table or view named '${text}'; canned views: ${VIEW_NAMES.join(', ')}`,
    );
  }
  return `SELECT * FROM ${ident(text)}`;
}

/** Standard output, waiting when the pipe is full. */
export const write: Write = (text) => {
  if (!process.stdout.write(text)) return once(process.stdout, 'drain').then(() => {});
};
