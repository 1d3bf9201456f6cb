// Hints print the command line that works as typed: `npx vmreplay ...` when
// npm started the tool (npx, npm exec, an npm script, a project's
// node_modules/.bin), `vmreplay ...` otherwise.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli.js';
import { invocation } from '../../src/common/invocation.js';
import { capture } from '../helpers.js';

t.test('npx, npm exec and npm-run bins say npx vmreplay; a bin on the PATH says vmreplay', async (t) => {
  const npx = { npm_lifecycle_event: 'npx', npm_lifecycle_script: "'vmreplay'" };
  t.equal(invocation(npx, '/usr/local/bin/vmreplay'), 'npx vmreplay', 'npx vmreplay (as npm 11 sets it)');
  t.equal(invocation({ ...npx, npm_lifecycle_script: 'vmreplay query out' }, ''), 'npx vmreplay');
  t.equal(invocation({ npm_lifecycle_event: 'npx', npm_lifecycle_script: "'tap' test" }, '/usr/bin/x'), 'vmreplay', 'npx ran something else that ran us');
  t.equal(invocation({}, '/root/.npm/_npx/6c2b27b5dd051c31/node_modules/.bin/vmreplay'), 'npx vmreplay', "npx's own cache");
  t.equal(invocation({ npm_lifecycle_event: 'report' }, '/home/me/proj/node_modules/.bin/vmreplay'), 'npx vmreplay', 'an npm script');
  t.equal(invocation({}, '/usr/local/bin/vmreplay'), 'vmreplay', 'installed globally');
  t.equal(invocation({}, '/home/me/vmreplay/bin/vmreplay.js'), 'vmreplay', 'the clone, run by hand');
});

t.test("the command line's hints follow", async (t) => {
  const saved = { event: process.env['npm_lifecycle_event'], script: process.env['npm_lifecycle_script'] };
  t.teardown(() => {
    for (const [key, value] of [
      ['npm_lifecycle_event', saved.event],
      ['npm_lifecycle_script', saved.script],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  process.env['npm_lifecycle_event'] = 'npx';
  process.env['npm_lifecycle_script'] = "'vmreplay'";
  const unknown = await capture(() => main(['qeury']));
  t.equal(unknown.stderr, "vmreplay: unknown command 'qeury': did you mean query? (npx vmreplay help lists the commands)\n");
  const flag = await capture(() => main(['validate', 'x', '--stirct']));
  t.match(flag.stderr, /\(npx vmreplay validate --help lists the options\)\n$/);
  const empty = join(t.testdir(), 'empty');
  mkdirSync(empty);
  const notRun = await capture(() => main(['query', empty, 'summary']));
  t.match(notRun.stderr, /write one with 'npx vmreplay replay TRACE -o /);
});
