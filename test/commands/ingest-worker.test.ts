// The command line reads trace files in a worker thread: what goes wrong there
// reaches the user as it would from this thread (file:line: reason, exit 2),
// and an interrupt stops the worker with the run.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { ingestOptions } from '../../src/commands/ingest-options.js';
import { fixture } from '../helpers.js';
import { spawnCli } from './child.js';

t.test('the commands read files in a worker', async (t) => {
  t.equal(ingestOptions({}).worker, true);
});

t.test('an InputError in the worker: file:line: reason, exit 2, through the command line', async (t) => {
  const dir = t.testdir({ 'bad.dtrace': '1 0 proc_exit pid=1\n2 0 fault_begin tid=oops pid=2\n' });
  const bad = join(dir, 'bad.dtrace');
  const validate = await spawnCli(['validate', '--strict', bad]).done;
  t.equal(validate.code, 2, validate.stderr);
  t.match(validate.stderr, /^vmreplay: \S*bad\.dtrace:2: bad tid value 'oops'\n$/, 'one line: file:line: reason');
  const out = join(dir, 'out');
  const replay = await spawnCli(['replay', '--strict', bad, '-o', out]).done;
  t.equal(replay.code, 2, replay.stderr);
  t.equal(replay.stderr, validate.stderr, 'the same message from replay');
  t.notOk(existsSync(out), 'no OUT');
  const unknown = await spawnCli(['validate', join(dir, 'missing.ktr')]).done;
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /missing\.ktr: cannot read: ENOENT/);
});

t.test('SIGINT while the worker reads: the run stops, exit 130', { skip: process.platform === 'win32' && 'no named pipes' }, async (t) => {
  const dir = t.testdir();
  const fifo = join(dir, 'trace.ktr');
  execFileSync('mkfifo', [fifo]);
  const child = spawnCli(['validate', fifo]);
  // Opening the pipe for writing waits for its reader: the worker.
  const writer = await open(fifo, 'w');
  await writer.write(readFileSync(fixture('basic.ktr')).subarray(0, 2000));
  child.kill('SIGINT');
  const r = await child.done;
  await writer.close().catch(() => {});
  t.equal(r.code, 130, `exits 130 itself ${r.stderr}`);
  t.equal(r.signal, null, 'not killed by the signal');
});
