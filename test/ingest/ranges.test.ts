// Every field is range-checked against its column when it is read, so
// `validate` and `replay` agree on what is valid: a number of 2^63 or more
// (CSV, JSONL, perf text) is a rejected line, never a crash when the tables
// are written. Times at or above 2^53 ns cannot be kept exact in a double:
// such a line is refused with a message, never rounded; a negative time is
// refused in every framing.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli.js';
import { capture, fixture, readTrace, type TestContext } from '../helpers.js';

const dir = t.testdir();
const jsonl = readFileSync(fixture('basic.jsonl'), 'utf8').split('\n');
const csv = readFileSync(fixture('basic.csv'), 'utf8').split('\n');

/** The fixture with line `n` (1-based) changed by `edit`. */
function edited(name: string, lines: string[], n: number, edit: (line: string) => string): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l, i) => (i === n - 1 ? edit(l) : l)).join('\n'));
  return path;
}

/** validate, validate --strict, replay and replay --strict agree: the line is rejected, --strict stops at it with file:line. */
async function agree(t: TestContext, path: string, line: number, reason: RegExp): Promise<void> {
  const loose = await capture(() => main(['validate', path]));
  t.equal(loose.code, 1, `validate: rejected ${loose.stderr}`);
  t.match(loose.stdout, reason);
  const strict = await capture(() => main(['validate', '--strict', path]));
  t.equal(strict.code, 2, 'validate --strict: exit 2');
  t.match(strict.stderr, `${path}:${line}: `);
  t.match(strict.stderr, reason);
  const out = join(dir, `out-${line}-${path.split('/').pop()}`);
  const replay = await capture(() => main(['replay', path, '-o', out]));
  t.equal(replay.code, 0, `replay: the line is left out, the run completes ${replay.stderr}`);
  t.ok(existsSync(join(out, 'manifest.json')));
  const rstrict = await capture(() => main(['replay', '--strict', path, '-o', `${out}-strict`]));
  t.equal(rstrict.code, 2, 'replay --strict: exit 2');
  t.match(rstrict.stderr, `${path}:${line}: `);
  t.notMatch(rstrict.stderr, /\n\s+at /, 'no stack trace');
}

t.test('a JSONL time of 2^63 or more', async (t) => {
  const path = edited('ts-2e19.jsonl', jsonl, 8, (l) => l.replace(/"ts":\d+/, '"ts":10000000000000000000'));
  await agree(t, path, 8, /ts 10000000000000000000 is 2\^53 ns \(104 days\) or more/);
});

t.test('a CSV time of 2^63 or more', async (t) => {
  const path = edited('ts-2e63.csv', csv, 9, (l) => l.replace(/^\d+/, '9223372036854775808'));
  await agree(t, path, 9, /2\^53 ns/);
});

t.test('a JSONL duration of 2^64 (io_ns)', async (t) => {
  const n = jsonl.findIndex((l) => l.includes('"io_ns"')) + 1;
  const path = edited('io-2e64.jsonl', jsonl, n, (l) => l.replace(/"io_ns":\d+/, '"io_ns":18446744073709551616'));
  await agree(t, path, n, /bad io_ns value '18446744073709551616'/);
});

t.test('times just above 2^53 are refused, not rounded onto each other', async (t) => {
  const lines = ['9007199254740991', '9007199254740993', '9007199254740995', '9007199254740997'].map(
    (ts, i) => `{"ts":${ts},"cpu":0,"event":"proc_exit","pid":${100 + i}}`,
  );
  const path = join(dir, 'near-2e53.jsonl');
  writeFileSync(path, lines.join('\n') + '\n');
  const { rows, ingest } = await readTrace(path);
  t.same(
    rows.map((r) => r.ts),
    [9007199254740991],
    'the last exact time is kept',
  );
  t.equal(ingest.files[0]!.rejected, 3);
  t.match(ingest.files[0]!.rejects[0]!.reason, /cannot be kept exact, and vmreplay does not round times/);
  const dtrace = join(dir, 'near-2e53.dtrace');
  writeFileSync(dtrace, '9007199254740993 0 proc_exit pid=1\n');
  const d = await readTrace(dtrace, { format: 'dtrace' });
  t.equal(d.ingest.files[0]!.rejected, 1, 'dtrace: the same rule');
});

t.test('a negative time is refused in every framing', async (t) => {
  const path = edited('negative.jsonl', jsonl, 2, (l) => l.replace(/"ts":\d+/, '"ts":-5'));
  const { ingest } = await readTrace(path);
  t.equal(ingest.files[0]!.rejected, 1);
  t.match(ingest.files[0]!.rejects[0]!.reason, /negative ts -5/);
  const c = await readTrace(edited('negative.csv', csv, 3, (l) => l.replace(/^\d+/, '-5')));
  t.equal(c.ingest.files[0]!.rejected, 1, 'CSV');
});

t.test('a perf text time of 2^63 ns or more', async (t) => {
  const line = (secs: string) => `              sh   100/100   [000] ${secs}: PERF_RECORD_EXIT(100:100):(1:1)`;
  const path = join(dir, 'big.perf.txt');
  writeFileSync(path, [line('100.000001000'), line('10000000000.000000000')].join('\n') + '\n');
  const r = await capture(() => main(['validate', '--strict', '--format', 'perf', path]));
  t.equal(r.code, 2, r.stdout + r.stderr);
  t.match(r.stderr, `${path}:2: `);
  t.match(r.stderr, /2\^53 ns/);
});
