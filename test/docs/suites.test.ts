// The README's first lines stay true: set up and run the sample, then the
// everyday tests. `npm test` is the everyday suite (no coverage, the slow
// files left out by package.json's tap `exclude`), `npm run test:all` every
// test file with the coverage gate, and CI runs the latter.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  tap: { include: string[]; exclude: string[]; statements: number };
};

t.test('the README opens with the install-and-run line, then the test command', async (t) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(readme)![1]!.split('\n');
  t.match(block[0], /^npm ci && npx vmreplay\s+#/);
  t.match(block[1], /^npm test\s+#.*npm run test:all/);
});

t.test('npm test is the everyday suite; test:all runs every file with the coverage gate; CI runs test:all', async (t) => {
  t.match(pkg.scripts['test'], /^tap --disable-coverage$/, 'the configured files, no coverage');
  t.match(pkg.scripts['test:all'], /NODE_V8_COVERAGE=\S+ tap 'test\/\*\*\/\*\.test\.ts'$/, 'every test file named, so the exclude list does not apply');
  t.notMatch(pkg.scripts['test:all'], /disable-coverage/);
  t.ok(pkg.tap.statements >= 90, 'the gate');
  t.match(readFileSync(join(ROOT, '.ci', 'run'), 'utf8'), /\nnpm run test:all 2>&1/);
});

t.test('every file left out of the everyday suite exists and is a test file', async (t) => {
  t.ok(pkg.tap.exclude.length > 0);
  for (const file of pkg.tap.exclude) {
    t.match(file, /^test\/.*\.test\.ts$/, file);
    t.ok(existsSync(join(ROOT, file)), `${file} exists (a renamed file would come back into the everyday suite)`);
  }
});
