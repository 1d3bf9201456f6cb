// A static guard over the FreeBSD capture kit's D script (traces/capture/freebsd/vmtrace.d),
// for the classes of D compile error that review found there twice. It is NOT a D compiler:
// it knows the script's own shape (clauses, #ifdef blocks, vmtrace.sh's probe list) and three
// rules of libdtrace, nothing else. A script it passes can still fail to compile; vmtrace.sh's
// `dtrace -e` test-compile on the target is the real check.
//
// The three rules:
// 1. A `self->`/`this->` variable must be declared (`self int x;`) or assigned by an earlier
//    clause (or earlier in the same clause) before it is read: libdtrace's D_VAR_UNDEF
//    ("has not yet been declared or assigned"). `x++` and `x += e` read x. An assignment only
//    counts for reads that are compiled whenever it is (its #if conditions are a subset).
// 2. No member that a kernel header defines as a macro (`v_object` is
//    `#define v_object v_bufobj.bo_object` in sys/vnode.h): CTF, which D reads, has no such member.
// 3. No `args[N]` in a clause with a probe that may match nothing: under -Z such a clause has no
//    probe to take argument types from (dt_idcook_args, D_ARGS_MULTI). Every fbt probe may be
//    missing (inlined, renamed), and so may every probe vmtrace.sh checks for. args[] is allowed
//    only where the clause is left out when the probe is missing: inside
//    `#ifndef VMTRACE_NO_<FUNCTION>`, which vmtrace.sh defines for each fbt probe it finds missing.

/** Members that FreeBSD's headers define as macros over other members. */
export const MACRO_MEMBERS: Record<string, string> = {
  v_object: 'v_bufobj.bo_object',
  v_mountedhere: 'v_un.vu_mount',
  v_socket: 'v_un.vu_socket',
  v_rdev: 'v_un.vu_cdev',
  v_fifoinfo: 'v_un.vu_fifoinfo',
};

interface Clause {
  /** line of the clause's first probe description */
  line: number;
  probes: string[];
  /** offsets (in the comment-free text) of the predicate and the body */
  start: number;
  end: number;
  conds: string[];
}

interface VarUse {
  scope: 'self' | 'this';
  name: string;
  /** where the read happens, or where an assignment takes effect (the end of its statement) */
  at: number;
  line: number;
  write: boolean;
  conds: string[];
}

/** `/* ... *\/` and `//` comments blanked out, newlines kept (offsets and lines stay true). */
function stripComments(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:"])\/\/[^\n]*/g, (c, lead: string) => lead + ' '.repeat(c.length - lead.length));
}

/** The probe descriptions vmtrace.sh checks for (its `while read -r probe cost` list). */
export function checkedProbes(sh: string): string[] {
  const m = /while read -r probe cost; do[\s\S]*?<<-?\s*EOF\n([\s\S]*?)\n\s*EOF/.exec(sh);
  if (!m) return [];
  return m[1]!
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((p) => p.length > 0);
}

/** The define vmtrace.sh sets when an fbt probe is missing (see its `nodef`). */
export function missingDefine(probe: string): string | null {
  const m = /^fbt::([A-Za-z_]\w*):/.exec(probe);
  return m ? `VMTRACE_NO_${m[1]!.toUpperCase()}` : null;
}

export function guardProblems(dText: string, shText: string, file = 'vmtrace.d'): string[] {
  const problems: string[] = [];
  const code = stripComments(dText);
  const lineStarts = [0];
  for (let i = 0; i < code.length; i++) if (code[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (off: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= off) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const say = (off: number, reason: string): void => void problems.push(`${file}:${lineOf(off)}: ${reason}`);

  // Preprocessor lines: blank them, and remember the #if conditions in force on each line.
  const lines = code.split('\n');
  const condsOfLine: string[][] = [];
  const stack: string[] = [];
  let opaque = 0;
  let chars = '';
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i]!;
    const d = /^\s*#\s*(\w*)\s*(.*)$/.exec(l); // the #! line too (dtrace skips it)
    if (d) {
      const [, dir, rest] = d;
      const name = rest!.trim().split(/\s+/)[0] ?? '';
      if (dir === 'ifdef') stack.push(name);
      else if (dir === 'ifndef') stack.push(`!${name}`);
      else if (dir === 'if') stack.push(`?${++opaque}`);
      else if (dir === 'else' || dir === 'elif') {
        const top = stack.pop() ?? '';
        stack.push(dir === 'elif' ? `?${++opaque}` : top.startsWith('!') ? top.slice(1) : top.startsWith('?') ? `?${++opaque}` : `!${top}`);
      } else if (dir === 'endif') stack.pop();
      else if (dir === 'define') {
        let body = rest!;
        let j = i;
        while (body.endsWith('\\') && j + 1 < lines.length) body = body.slice(0, -1) + lines[++j]!;
        if (/\b(self|this)->|\bargs\s*\[/.test(body))
          say(lineStarts[i]!, 'a macro uses self->, this-> or args[]: the guard cannot follow macros, write it out in the clause');
        for (let k = i; k <= j; k++) lines[k] = ' '.repeat(lines[k]!.length);
        for (let k = i; k <= j; k++) condsOfLine[k] = [...stack];
        chars += lines.slice(i, j + 1).join('\n') + (j + 1 < lines.length ? '\n' : '');
        i = j;
        continue;
      }
      l = ' '.repeat(l.length);
    }
    condsOfLine[i] = [...stack];
    chars += l + (i + 1 < lines.length ? '\n' : '');
  }
  const text = chars;
  const condsAt = (off: number): string[] => condsOfLine[lineOf(off) - 1] ?? [];

  // Rule 2: macro members, anywhere in the code.
  for (const m of text.matchAll(/(?:->|\.)\s*([A-Za-z_]\w*)\b/g)) {
    const real = MACRO_MEMBERS[m[1]!];
    if (real) say(m.index, `${m[1]} is a macro in the kernel headers (${real}), not a member D can see: use ${real}`);
  }

  // Clauses and top-level declarations, in order.
  const clauses: Clause[] = [];
  const uses: VarUse[] = [];
  let i = 0;
  while (i < text.length) {
    const brace = text.indexOf('{', i);
    const semi = text.indexOf(';', i);
    if (brace < 0 && semi < 0) break;
    if (semi >= 0 && (brace < 0 || semi < brace)) {
      // a top-level declaration: `self int a, b;`, `this vm_object_t o;`, `int n;`
      const decl = text.slice(i, semi).trim();
      const m = /^(self|this)\s+(.+)$/s.exec(decl);
      if (m) {
        const names = m[2]!
          .replace(/\[[^\]]*\]/g, '')
          .split(',')
          .map((s) => /([A-Za-z_]\w*)\s*$/.exec(s.trim())?.[1]);
        for (const name of names)
          if (name) uses.push({ scope: m[1] as 'self' | 'this', name, at: semi, line: lineOf(semi), write: true, conds: condsAt(semi) });
      }
      i = semi + 1;
      continue;
    }
    let depth = 0;
    let close = brace;
    for (; close < text.length; close++) {
      if (text[close] === '{') depth++;
      else if (text[close] === '}' && --depth === 0) break;
    }
    const header = text.slice(i, brace);
    const headStart = i + header.search(/\S/);
    const slash = header.indexOf('/');
    const probes = (slash >= 0 ? header.slice(0, slash) : header)
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p.length > 0);
    const conds = condsAt(headStart);
    if (condsAt(close).join() !== conds.join()) say(close, 'a clause split by #if/#endif: the guard needs whole clauses inside one block');
    clauses.push({ line: lineOf(headStart), probes, start: slash >= 0 ? i + slash : brace, end: close, conds });
    i = close + 1;
  }

  // Variable reads and writes, clause by clause (the predicate runs before the body), each
  // with the #if conditions of its own line (a body may hold an #ifdef block).
  for (const c of clauses) {
    const part = text.slice(c.start, c.end);
    for (const m of part.matchAll(/\b(self|this)\s*->\s*([A-Za-z_]\w*)/g)) {
      const at = c.start + m.index;
      const after = part.slice(m.index + m[0].length);
      const assign = /^\s*=(?!=)/.test(after);
      if (assign) {
        const semi = part.indexOf(';', m.index);
        const effect = semi >= 0 ? c.start + semi : c.end;
        uses.push({ scope: m[1] as 'self' | 'this', name: m[2]!, at: effect, line: lineOf(at), write: true, conds: condsAt(at) });
      } else {
        uses.push({ scope: m[1] as 'self' | 'this', name: m[2]!, at, line: lineOf(at), write: false, conds: condsAt(at) });
      }
    }
  }

  // Rule 1: every read has a declaration or assignment before it, compiled whenever it is.
  const reported = new Set<string>();
  for (const u of uses) {
    if (u.write) continue;
    const key = `${u.scope}->${u.name}`;
    const declared = uses.some((w) => w.write && w.scope === u.scope && w.name === u.name && w.at < u.at && w.conds.every((x) => u.conds.includes(x)));
    if (!declared && !reported.has(key)) {
      reported.add(key);
      problems.push(`${file}:${u.line}: ${key} is read before any clause that assigns or declares it (declare it: \`${u.scope} int ${u.name};\`)`);
    }
  }

  // Rule 3: args[N] only where the clause goes when its probe does.
  const checked = new Set(checkedProbes(shText));
  const shDefines = /VMTRACE_NO_\$\(/.test(shText);
  for (const c of clauses) {
    const body = text.slice(c.start, c.end);
    const a = /\bargs\s*\[/.exec(body);
    if (!a) continue;
    for (const p of c.probes) {
      if (!p.startsWith('fbt:') && !checked.has(p)) continue; // a probe that is always there
      const def = missingDefine(p);
      const guarded = def !== null && checked.has(p) && shDefines && c.conds.includes(`!${def}`);
      if (!guarded)
        say(
          c.start + a.index,
          `args[] in a clause of ${p}, which may match nothing: under -Z that is a compile error (D_ARGS_MULTI); use an untyped argN${def ? `, or put the clause inside #ifndef ${def} with ${p} in vmtrace.sh's list` : ''}`,
        );
    }
  }
  return problems;
}
