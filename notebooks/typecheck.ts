// `npm run typecheck`'s notebook part: every notebook's code cells, in order,
// as one module checked by the TypeScript compiler against the library's own
// types (`vmreplay` is src/api/, `Deno` the part of the kernel's global the
// cells use). The modules are written to notebooks/.cells/ (not committed).

import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { joined, NOTEBOOKS_DIR, readNotebook } from './cells.js';

const OUT = join(NOTEBOOKS_DIR, '.cells');
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const names = readdirSync(NOTEBOOKS_DIR)
  .filter((n) => n.endsWith('.ipynb'))
  .sort();
for (const name of names) {
  const cells = readNotebook(join(NOTEBOOKS_DIR, name))
    .cells.filter((c) => c.cell_type === 'code')
    .map((c) => joined(c.source));
  const header = "declare const Deno: import('../../src/api/notebook.js').NotebookKernel;\n";
  const code = cells.join('\n;\n').replaceAll("from 'vmreplay'", "from '../../src/api/index.js'");
  writeFileSync(join(OUT, name.replace(/\.ipynb$/, '.ts')), `${header}${code}\nexport {};\n`);
}
writeFileSync(
  join(OUT, 'tsconfig.json'),
  JSON.stringify({ extends: '../../tsconfig.json', compilerOptions: { noEmit: true, rootDir: '../..', noUnusedLocals: false }, include: ['*.ts'] }, null, 2),
);
const tsc = spawnSync(process.execPath, [join(NOTEBOOKS_DIR, '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(OUT, 'tsconfig.json')], {
  encoding: 'utf8',
});
process.stdout.write(tsc.stdout);
process.stderr.write(tsc.stderr);
if (tsc.status !== 0) {
  process.stderr.write(`typecheck: the code cells of the notebooks do not check (modules in ${OUT})\n`);
  process.exit(1);
}
process.stdout.write(`typecheck: the code cells of ${names.length} notebooks check\n`);
