// Running the SQL given to `vmreplay query` (on its command line, from a file
// or standard input, or typed at its --shell prompt): statement by statement,
// each result printed in the chosen format.

import { type DuckDBConnection, StatementType } from '@duckdb/node-api';
import { UsageError } from '../common/errors.js';
import { renderResult, type OutputFormat, type RenderOptions, type Write } from '../report/render/results.js';
import { firstLine } from '../store/database.js';

/**
 * Run each statement of `sql` in order and print each one's result: DuckDB
 * would give the last one's alone. In the table format each result after the
 * first is headed by its statement; CSV results are separated by a blank line,
 * JSON results are arrays one after the other. Statements that return no
 * columns (SET, ...) print nothing.
 */
export async function runStatements(connection: DuckDBConnection, sql: string, format: OutputFormat, options: RenderOptions, write: Write): Promise<void> {
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
