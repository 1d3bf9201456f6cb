// `vmreplay query OUTDIR NAME|SQL`: print a canned view or table by name, or
// the result of any SQL, from a run's database (opened read-only); with
// neither, list what there is to query. A bad query or a missing run is one
// line on stderr and exit 2 (via UsageError / InputError), never a stack trace.
// A dataset's database (`replay --dataset ... -o OUT`) is queried the same way:
// its tables and views have a `trace` column; the views over time are per
// trace, in OUT/trace=NAME.

import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { type DuckDBConnection, StatementType } from '@duckdb/node-api';
import { firstLine, RunDatabase } from '../store/database.js';
import { renderResult, OUTPUT_FORMATS, DEFAULT_TABLE_ROWS, type OutputFormat, type RenderOptions } from '../report/results.js';
import { ident } from '../store/sql.js';
import { VIEWS, VIEW_NAMES } from '../store/views.js';
import { STANDARD_TABLES } from '../store/store.js';
import { textTable } from '../report/text-table.js';
import { wrap } from '../report/wrap.js';
import { terminalWidth } from './console.js';
import { number, oneOf, parse } from './args.js';
import { InputError, UsageError } from '../common/errors.js';
import { commandLine } from '../common/invocation.js';
import { didYouMean } from './suggest.js';

const USAGE = `usage: vmreplay query OUTDIR [NAME|SQL|-] [-f FILE.sql] [--format table|csv|json] [--max-rows N]
  OUTDIR          a run directory, or a dataset (vmreplay replay --dataset ... -o OUT): every table
                  and view then has a trace column (the views over time are per trace: query
                  OUT/trace=NAME, one trace's own run, for them)
  (nothing)       list the run's tables and views, one line each on what they hold
  NAME            a canned view (${VIEW_NAMES.join(', ')}) or a table (events, acquisitions, faults, ...)
  SQL             any SQL on the run's database (docs/tables.md lists every table, view and column);
                  several statements (;) print one result each, in order
  -               the SQL from standard input
  -f FILE.sql     the SQL from a file
  --format        table (default: aligned text, addresses in hex, split into pages of columns when wider
                  than the terminal), csv, or json (an array of objects; addresses as decimal strings;
                  several statements: one array each, one after the other)
  --max-rows N    rows the table format shows (default ${DEFAULT_TABLE_ROWS})`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { format: { type: 'string' }, 'max-rows': { type: 'string' }, file: { type: 'string', short: 'f' } }, USAGE);
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const [outDir, ...words] = positionals;
  if (outDir === undefined) throw new UsageError(`give a run directory, and a view name or SQL\n${USAGE}`);
  const format = oneOf(values.format, OUTPUT_FORMATS, '--format', 'table');
  const maxRows = number(values['max-rows'], '--max-rows', DEFAULT_TABLE_ROWS);
  const text = await queryText(words, values.file);

  const db = await RunDatabase.open(outDir);
  process.stdout.on('error', quietOnClosedPipe);
  try {
    if (text === '') {
      await write(await listing(db.connection, terminalWidth()));
      return 0;
    }
    const sql = await sqlFor(db.connection, text);
    // Pages of columns on a terminal; a pipe or a file gets whole rows (for `less -S`, a script).
    await runStatements(db.connection, sql, format, { maxRows, width: process.stdout.isTTY ? terminalWidth() : Infinity });
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

/**
 * Run each statement of `sql` in order and print each one's result: DuckDB
 * would give the last one's alone. In the table format each result after the
 * first is headed by its statement; CSV results are separated by a blank line,
 * JSON results are arrays one after the other. Statements that return no
 * columns (SET, ...) print nothing.
 */
async function runStatements(connection: DuckDBConnection, sql: string, format: OutputFormat, options: RenderOptions): Promise<void> {
  const failed = (e: unknown, which: string) => new UsageError(`query failed${which}: ${firstLine((e as Error).message)}`);
  let statements;
  try {
    statements = await connection.extractStatements(sql);
  } catch (e) {
    throw failed(e, '');
  }
  const several = statements.count > 1;
  const texts = statementTexts(sql);
  let printed = 0;
  for (let i = 0; i < statements.count; i++) {
    const which = several ? ` (statement ${i + 1} of ${statements.count})` : '';
    let result;
    let type;
    try {
      const prepared = await statements.prepare(i);
      type = prepared.statementType;
      result = await prepared.stream();
    } catch (e) {
      throw failed(e, which);
    }
    if (several && NO_ROWS.has(type)) continue;
    if (printed > 0 && format !== 'json') await write('\n');
    if (several && format === 'table') {
      // The statement's text when the split below agrees with DuckDB's, else its number alone.
      const text = texts.length === statements.count ? `: ${cut(texts[i]!, 100)}` : '';
      await write(`-- ${i + 1} of ${statements.count}${text}\n`);
    }
    try {
      await renderResult(result, format, write, options);
    } catch (e) {
      throw failed(e, which);
    }
    printed++;
  }
}

/** Statements whose result is only DuckDB's "Success": among several, nothing is printed for them. */
const NO_ROWS: ReadonlySet<StatementType> = new Set([
  StatementType.SET,
  StatementType.VARIABLE_SET,
  StatementType.TRANSACTION,
  StatementType.LOAD,
  StatementType.ATTACH,
  StatementType.DETACH,
  StatementType.PREPARE,
  StatementType.CREATE,
  StatementType.CREATE_FUNC,
  StatementType.DROP,
  StatementType.ALTER,
]);

/** The statements of `sql` as one-line texts, for headings: split at semicolons outside quotes and line comments. */
function statementTexts(sql: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"') i = sql.indexOf(c, i + 1) < 0 ? sql.length : sql.indexOf(c, i + 1);
    else if (c === '-' && sql[i + 1] === '-') i = sql.indexOf('\n', i) < 0 ? sql.length : sql.indexOf('\n', i);
    else if (c === ';') {
      parts.push(sql.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(sql.slice(start));
  return parts.map((p) => p.replace(/\s+/g, ' ').trim()).filter((p) => p !== '');
}

const cut = (text: string, max: number): string => (text.length <= max ? text : text.slice(0, max - 1) + '…');

/** `vmreplay query ... | head`: the reader went away, which is not an error. */
function quietOnClosedPipe(e: NodeJS.ErrnoException): void {
  if (e.code !== 'EPIPE') throw e;
  process.exit(0);
}

const MODELS_DOC = 'The models of the run in the order given; the first is the baseline of every saved_* figure';
const TRACES_DOC = 'The traces of a dataset: partition name (the trace column of every table) and input file';

/** The run's tables (with their rows) and views, one line each: the first sentence of what the docs say they hold. */
async function listing(connection: DuckDBConnection, width: number): Promise<string> {
  const found = (await connection.runAndReadAll(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name`)).getRows().map((r) => r[0] as string);
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
    out += wrap(`a dataset of ${traces.length} trace${traces.length === 1 ? '' : 's'} (${traces.join(', ')}): every table and view has a trace column; one trace alone, and its views over time: ${commandLine('query OUT/trace=NAME')}`, width) + '\n';
  }
  out += `tables (${commandLine('query OUT NAME')} prints one; docs/tables.md has every column)\n`;
  const rowsWidth = Math.max(4, ...rows.map((r) => String(r[1]).length));
  for (const [name, count, doc] of rows) out += `  ${name.padEnd(nameWidth)}  ${String(count).padStart(rowsWidth)} rows  ${fit(doc, 2 + nameWidth + 2 + rowsWidth + 7)}\n`;
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
  const known = (await connection.runAndReadAll(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'`)).getRows().map((r) => r[0] as string);
  if (!known.includes(text)) {
    if (known.includes('traces') && VIEW_NAMES.includes(text)) {
      const traces = await datasetTraces(connection);
      throw new UsageError(`'${text}' is per trace in a dataset (its time buckets follow one trace's clock): ${commandLine(`query OUT/trace=NAME ${text}`)} (traces: ${traces.join(', ')})`);
    }
    const near = didYouMean(text, [...VIEW_NAMES, ...known]);
    throw new UsageError(near ? `no table or view named '${text}'${near} (${commandLine('query OUT')} lists them)` : `no table or view named '${text}'; canned views: ${VIEW_NAMES.join(', ')}`);
  }
  return `SELECT * FROM ${ident(text)}`;
}

function write(text: string): void | Promise<void> {
  if (!process.stdout.write(text)) return once(process.stdout, 'drain').then(() => {});
}
