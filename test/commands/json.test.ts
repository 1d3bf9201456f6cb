// `--json` on replay, validate and check: one JSON document on standard output
// and nothing else there; `--trace-format` names the traces' framing, and the
// old `--format` still does in these commands, with one warning line.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli.js';
import { capture, fixture } from '../helpers.js';

interface RunJson {
  out: string;
  events: number;
  baseline: string;
  faults: { replayed: number; truncated: number };
  models: { model: string; xTokens: number; hazards: number; backdowns: Record<string, number>; savedVsBaseline: { xTokens: number; xChain: number } }[];
  files: { file: string; format: string; lines: number; events: number; cpus: { cpu: number; firstTs: number | null }[] }[];
  phases: { name: string; seconds: number }[];
}

t.test('replay --json: the summary as one document, the same figures as the summary view', async (t) => {
  const out = join(t.testdir(), 'out');
  const r = await capture(() => main(['replay', fixture('basic.ktr'), '-o', out, '--json']));
  t.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as RunJson;
  t.equal(doc.out, out);
  t.equal(doc.baseline, 'old');
  t.same(
    doc.models.map((m) => m.model),
    ['old', 'new', 'new-fixed'],
  );
  t.same(
    doc.models.map((m) => m.savedVsBaseline.xTokens),
    [0, 18, 16],
    'as the text summary says (18, 16)',
  );
  t.equal(doc.faults.truncated, 2);
  t.equal(doc.files[0]!.format, 'ktr');
  t.ok(doc.files[0]!.cpus.length > 0);
  t.same(
    doc.phases.map((p) => p.name),
    ['read + replay', 'build tables'],
  );
  t.match(r.stderr, /tables and database written to/, 'what it says along the way is not on standard output');
  const q = await capture(() => main(['query', out, 'SELECT model, x_tokens, hazards FROM summary', '--format', 'json']));
  const rows = JSON.parse(q.stdout) as { model: string; x_tokens: number; hazards: number }[];
  t.same(
    doc.models.map((m) => [m.model, m.xTokens, m.hazards]),
    rows.map((x) => [x.model, Number(x.x_tokens), Number(x.hazards)]),
  );
});

t.test('validate --json: clean or not, and every file and CPU accounted for; the exit code as without', async (t) => {
  const good = await capture(() => main(['validate', fixture('basic.jsonl'), '--json']));
  const doc = JSON.parse(good.stdout) as { clean: boolean; files: { file: string; format: string; lines: number; rejected: number; unknownKeys: number }[] };
  t.equal(good.code, 0);
  t.equal(doc.clean, true);
  t.equal(doc.files[0]!.format, 'jsonl');
  t.equal(doc.files[0]!.lines, 57);
  t.equal(doc.files[0]!.unknownKeys, 1);
  const dir = t.testdir({ 'bad.jsonl': readFileSync(fixture('basic.jsonl'), 'utf8') + 'not json\n' });
  const bad = await capture(() => main(['validate', join(dir, 'bad.jsonl'), '--trace-format', 'jsonl', '--json']));
  t.equal(bad.code, 1, 'a rejected line: exit 1');
  const badDoc = JSON.parse(bad.stdout) as { clean: boolean; files: { rejected: number; rejects: { line: number }[] }[] };
  t.equal(badDoc.clean, false);
  t.equal(badDoc.files[0]!.rejected, 1);
  t.equal(badDoc.files[0]!.rejects[0]!.line, 58);
});

t.test('check --json: ok, the model checked and the verdict lines; exit 0 or 1 as without', async (t) => {
  const out = join(t.testdir(), 'out');
  t.equal((await capture(() => main(['replay', fixture('basic.ktr'), '-o', out]))).code, 0);
  const pass = await capture(() => main(['check', out, '--min-saved-x', '50', '--json']));
  t.equal(pass.code, 0, pass.stderr);
  t.same(JSON.parse(pass.stdout), { ok: true, model: 'new', lines: ['OK new: saved X 58.06% >= 50%'] });
  const fail = await capture(() => main(['check', out, '--max-hazards', '0', '--json']));
  t.equal(fail.code, 1);
  const doc = JSON.parse(fail.stdout) as { ok: boolean; model: string; lines: string[] };
  t.equal(doc.ok, false);
  t.match(doc.lines[0], /^FAIL hazards of new: 1, above the maximum 0$/);
});

t.test('--trace-format forces the framing; --format still does, with one warning line', async (t) => {
  const forced = await capture(() => main(['validate', fixture('basic.dtrace'), '--trace-format', 'dtrace']));
  t.equal(forced.code, 0, forced.stderr);
  t.equal(forced.stderr, '');
  const wrong = await capture(() => main(['validate', fixture('basic.dtrace'), '--trace-format', 'dtrace2']));
  t.equal(wrong.code, 2);
  t.match(wrong.stderr, /^vmreplay: --trace-format must be one of auto, .*\(got 'dtrace2'\): did you mean dtrace\?\n$/);
  const old = await capture(() => main(['validate', fixture('basic.dtrace'), '--format', 'dtrace']));
  t.equal(old.code, 0);
  t.equal(old.stdout, forced.stdout, 'the same reading');
  t.equal(
    old.stderr,
    "vmreplay: warning: --format for the traces' framing is deprecated: say --trace-format dtrace (--format names the output of query and compare)\n",
  );
  const quiet = await capture(() => main(['-q', 'validate', fixture('basic.dtrace'), '--format', 'dtrace']));
  t.equal(quiet.stderr, '', 'no warning under --quiet');
  const help = await capture(() => main(['help', 'replay']));
  t.match(help.stdout, /--trace-format F\s+the traces' framing/);
  const compareHelp = await capture(() => main(['help', 'compare']));
  t.match(compareHelp.stdout, /--format\s+what goes to standard output without -o: md \(default\) or json/);
  t.notMatch(compareHelp.stdout, /deprecated/, "compare's --format is its output's");
});
