// `vmreplay query OUTDIR NAME|SQL`: print a canned view or table by name, or
// the result of any SQL, from a run's database (opened read-only). A bad
// query or a missing run is one line on stderr and exit 2 (via UsageError /
// InputError), never a stack trace.

import { once } from 'node:events';
import type { DuckDBConnection } from '@duckdb/node-api';
import { firstLine, RunDatabase } from '../store/database.js';
import { renderResult, OUTPUT_FORMATS, DEFAULT_TABLE_ROWS } from '../report/results.js';
import { ident } from '../store/sql.js';
import { VIEW_NAMES } from '../store/views.js';
import { number, oneOf, parse } from './args.js';
import { UsageError } from '../common/errors.js';

const USAGE = `usage: vmreplay query OUTDIR NAME|SQL [--format table|csv|json] [--max-rows N]
  NAME            a canned view (${VIEW_NAMES.join(', ')}) or a table (events, acquisitions, faults, ...)
  SQL             any SQL on the run's database (docs/tables.md lists every table, view and column)
  --format        table (default, aligned text), csv, or json (an array of objects; addresses as decimal strings)
  --max-rows N    rows the table format shows (default ${DEFAULT_TABLE_ROWS})`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { format: { type: 'string' }, 'max-rows': { type: 'string' } }, USAGE);
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const [outDir, ...words] = positionals;
  const text = words.join(' ').trim();
  if (outDir === undefined || text === '') throw new UsageError(`give a run directory and a view name or SQL\n${USAGE}`);
  const format = oneOf(values.format, OUTPUT_FORMATS, '--format', 'table');
  const maxRows = number(values['max-rows'], '--max-rows', DEFAULT_TABLE_ROWS);

  const db = await RunDatabase.open(outDir);
  process.stdout.on('error', quietOnClosedPipe);
  try {
    const sql = await sqlFor(db.connection, text);
    try {
      const result = await db.connection.stream(sql);
      await renderResult(result, format, write, { maxRows });
    } catch (e) {
      throw new UsageError(`query failed: ${firstLine((e as Error).message)}`);
    }
    return 0;
  } finally {
    process.stdout.off('error', quietOnClosedPipe);
    db.close();
  }
}

/** `vmreplay query ... | head`: the reader went away, which is not an error. */
function quietOnClosedPipe(e: NodeJS.ErrnoException): void {
  if (e.code !== 'EPIPE') throw e;
  process.exit(0);
}

/** A bare name is a table or view to print whole; anything else is SQL. */
async function sqlFor(connection: DuckDBConnection, text: string): Promise<string> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) return text;
  const known = (await connection.runAndReadAll(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'`)).getRows().map((r) => r[0] as string);
  if (!known.includes(text)) throw new UsageError(`no table or view named '${text}'; canned views: ${VIEW_NAMES.join(', ')}`);
  return `SELECT * FROM ${ident(text)}`;
}

function write(text: string): void | Promise<void> {
  if (!process.stdout.write(text)) return once(process.stdout, 'drain').then(() => {});
}
