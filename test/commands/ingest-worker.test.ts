// The command line reads trace files in a worker thread: what goes wrong there
// reaches the user as it would from this thread (file:line: reason, exit 2),
// and an interrupt stops the worker with the run. Pipes and devices are read
// in the main thread (ingest/open.ts).

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ingestOptions } from '../../src/commands/ingest-options.js';
import { THREADS_BY_DEFAULT } from '../../src/common/module-worker.js';
import { main } from '../../src/cli.js';
import { capture } from '../helpers.js';
import { spawnCli, waitFor } from './child.js';

t.test('the commands read files in a worker when compiled; under tsx, when VMREPLAY_THREADS=1 says so', async (t) => {
  t.equal(ingestOptions({}).worker, THREADS_BY_DEFAULT);
  t.equal(THREADS_BY_DEFAULT, process.env.VMREPLAY_THREADS === '1', 'the tests run from the sources');
});

/** The command line in a child process, its reader on the worker thread. */
const spawnThreaded = (args: readonly string[]) => spawnCli(args, undefined, false, { VMREPLAY_THREADS: '1' });

t.test('an InputError in the worker: file:line: reason, exit 2, through the command line', async (t) => {
  const dir = t.testdir({ 'bad.dtrace': '1 0 proc_exit pid=1\n2 0 fault_begin tid=oops pid=2\n' });
  const bad = join(dir, 'bad.dtrace');
  const validate = await spawnThreaded(['validate', '--strict', bad]).done;
  t.equal(validate.code, 2, validate.stderr);
  t.match(validate.stderr, /^vmreplay: \S*bad\.dtrace:2: bad tid value 'oops'\n$/, 'one line: file:line: reason');
  const out = join(dir, 'out');
  const replay = await spawnThreaded(['replay', '--strict', bad, '-o', out]).done;
  t.equal(replay.code, 2, replay.stderr);
  t.equal(replay.stderr, validate.stderr, 'the same message from replay');
  t.notOk(existsSync(out), 'no OUT');
  const unknown = await spawnThreaded(['validate', join(dir, 'missing.ktr')]).done;
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /missing\.ktr: cannot read: ENOENT/);
});

t.test('SIGINT while the worker reads: the run stops, exit 130, no OUT', async (t) => {
  const dir = t.testdir();
  const trace = join(dir, 'big.dtrace');
  const out = join(dir, 'out');
  const made = await capture(() => main(['synth', 'forkexec', '--events', '300000', '-o', trace]));
  t.equal(made.code, 0, made.stderr);
  const child = spawnThreaded(['replay', trace, '-o', out]);
  // the run is under way (its cleanups registered) once its temporary directory is there
  t.ok(await waitFor(() => readdirSync(dir).some((n) => n.includes('.vmreplay-tmp-'))), 'the run started');
  child.kill('SIGINT');
  const r = await child.done;
  t.equal(r.code, 130, `exits 130 itself ${r.stderr}`);
  t.equal(r.signal, null, 'not killed by the signal');
  t.notOk(existsSync(out), 'no OUT');
  t.same(
    readdirSync(dir).filter((n) => n.includes('.vmreplay-')),
    [],
    'nothing left beside it',
  );
});
