// What an install runs and weighs: every dependency with an install script is
// reviewed in package.json's allowScripts (npm 11 warns at each `npm ci`
// about any that is not, and later npm versions skip them), and the run-time
// dependencies, all a user of the package installs, run none.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers.js';

type Entry = { version: string; dev?: boolean; devOptional?: boolean; hasInstallScript?: boolean };
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean>; dependencies: Record<string, string> };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, Entry> };
const nameOf = (key: string): string => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
const withScripts = Object.entries(lock.packages).filter(([key, e]) => key !== '' && e.hasInstallScript);

t.test('every package with an install script is in allowScripts, by name (the lock has no resolved URLs to pin against)', async (t) => {
  t.ok(withScripts.length > 0, 'there are some (deno, esbuild)');
  for (const [key] of withScripts) t.equal(typeof pkg.allowScripts?.[nameOf(key)], 'boolean', `${nameOf(key)} reviewed`);
  const stale = Object.keys(pkg.allowScripts ?? {}).filter((name) => !withScripts.some(([key]) => nameOf(key) === name));
  t.same(stale, [], 'no entry for a package without one');
});

t.test('the run-time dependencies run no install script', async (t) => {
  t.same(
    withScripts.filter(([, e]) => !e.dev && !e.devOptional).map(([key]) => nameOf(key)),
    [],
  );
  for (const name of Object.keys(pkg.dependencies)) t.notOk(lock.packages[`node_modules/${name}`]?.dev, `${name} is a run-time dependency in the lock`);
});
