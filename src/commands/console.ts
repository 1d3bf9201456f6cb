// Where a command's words go. Standard output carries results only when it
// is not a terminal (a pipe or a file gets the figures or rows and nothing
// else); everything said along the way (what is being done, where the files
// went, progress) goes to standard error then. `--quiet` (any command) keeps
// errors, and the data a command was asked to write, and nothing else.
// What is said (not data) has its control characters escaped: it quotes traces.

import { terminalText } from '../common/printable.js';

let quiet = false;
/** Set when standard output carries a document (`--json`): then nothing else may go there. */
let stdoutIsData = false;

/** Set by the command line's global `--quiet`/`-q`. */
export function setQuiet(value: boolean): void {
  quiet = value;
}

export const isQuiet = (): boolean => quiet;

/** A command writing a document to standard output (`--json`) says everything else on standard error. */
export function keepStdoutForData(value = true): void {
  stdoutIsData = value;
}

/** The figures a command reports (the replay summary, validate's accounting): standard output, not with --quiet. */
export function result(text: string): void {
  if (!quiet) process.stdout.write(terminalText(text));
}

/** What a command says along the way: standard output on a terminal, else standard error; not with --quiet. */
export function say(text: string): void {
  if (quiet) return;
  (process.stdout.isTTY && !stdoutIsData ? process.stdout : process.stderr).write(terminalText(text));
}

/** A warning (a deprecated spelling, ...): one line on standard error; not with --quiet. */
export function warn(text: string): void {
  if (!quiet) process.stderr.write(`vmreplay: warning: ${text}\n`);
}

/** The data a command was asked to write (compare's Markdown or JSON, check's verdict): standard output, even with --quiet. */
export function data(text: string): void {
  process.stdout.write(text);
}

/** What a command says while its standard output carries data (a replay's summary before a comparison): standard error; not with --quiet. */
export function aside(text: string): void {
  if (!quiet) process.stderr.write(terminalText(text));
}

/** Columns of the terminal standard output goes to; 80 when it is not one. */
export function terminalWidth(): number {
  const columns = process.stdout.isTTY ? process.stdout.columns : undefined;
  return columns && columns > 0 ? columns : 80;
}
