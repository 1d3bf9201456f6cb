// `npm run notebooks`: execute every notebook in notebooks/ headless, in
// place, against a fresh replay of the bundled sample, with Deno's Jupyter
// kernel from node_modules (nothing is installed into the user's Jupyter).
// Fails, naming the notebook, on a cell error. After each notebook it runs the
// same cells under Node (cells.ts) and checks that the kernel delivered every
// output: Deno's kernel can report a cell finished before its last display
// reaches Jupyter, so a notebook missing one is executed again (up to 3
// times). Needs Jupyter's nbconvert (notebooks/README.md, "Set-up");
// JUPYTER=/path/to/jupyter picks which.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type MimeBundle, replay, sampleTrace } from '../src/api/index.js';
import { firstDifference, readNotebook, runCells, storedDisplays } from './cells.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
/** Debian's Jupyter (the set-up of README.md) when it is there, else whatever `jupyter` is on PATH. */
const jupyter = process.env.JUPYTER ?? (existsSync('/usr/bin/jupyter') ? '/usr/bin/jupyter' : 'jupyter');
/** One cell may replay the sample (a few seconds); a stuck kernel is stopped long before CI's limit. */
const CELL_TIMEOUT_S = 600;
const ATTEMPTS = 3;

function fail(message: string): never {
  process.stderr.write(`notebooks: ${message}\n`);
  process.exit(1);
}

const notebooks = readdirSync(HERE)
  .filter((n) => n.endsWith('.ipynb'))
  .sort();
if (notebooks.length === 0) fail('no notebooks in notebooks/');

const version = spawnSync(jupyter, ['nbconvert', '--version'], { encoding: 'utf8' });
if (version.status !== 0) fail(`'${jupyter} nbconvert' does not run (${version.error?.message ?? version.stderr.trim()}); see notebooks/README.md, "Set-up"`);

const work = mkdtempSync(join(tmpdir(), 'vmreplay-notebooks-'));
let failed = false;
try {
  // The kernel: Deno from node_modules, under the name the notebooks ask for (`deno`).
  const kernelDir = join(work, 'jupyter', 'kernels', 'deno');
  mkdirSync(kernelDir, { recursive: true });
  writeFileSync(
    join(kernelDir, 'kernel.json'),
    JSON.stringify({ argv: [denoBinary(), 'jupyter', '--kernel', '--conn', '{connection_file}'], display_name: 'Deno', language: 'typescript' }, null, 2),
  );

  const started = performance.now();
  const run = join(work, 'run');
  await replay(sampleTrace(), { out: run });
  const linuxRun = join(work, 'linux-run');
  await replay(join(ROOT, 'traces', 'real', 'linux-churn.perf.data.gz'), { out: linuxRun });
  process.stdout.write(`notebooks: replayed the sample in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);

  const env = {
    ...process.env,
    VMREPLAY_RUN: run,
    VMREPLAY_LINUX_RUN: linuxRun,
    JUPYTER_PATH: join(work, 'jupyter'),
    JUPYTER_RUNTIME_DIR: join(work, 'runtime'),
    NO_COLOR: '1',
  };
  for (const name of notebooks) {
    const path = join(HERE, name);
    let expected: MimeBundle[] | null = null; // what the cells show under Node, once the kernel ran them
    let problem: string | null = 'not executed';
    for (let attempt = 1; attempt <= ATTEMPTS && problem !== null; attempt++) {
      const t0 = performance.now();
      const r = spawnSync(
        jupyter,
        [
          'nbconvert',
          '--to',
          'notebook',
          '--execute',
          '--inplace',
          `--ExecutePreprocessor.timeout=${CELL_TIMEOUT_S}`,
          '--ExecutePreprocessor.kernel_name=deno',
          '--ExecutePreprocessor.record_timing=False',
          name,
        ],
        { cwd: HERE, env, encoding: 'utf8' },
      );
      const seconds = ((performance.now() - t0) / 1000).toFixed(1);
      if (r.status !== 0) {
        process.stderr.write(r.stderr);
        process.stdout.write(`notebooks: FAIL ${name} (${seconds} s)\n`);
        failed = true;
        break;
      }
      tidy(path);
      expected ??= await runCells(path, run, work, linuxRun);
      problem = firstDifference(expected, storedDisplays(readNotebook(path)));
      process.stdout.write(`notebooks: ${problem === null ? 'ok' : `incomplete (${problem})`} ${name} (${seconds} s)\n`);
    }
    if (failed) break;
    if (problem !== null) {
      process.stdout.write(`notebooks: FAIL ${name}: still incomplete after ${ATTEMPTS} executions\n`);
      failed = true;
      break;
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failed) fail('a notebook failed (its error is above)');
process.stdout.write(`notebooks: ${notebooks.length} executed\n`);

/** The Deno executable of the `deno` npm package (its own lookup: the platform package's binary). */
function denoBinary(): string {
  const api = createRequire(import.meta.url)(join(ROOT, 'node_modules', 'deno', 'install_api.cjs')) as { runInstall(): string };
  return api.runInstall();
}

/** Keep the committed file stable from run to run: no per-run kernel details. */
function tidy(path: string): void {
  const nb = JSON.parse(readFileSync(path, 'utf8')) as { metadata: Record<string, unknown> };
  nb.metadata.kernelspec = { name: 'deno', display_name: 'Deno', language: 'typescript' };
  writeFileSync(path, JSON.stringify(nb, null, 1) + '\n');
}
