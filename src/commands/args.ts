// Command-line parsing shared by the subcommands: node's parseArgs, with
// misuse turned into a one-line UsageError (exit 2) that names the closest
// option, instead of parseArgs' message and a stack trace.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../common/errors.js';
import { commandLine } from '../common/invocation.js';
import { closest, didYouMean } from './suggest.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Spellings taken as another option's, where the command has no option of
 * that name itself: `--model` for `--models` (check has its own `--model`).
 */
const ALIASES: Readonly<Record<string, string>> = { model: 'models' };

export function parse<O extends Options>(argv: string[], options: O, usage: string) {
  const all = { ...options, help: { type: 'boolean', short: 'h' } } as const;
  try {
    return parseArgs({ args: withAliases(argv, all), options: all, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(flagError(e as NodeJS.ErrnoException, all, usage));
  }
}

/** `argv` with each alias spelled as the option it stands for (before a `--`, and only where the command has no option of the alias's name). */
function withAliases(argv: readonly string[], options: Options): string[] {
  const out = [...argv];
  const end = argv.indexOf('--');
  for (let i = 0; i < (end < 0 ? argv.length : end); i++) {
    const m = /^--([^=]+)(=.*)?$/.exec(argv[i]!);
    const target = m ? ALIASES[m[1]!] : undefined;
    if (m && target && !(m[1]! in options) && target in options) out[i] = `--${target}${m[2] ?? ''}`;
  }
  return out;
}

/** parseArgs' complaint as one line of ours: the option, what is wrong, the closest option when one was mistyped. */
function flagError(e: NodeJS.ErrnoException, options: Options, usage: string): string {
  const name = /^usage: vmreplay (\w+)/.exec(usage)?.[1];
  const listed = `(${commandLine(name ? `${name} --help` : '--help')} lists the options)`;
  const quoted = /'([^']+)'/.exec(e.message)?.[1] ?? '';
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const names = Object.entries(options).flatMap(([long, o]) => [`--${long}`, ...(o.short ? [`-${o.short}`] : [])]);
    const typed = quoted.split('=')[0]!;
    // Compared without the dashes, so that a long option typed with one dash ('-models') is found too.
    const near = closest(
      typed.replace(/^-+/, ''),
      names.map((n) => n.replace(/^-+/, '')).filter((n) => n.length > 1),
    );
    return `unknown option ${typed}${near ? `: did you mean --${near}?` : ''} ${listed}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = quoted.replace(/ <value>$/, '');
    if (/argument missing|ambiguous/.test(e.message)) return `option ${option} needs a value ${listed}`;
    if (/does not take an argument/.test(e.message)) return `option ${option} takes no value ${listed}`;
  }
  return `${e.message.split('\n')[0]} ${listed}`;
}

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], what: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`${what} must be one of ${allowed.join(', ')} (got '${value}')${didYouMean(value, allowed)}`);
  return value as T;
}

export function number(value: string | undefined, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`${what} must be a number (got '${value}')`);
  return n;
}
