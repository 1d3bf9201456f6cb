// A mistyped flag, command or view name is one line on stderr naming the
// closest one (exit 2), not parseArgs' message and the whole help; `--model`
// is taken as `--models` where a command has no `--model` of its own.

import t from 'tap';
import { main } from '../../src/cli.js';
import { parse } from '../../src/commands/args.js';
import { REPLAY_OPTIONS, REPLAY_USAGE } from '../../src/commands/replay.js';
import { closest, editDistance } from '../../src/commands/suggest.js';
import { capture } from '../helpers.js';

const oneLine = async (argv: string[]) => {
  const r = await capture(() => main(argv));
  return { ...r, lines: r.stderr.split('\n').filter(Boolean) };
};

t.test('an unknown option: one line with the closest option', async (t) => {
  const cases: [string[], string][] = [
    [['replay', 'x.ktr', '-o', 'out', '--modle', 'old'], 'vmreplay: unknown option --modle: did you mean --models? (vmreplay replay --help lists the options)'],
    [['validate', 'x.ktr', '--stirct'], 'vmreplay: unknown option --stirct: did you mean --strict? (vmreplay validate --help lists the options)'],
    [['query', 'out', '--max-row', '3'], 'vmreplay: unknown option --max-row: did you mean --max-rows? (vmreplay query --help lists the options)'],
    [['check', 'out', '--min-saved', '3'], 'vmreplay: unknown option --min-saved: did you mean --min-saved-x? (vmreplay check --help lists the options)'],
    [['replay', 'x.ktr', '--frobnicate'], 'vmreplay: unknown option --frobnicate (vmreplay replay --help lists the options)'],
    [['replay', 'x.ktr', '-x'], 'vmreplay: unknown option -x (vmreplay replay --help lists the options)'],
  ];
  for (const [argv, line] of cases) {
    const r = await oneLine(argv);
    t.equal(r.code, 2, argv.join(' '));
    t.same(r.lines, [line], argv.join(' '));
    t.equal(r.stdout, '');
  }
});

t.test('an option missing its value, or given one it does not take: one line', async (t) => {
  const missing = await oneLine(['replay', 'x.ktr', '-o']);
  t.same(missing.lines, ['vmreplay: option -o, --out needs a value (vmreplay replay --help lists the options)']);
  const ambiguous = await oneLine(['replay', 'x.ktr', '--models', '--arrow']);
  t.same(ambiguous.lines, ['vmreplay: option --models needs a value (vmreplay replay --help lists the options)']);
  const valued = await oneLine(['validate', 'x.ktr', '--strict=yes']);
  t.same(valued.lines, ['vmreplay: option --strict takes no value (vmreplay validate --help lists the options)']);
});

t.test('a mistyped command: one line with the closest command', async (t) => {
  for (const [argv, line] of [
    [['replya', 'x.ktr'], "vmreplay: unknown command 'replya': did you mean replay? (vmreplay help lists the commands)"],
    [['qeury'], "vmreplay: unknown command 'qeury': did you mean query? (vmreplay help lists the commands)"],
    [['help', 'valdiate'], "vmreplay: unknown command 'valdiate': did you mean validate? (vmreplay help lists the commands)"],
    [['frobnicate'], "vmreplay: unknown command 'frobnicate' (vmreplay help lists the commands)"],
    [
      ['--models', 'old'],
      "vmreplay: unknown command '--models': an option goes after the command (vmreplay <command> --models) (vmreplay help lists the commands)",
    ],
  ] as const) {
    const r = await oneLine([...argv]);
    t.equal(r.code, 2, argv.join(' '));
    t.same(r.lines, [line], argv.join(' '));
  }
});

t.test('a value outside its choices names the closest choice', async (t) => {
  const r = await oneLine(['synth', 'forkexec', '-o', '-', '--kernel', 'nwe']);
  t.same(r.lines, ["vmreplay: --kernel must be one of old, new (got 'nwe'): did you mean new?"]);
});

t.test('--model is --models where the command has no --model of its own', async (t) => {
  t.equal(parse(['x.ktr', '--model', 'old,new'], REPLAY_OPTIONS, REPLAY_USAGE).values.models, 'old,new');
  t.equal(parse(['x.ktr', '--model=new'], REPLAY_OPTIONS, REPLAY_USAGE).values.models, 'new');
  t.same(parse(['--', '--model'], REPLAY_OPTIONS, REPLAY_USAGE).positionals, ['--model'], 'an operand after -- stays as it is');
  const own = { ...REPLAY_OPTIONS, model: { type: 'string' } } as const;
  const check = parse(['--model', 'new', '--models', 'old,new'], own, 'usage: vmreplay check');
  t.equal(check.values.model, 'new', "check's own --model");
  t.equal(check.values.models, 'old,new');
});

t.test('closest: a few edits, or the one name a prefix starts', async (t) => {
  t.equal(editDistance('modle', 'models'), 2);
  t.equal(editDistance('sumary', 'summary'), 1);
  t.equal(editDistance('', 'abc'), 3);
  t.equal(closest('modle', ['models', 'strict']), 'models');
  t.equal(closest('min-saved', ['min-saved-x', 'max-hazards']), 'min-saved-x');
  t.equal(closest('max', ['max-hazards', 'max-rows']), undefined, 'a prefix of two names is no answer');
  t.equal(closest('frobnicate', ['replay', 'query']), undefined);
  t.equal(closest('x', ['o']), 'o', 'one letter off');
});
