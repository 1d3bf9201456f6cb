// The `vmreplay` command: one subcommand per job, each in src/commands/. Exit
// codes: 0 ok, 1 a threshold or comparison failed, 2 bad input or usage.
// What every command shares is handled here: `--help`/`-h` and `help CMD`
// (the command's own usage), `--version`/`-v` and `version`, and the global
// `--quiet`/`-q` (errors only).

import { InputError, UsageError } from './common/errors.js';
import { terminalText } from './common/printable.js';
import { commandLine } from './common/invocation.js';
import { setQuiet } from './commands/console.js';
import { didYouMean } from './commands/suggest.js';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  replay: { summary: 'replay traces under each locking model and write the tables', load: async () => (await import('./commands/replay.js')).run },
  query: { summary: 'run a canned query by name, or any SQL, on a replay', load: async () => (await import('./commands/query.js')).run },
  validate: { summary: 'read and check traces without replaying them', load: async () => (await import('./commands/validate.js')).run },
  synth: { summary: 'generate a synthetic DragonFly workload trace', load: async () => (await import('./commands/synth.js')).run },
  report: { summary: 'write a report (Markdown, HTML, charts) of a run or of traces', load: async () => (await import('./commands/report.js')).run },
  compare: { summary: 'compare two runs or traces: the same figures as deltas', load: async () => (await import('./commands/compare.js')).run },
  check: { summary: 'exit 1 when a run misses a threshold (for CI)', load: async () => (await import('./commands/check.js')).run },
  export: { summary: 'export a run as a timeline (--perfetto FILE.json)', load: async () => (await import('./commands/export.js')).run },
  help: { summary: "print this help, or a command's options: vmreplay help CMD", load: async () => help },
  version: { summary: 'print the version (also -v, --version)', load: async () => version },
};

export const USAGE = `usage: vmreplay [-q|--quiet] <command> [options]

${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`)
  .join('\n')}

Run with no command, vmreplay replays the bundled sample trace into ./vmreplay-out and writes its report there.
Run 'vmreplay <command> --help' or 'vmreplay help <command>' for a command's options.
-q, --quiet (any command): print errors only (and the data a command is asked to write, such as query rows).
Exit codes: 0 ok; 1 a check failed (validate: lines rejected or events dropped; check: a threshold); 2 bad input or usage.`;

const HELP_FLAGS = ['--help', '-h'];
const VERSION_FLAGS = ['--version', '-v', '-V'];
const QUIET_FLAGS = ['--quiet', '-q'];

export async function main(argv: string[]): Promise<number> {
  const { args, quiet } = globalFlags(argv);
  setQuiet(quiet);
  const [name, ...rest] = args;
  try {
    if (name === undefined) return await (await import('./commands/default.js')).run([]);
    if (HELP_FLAGS.includes(name)) return await help([]);
    if (VERSION_FLAGS.includes(name)) return await version([]);
    const command = COMMANDS[name];
    if (!command) throw new UsageError(unknownCommand(name));
    const run = await command.load();
    // Asked for help, a command prints its usage whatever else is on the line.
    if (optionWords(rest).some((a) => HELP_FLAGS.includes(a))) return await run(['--help']);
    return await run(rest);
  } catch (e) {
    if (e instanceof InputError || e instanceof UsageError) {
      process.stderr.write(`vmreplay: ${terminalText(e.message)}\n`);
      return 2;
    }
    throw e;
  }
}

/** `vmreplay help [CMD]`: the overall usage, or the command's own. */
async function help(argv: string[]): Promise<number> {
  const [name, ...extra] = argv.filter((a) => !HELP_FLAGS.includes(a));
  if (name === undefined) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(unknownCommand(name));
  if (extra.length > 0) throw new UsageError(`give one command: ${commandLine('help <command>')}`);
  if (command.load === COMMANDS.help!.load) return help([]);
  return (await command.load())(['--help']);
}

/** One line: the word, the command it most likely meant, where the commands are listed. */
function unknownCommand(name: string): string {
  const hint = name.startsWith('-') ? `: an option goes after the command (${commandLine(`<command> ${name}`)})` : didYouMean(name, Object.keys(COMMANDS));
  return `unknown command '${name}'${hint} (${commandLine('help')} lists the commands)`;
}

async function version(argv: string[]): Promise<number> {
  if (argv.some((a) => !HELP_FLAGS.includes(a))) throw new UsageError('usage: vmreplay version');
  process.stdout.write((await import('./common/version.js')).VERSION + '\n');
  return 0;
}

/** The words before a `--` (after it, everything is an operand). */
const optionWords = (argv: readonly string[]): readonly string[] => {
  const end = argv.indexOf('--');
  return end < 0 ? argv : argv.slice(0, end);
};

/** Take the global flags out of the arguments, wherever they are (before a `--`). */
function globalFlags(argv: readonly string[]): { args: string[]; quiet: boolean } {
  const end = argv.indexOf('--');
  const before = end < 0 ? argv : argv.slice(0, end);
  const after = end < 0 ? [] : argv.slice(end);
  return { args: [...before.filter((a) => !QUIET_FLAGS.includes(a)), ...after], quiet: before.some((a) => QUIET_FLAGS.includes(a)) };
}
