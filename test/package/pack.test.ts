// The package as published: `npm pack` of a fresh build, installed from the
// tarball in an empty folder outside the repository (from npm's cache, no
// network), then `npx vmreplay` there and the library example that opens
// docs/api.md. The tarball holds LICENSE, no dist/bench, and its source maps
// with the sources they name. Slow (a build, an install, a replay): in
// `npm run test:all`, not the everyday suite.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { ROOT } from '../helpers.js';

const run = promisify(execFile);

// Outside the repository: npm would otherwise take the repository's package.json as the project to install into.
const work = mkdtempSync(join(tmpdir(), 'vmreplay-pack-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

/** The environment without what `npm run` puts in it (npm_config_local_prefix would point npm back at the repository). */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE_OPTIONS'));
const sh = (file: string, args: string[], cwd: string) => run(file, args, { cwd, env, maxBuffer: 64 << 20 });

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; license: string; repository?: { url?: string } };

interface Packed {
  filename: string;
  files: { path: string }[];
}

t.test('npm pack, an install from the tarball in an empty folder, then npx vmreplay and the docs/api.md example', async (t) => {
  // The package's folder as `npm pack` sees it: the files package.json lists, with dist built afresh (not the checkout's dist/, which may be stale).
  const stage = join(work, 'stage');
  const listed = JSON.parse((await sh('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT)).stdout) as Packed[];
  for (const { path } of listed[0]!.files) {
    if (path.startsWith('dist/')) continue;
    mkdirSync(dirname(join(stage, path)), { recursive: true });
    cpSync(join(ROOT, path), join(stage, path));
  }
  for (const config of ['tsconfig.json', 'tsconfig.api.json']) cpSync(join(ROOT, config), join(stage, config));
  cpSync(join(ROOT, 'bench'), join(stage, 'bench'), { recursive: true }); // tsconfig.json builds it too: then the package must leave it out
  symlinkSync(join(ROOT, 'node_modules'), join(stage, 'node_modules')); // what the build resolves types against; npm never packs it
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const config of ['tsconfig.json', 'tsconfig.api.json']) await sh(process.execPath, [tsc, '-p', join(stage, config)], stage);
  t.ok(existsSync(join(stage, 'dist', 'bench')), 'the build has dist/bench');

  const packed = (JSON.parse((await sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], stage)).stdout) as Packed[])[0]!;
  const files = packed.files.map((f) => f.path);
  t.ok(files.includes('LICENSE'), 'LICENSE');
  t.match(readFileSync(join(ROOT, 'LICENSE'), 'utf8'), /^BSD 2-Clause License\n\nCopyright \(c\) \d{4}, the vmreplay developers\n/);
  t.equal(pkg.license, 'BSD-2-Clause');
  t.match(pkg.repository?.url, /^git\+https:\/\//, 'a repository field npm takes');
  t.same(
    files.filter((f) => f.startsWith('dist/bench')),
    [],
    'no dist/bench',
  );
  t.ok(files.includes('dist/src/cli.js') && files.includes('dist/src/api/index.d.ts') && files.includes('bin/vmreplay.js'));
  t.ok(files.includes('traces/sample/forkexec.ktr.gz'), 'the bundled sample');
  // Every source map ships with the sources it names.
  const maps = files.filter((f) => f.endsWith('.js.map'));
  t.ok(maps.length > 0, 'source maps');
  const missing = maps.flatMap((m) => {
    const map = JSON.parse(readFileSync(join(stage, m), 'utf8')) as { sources: string[] };
    return map.sources.map((s) => join(dirname(m), s)).filter((s) => !files.includes(s));
  });
  t.same(missing, [], 'no source map names a file the package lacks');
  t.same(
    files.filter((f) => /^(test|notebooks|\.ci)\//.test(f)),
    [],
    'no tests, notebooks or CI',
  );

  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify(appPackage(packed.filename), null, 2));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify(appLock(packed.filename, join(work, packed.filename)), null, 2));
  await sh('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], app);
  t.ok(existsSync(join(app, 'node_modules', '@duckdb', 'node-api')), 'the run-time dependencies');
  t.notOk(existsSync(join(app, 'node_modules', 'typescript')) || existsSync(join(app, 'node_modules', 'tap')), 'no development tools');

  const version = await sh('npx', ['--prefer-offline', 'vmreplay', '--version'], app);
  t.equal(version.stdout, `${pkg.version}\n`);
  const first = await sh('npx', ['--prefer-offline', 'vmreplay'], app);
  t.match(first.stdout, /new-fixed/, 'the summary of the sample');
  t.match(first.stderr, /try: npx vmreplay query vmreplay-out summary/, 'the hint as it works here');
  t.ok(existsSync(join(app, 'vmreplay-out', 'report.html')), 'the report');

  // The example docs/api.md opens with, as it stands there.
  const example = /```ts\n([\s\S]*?)```/.exec(readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8'))![1]!;
  t.match(example, /from 'vmreplay'/);
  writeFileSync(join(app, 'example.mjs'), example + 'console.log(JSON.stringify(bySite.length));\n');
  const lib = await sh(process.execPath, ['example.mjs'], app);
  t.match(lib.stdout, /new-fixed/, 'its summary table');
  t.match(lib.stdout.trimEnd().split('\n').pop(), /^[1-9]\d*$/, 'rows of saved_by_site');
});

const appPackage = (tarball: string) => ({ name: 'app', version: '1.0.0', private: true, type: 'module', dependencies: { vmreplay: `file:./../${tarball}` } });

/**
 * The lock an install of the tarball would write, from the repository's own:
 * the tarball, and the run-time part of the repository's tree (each package
 * at the version tested here). npm 11 resolves a package.json's ranges from
 * full registry documents, which its cache need not hold; from a lock it
 * fetches only tarballs, which the cache holds after `npm ci`. So the install
 * works offline as CI's does (--prefer-offline: a document the cache lacks is
 * fetched from the registry rather than failing).
 */
function appLock(tarball: string, path: string) {
  type Entry = { version?: string; dev?: boolean; devOptional?: boolean; [k: string]: unknown };
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, Entry> };
  const root = lock.packages['']!;
  const runtime = Object.entries(lock.packages).filter(([key, e]) => key !== '' && !e.dev && !e.devOptional);
  return {
    name: 'app',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'app', version: '1.0.0', dependencies: appPackage(tarball).dependencies },
      'node_modules/vmreplay': {
        version: pkg.version,
        resolved: `file:../${tarball}`,
        integrity: `sha512-${createHash('sha512').update(readFileSync(path)).digest('base64')}`,
        license: pkg.license,
        dependencies: root['dependencies'],
        bin: root['bin'],
        engines: root['engines'],
      },
      ...Object.fromEntries(runtime),
    },
  };
}
