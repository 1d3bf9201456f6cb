// `vmreplay query OUT --shell`: a prompt over the run's database, on the same
// read-only connection as `query`, in the manner of DuckDB's own shell: SQL up
// to a ';' runs and prints each statement's result; `.tables` lists the tables
// and views, `.mode table|csv|json` picks the output, `.help`, `.quit`. A
// failed statement prints its error and the prompt comes back. Without a
// terminal it reads the same commands from standard input, without prompts.

import { createInterface } from 'node:readline';
import type { DuckDBConnection } from '@duckdb/node-api';
import { OUTPUT_FORMATS, type OutputFormat, type RenderOptions, type Write } from '../report/render/results.js';
import { wrap } from '../report/render/wrap.js';
import { runStatements } from './statements.js';
import { didYouMean } from './suggest.js';

const COMMANDS = ['.tables', '.mode', '.help', '.quit', '.exit'];

const HELP = `.tables            the tables and views of the run
.mode table|csv|json  how results are printed (now: MODE)
.help               this help
.quit, .exit        leave (so does Ctrl-D)
SQL ending in ;     run it (several statements: a result each); docs/tables.md has every column
`;

export async function shell(connection: DuckDBConnection, format: OutputFormat, options: RenderOptions & { width: number }, write: Write): Promise<void> {
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const lines = createInterface({ input: process.stdin, output: interactive ? process.stdout : undefined, terminal: interactive });
  const error = (text: string) => void process.stderr.write(`vmreplay: ${text}\n`);
  let mode = format;
  let pending = '';
  const prompt = () => {
    if (!interactive) return;
    lines.setPrompt(pending === '' ? 'vmreplay> ' : '     ...> ');
    lines.prompt();
  };
  const run = async () => {
    const sql = pending;
    pending = '';
    try {
      await runStatements(connection, sql, mode, options, write);
    } catch (e) {
      error((e as Error).message);
    }
  };
  if (interactive) await write('vmreplay query shell: SQL ending in ; runs; .help for the rest\n');
  prompt();
  for await (const line of lines) {
    const text = line.trim();
    if (pending === '' && text.startsWith('.')) {
      const [command, ...args] = text.split(/\s+/);
      if (command === '.quit' || command === '.exit') break;
      if (command === '.tables') await write(wrap((await names(connection)).join('  '), options.width, ''));
      else if (command === '.help') await write(HELP.replace('MODE', mode));
      else if (command === '.mode') {
        const asked = args[0];
        if (asked === undefined) await write(`${mode}\n`);
        else if ((OUTPUT_FORMATS as readonly string[]).includes(asked)) mode = asked as OutputFormat;
        else error(`.mode takes one of ${OUTPUT_FORMATS.join(', ')} (got '${asked}')${didYouMean(asked, OUTPUT_FORMATS)}`);
      } else error(`unknown command ${command}${didYouMean(command!, COMMANDS)} (.help lists them)`);
    } else if (text !== '' || pending !== '') {
      pending += line + '\n';
      if (text.endsWith(';')) await run();
    }
    prompt();
  }
  lines.close();
  if (pending.trim() !== '') await run(); // the last statement of a script needs no ';'
}

async function names(connection: DuckDBConnection): Promise<string[]> {
  const rows = (await connection.runAndReadAll(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name`)).getRows();
  return rows.map((r) => String(r[0]));
}
