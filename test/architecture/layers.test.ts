// The one-way flow, enforced: every import in src/ points to its own layer or
// one below it (the order of docs/architecture.md), no files import each other
// in a circle, and the README's flow line names every layer in that order.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers.js';

const SRC = join(ROOT, 'src');
const TOP = '(root)';

/** The layer order, bottom first, from the line `layers: a -> b -> ...` of docs/architecture.md. */
function documentedOrder(): string[] {
  const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
  const line = doc.split('\n').find((l) => l.startsWith('layers: '));
  if (!line) throw new Error('docs/architecture.md has no "layers: ..." line');
  return line
    .slice('layers: '.length)
    .split('->')
    .map((s) => s.trim());
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative module specifiers of a file: static imports and re-exports, and dynamic import(). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*'([^']+)'/g)) found.push(m[1]!);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s*'([^']+)'/g)) found.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) found.push(m[1]!);
  return found.filter((s) => s.startsWith('.'));
}

const layerOf = (file: string): string => {
  const rel = relative(SRC, file);
  return rel.includes('/') ? rel.split('/')[0]! : TOP;
};

const resolveImport = (from: string, spec: string): string => normalize(join(dirname(from), spec.replace(/\.js$/, '.ts')));

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f).map((s) => resolveImport(f, s))]));
const order = documentedOrder();
const rank = (layer: string): number => (layer === TOP ? order.length : order.indexOf(layer));

t.test('every top-level folder of src/ is a documented layer, and every layer exists', async (t) => {
  const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
  t.same([...folders].sort(), [...order].sort());
});

type Graph = Map<string, string[]>;

function upwardImports(graph: Graph): string[] {
  const against: string[] = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      if (!graph.has(target)) against.push(`${relative(ROOT, file)} imports ${relative(ROOT, target)}, which does not exist`);
      else if (rank(layerOf(target)) > rank(layerOf(file)))
        against.push(`${relative(ROOT, file)} (${layerOf(file)}) imports ${relative(ROOT, target)} (${layerOf(target)})`);
    }
  }
  return against;
}

/** Tarjan's strongly connected components; a component of two or more files is a circle. */
function circles(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(relative(ROOT, w));
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const f of graph.keys()) if (!index.has(f)) visit(f);
  return found;
}

t.test('no import runs up the layers', async (t) => {
  t.same(upwardImports(graph), [], 'imports against the order of docs/architecture.md');
});

t.test('no files import each other in a circle', async (t) => {
  t.same(circles(graph), []);
});

t.test("the README's flow line names every layer in the enforced order", async (t) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const line = readme.split('\n').find((l) => l.includes('The flow, one direction'));
  t.ok(line, 'README has the flow line');
  const named = [...(line ?? '').matchAll(/`src\/([a-z-]+)\/`/g)].map((m) => m[1]);
  t.same(named, order);
});

t.test('the checker catches what it must', async (t) => {
  // Guards against a checker that passes because it reads nothing.
  t.ok(files.length > 50, 'reads every source file');
  t.ok([...graph.values()].flat().length > 200, 'finds the imports');
  t.ok(
    importsOf(join(SRC, 'cli.ts')).some((s) => s.includes('commands/')),
    'dynamic imports are read',
  );
  const f = (p: string): string => join(SRC, p);
  const bad: Graph = new Map([
    [f('columns/a.ts'), [f('replay/b.ts')]],
    [f('replay/b.ts'), [f('replay/c.ts')]],
    [f('replay/c.ts'), [f('replay/b.ts')]],
  ]);
  t.same(upwardImports(bad), ['src/columns/a.ts (columns) imports src/replay/b.ts (replay)']);
  t.same(circles(bad), [['src/replay/b.ts', 'src/replay/c.ts']]);
});
