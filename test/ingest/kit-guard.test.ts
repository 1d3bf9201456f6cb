// The guard over the FreeBSD kit's D script (d-guard.ts): each rule on a small script of
// its own, then the shipped vmtrace.d and vmtrace.sh. There is no D compiler here; this is
// the check we can run (traces/capture/freebsd/VERIFIED.md says what it is not).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers.js';
import { checkedProbes, guardProblems } from './d-guard.js';

const KIT = join(ROOT, 'traces', 'capture', 'freebsd');
const SH = `while read -r probe cost; do
	if ! dtrace -l -n "$probe" >/dev/null 2>&1; then
		DEFS="$DEFS -D VMTRACE_NO_$(upper "$probe")"
	fi
done <<-EOF
	fbt::f:entry costs f
	fbt::g:entry costs g
	proc:::exec-success costs exec
	EOF
`;

t.test('rule 1: a thread-local read before any clause assigns or declares it', async (t) => {
  const late = `
fbt::f:entry
/self->inexec/
{
	self->n++;
}

fbt::g:entry
{
	self->inexec = 1;
}
`;
  const p = guardProblems(late, SH);
  t.match(p.join('\n'), /vmtrace\.d:3: self->inexec is read before any clause that assigns or declares it/);
  t.match(p.join('\n'), /vmtrace\.d:5: self->n is read before/, 'x++ reads x');
  t.same(guardProblems(`self int inexec, n;\n${late}`, SH), [], 'declared at the top: fine');
  t.match(guardProblems('BEGIN { self->x = self->x + 1; }', SH).join(), /self->x is read/, 'an assignment counts after its statement');
  t.same(guardProblems('BEGIN { this->a = 1; this->b = this->a; }\nEND { trace(this->b); }', SH), []);
  const ifdef = '#ifdef X\nfbt::f:entry { self->a = 1; }\n#endif\nfbt::g:entry { trace(self->a); }\n';
  t.match(guardProblems(ifdef, SH).join(), /vmtrace\.d:4: self->a is read/, 'an assignment compiled only with -D X does not declare it for other builds');
  t.same(guardProblems('#ifdef X\nfbt::f:entry { self->a = 1; }\nfbt::g:entry { trace(self->a); }\n#endif\n', SH), []);
  const inBody = 'fbt::f:entry\n{\n#ifdef X\n\tself->a = 1;\n#endif\n}\nfbt::g:entry { trace(self->a); }\n';
  t.match(guardProblems(inBody, SH).join(), /vmtrace\.d:7: self->a is read/, 'nor one inside an #ifdef block of a clause body');
  t.match(guardProblems('#define F(x) (self->q + x)\nBEGIN { trace(F(1)); }', SH).join(), /the guard cannot follow macros/);
});

t.test('rule 2: a member that is a macro in the kernel headers', async (t) => {
  const p = guardProblems('fbt::f:entry { self->o = ((struct image_params *)arg0)->vp->v_object; }', SH);
  t.match(p.join(), /v_object is a macro in the kernel headers \(v_bufobj\.bo_object\)/);
  t.same(guardProblems('fbt::f:entry { self->o = ((struct image_params *)arg0)->vp->v_bufobj.bo_object; }', SH), []);
  t.same(guardProblems('/* args[0]->vp->v_object in a comment */\nBEGIN { trace(1); }', SH), [], 'comments are not code');
});

t.test('rule 3: args[] in a clause whose probe may be missing', async (t) => {
  t.match(guardProblems('fbt::f:entry { trace(args[0]->object); }', SH).join(), /args\[\] in a clause of fbt::f:entry, which may match nothing/);
  t.match(guardProblems('fbt::f:entry, fbt::g:entry { trace(args[0]); }', SH).join('\n'), /fbt::f:entry[\s\S]*fbt::g:entry/, 'each description of the clause');
  t.match(guardProblems('fbt::h:entry { trace(args[0]); }', SH).join(), /fbt::h:entry/, 'an fbt probe vmtrace.sh does not check');
  t.match(guardProblems('proc:::exec-success { trace(stringof(args[0])); }', SH).join(), /proc:::exec-success/, 'a checked probe of another provider');
  t.same(guardProblems('#ifndef VMTRACE_NO_F\nfbt::f:entry { trace(args[0]); }\n#endif\n', SH), [], 'left out with its probe');
  t.match(
    guardProblems('#ifndef VMTRACE_NO_F\nfbt::f:entry { trace(args[0]); }\n#endif\n', SH.replace('VMTRACE_NO_$(', 'X')).join(),
    /fbt::f:entry/,
    'but only if vmtrace.sh sets the define',
  );
  t.same(guardProblems('fbt::f:entry { trace(((struct image_params *)arg0)->object); }', SH), [], 'untyped argN');
  t.same(guardProblems('proc:::create { trace(args[0]->p_pid); }', SH), [], 'a probe that is always there');
});

t.test('the shipped vmtrace.d passes the guard', async (t) => {
  const d = readFileSync(join(KIT, 'vmtrace.d'), 'utf8');
  const sh = readFileSync(join(KIT, 'vmtrace.sh'), 'utf8');
  t.ok(checkedProbes(sh).length > 10, 'vmtrace.sh probe list read');
  t.same(guardProblems(d, sh), []);
});

t.test('vmtrace.sh test-compiles the script, on the terminal, before tracing', async (t) => {
  const sh = readFileSync(join(KIT, 'vmtrace.sh'), 'utf8');
  const lines = sh.split('\n');
  const compile = lines.findIndex((l) => /^\s*[^#]*\bdtrace\b.*\s-e\b.*\$SCRIPT/.test(l));
  const trace = lines.findIndex((l) => /^\s*exec dtrace\b/.test(l));
  t.ok(compile >= 0, 'a dtrace -e of the script');
  t.ok(trace > compile, 'before the tracing run');
  t.notMatch(lines[compile]!, /"\$OUT"/, "the compile's messages do not go into the output file");
  t.match(lines.slice(compile, trace).join('\n'), /exit [1-9]/, 'and an error stops the script');
});
