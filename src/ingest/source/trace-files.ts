// The trace files a dataset is made of: each argument is a file, a directory
// (the trace files directly in it) or a glob the shell did not expand (quoted,
// or from a script). Matching is done here, not by a glob library: `*`, `?`
// and `[...]` within one path component, which is what a list of traces needs.

import { readdir, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, sep } from 'node:path';
import { InputError } from '../../common/errors.js';
import { TRACE_EXTENSIONS } from '../registry.js';

/** Extensions of the compressions around a trace (the framings' own are in the registry). */
const COMPRESSIONS = ['gz', 'zst'];

const GLOB_CHARS = /[*?[]/;

/**
 * Every trace file the arguments name, in order (each directory and glob
 * sorted by name), each once. Hidden files in a directory (`.name.ktr`) are
 * left out, and `onSkipped` hears which.
 */
export async function expandTraceArgs(args: readonly string[], onSkipped: (dir: string, hidden: readonly string[]) => void = () => {}): Promise<string[]> {
  const found: string[] = [];
  for (const arg of args) {
    const kind = await fileKind(arg);
    let files: string[];
    if (kind === 'file') files = [arg];
    else if (kind === 'directory') {
      const traces = (await readdir(arg, { withFileTypes: true })).filter((e) => e.isFile() && hasTraceExtension(e.name));
      const hidden = traces.filter((e) => e.name.startsWith('.')).map((e) => e.name);
      if (hidden.length > 0) onSkipped(arg, hidden.sort());
      files = traces.filter((e) => !e.name.startsWith('.')).map((e) => join(arg, e.name));
      if (files.length === 0)
        throw new InputError(
          arg,
          0,
          `holds no trace files (*.${TRACE_EXTENSIONS.join(', *.')}, optionally .gz or .zst${hidden.length > 0 ? `; hidden ones are left out: ${hidden.join(', ')}` : ''})`,
        );
    } else if (GLOB_CHARS.test(arg)) {
      files = await matchGlob(arg);
      if (files.length === 0) throw new InputError(arg, 0, 'no files match');
    } else throw new InputError(arg, 0, 'no such file or directory');
    found.push(...files.sort());
  }
  return [...new Set(found)];
}

/** The trace's name in a dataset: its file name without compression and framing extensions (`cpu8.dtrace.zst` -> `cpu8`). */
export function traceStem(path: string): string {
  let name = basename(path);
  const strip = (exts: readonly string[]) => {
    const m = /\.([^.]+)$/.exec(name);
    if (m && exts.includes(m[1]!.toLowerCase()) && m.index > 0) name = name.slice(0, m.index);
  };
  strip(COMPRESSIONS);
  strip(TRACE_EXTENSIONS);
  return name;
}

function hasTraceExtension(name: string): boolean {
  const stem = name.replace(/\.(gz|zst)$/i, '');
  const ext = /\.([^.]+)$/.exec(stem)?.[1]?.toLowerCase();
  return ext !== undefined && TRACE_EXTENSIONS.includes(ext);
}

async function fileKind(path: string): Promise<'file' | 'directory' | null> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'directory' : 'file';
  } catch {
    return null;
  }
}

/** Files matching `pattern`, component by component from its first component that has a glob character. */
async function matchGlob(pattern: string): Promise<string[]> {
  const parts = pattern.split(sep);
  let dirs = [isAbsolute(pattern) ? sep : '.'];
  const fixed: string[] = [];
  while (parts.length > 0 && !GLOB_CHARS.test(parts[0]!)) fixed.push(parts.shift()!);
  if (fixed.length > 0) dirs = [isAbsolute(pattern) ? join(sep, ...fixed) : join(...fixed)];
  for (let i = 0; i < parts.length; i++) {
    const last = i === parts.length - 1;
    const re = componentRegExp(parts[i]!);
    const next: string[] = [];
    for (const dir of dirs) {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        continue; // a non-directory or unreadable branch matches nothing
      }
      for (const e of entries) {
        if (!re.test(e.name) || (e.name.startsWith('.') && !parts[i]!.startsWith('.'))) continue;
        if (last ? e.isFile() : e.isDirectory()) next.push(join(dir, e.name));
      }
    }
    dirs = next;
  }
  return dirs;
}

/** One path component of a glob as a regular expression: `*` any run of characters, `?` one, `[...]` a class. */
function componentRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        const body = glob
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
