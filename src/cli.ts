import { InputError, UsageError } from './common/errors.js';
// The `vmreplay` command: one subcommand per job, each in src/commands/. Exit
// codes: 0 ok, 1 a threshold or comparison failed, 2 bad input or usage.


type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  replay: { summary: 'replay traces under each locking model and write the tables', load: async () => (await import('./commands/replay.js')).run },
  query: { summary: 'run a canned query by name, or any SQL, on a replay', load: async () => (await import('./commands/query.js')).run },
  validate: { summary: 'read and check traces without replaying them', load: async () => (await import('./commands/validate.js')).run },
  synth: { summary: 'generate a synthetic DragonFly workload trace', load: async () => (await import('./commands/synth.js')).run },
};

export const USAGE = `usage: vmreplay <command> [options]

${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`)
  .join('\n')}

Run with no command, vmreplay replays the bundled sample trace into ./vmreplay-out.
Run 'vmreplay <command> --help' for a command's options.`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined) return await (await import('./commands/default.js')).run([]);
    if (name === '--help' || name === '-h' || name === 'help') {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    if (name === '--version' || name === '-V') {
      process.stdout.write((await import('./common/version.js')).VERSION + '\n');
      return 0;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command '${name}'\n\n${USAGE}`);
    return await (await command.load())(rest);
  } catch (e) {
    if (e instanceof InputError || e instanceof UsageError) {
      process.stderr.write(`vmreplay: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
