// The HTML report in a real headless Chromium (see browser.ts): every chart drawn (an
// SVG with marks and visible axis labels), no request leaving the file, no
// console error, no script from the trace run. The screenshot is kept as a
// test artifact in .tap/artifacts/.

import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Browser } from 'playwright-core';
import t from 'tap';
import { main } from '../../src/cli.js';
import { capture, fixture, ROOT } from '../helpers.js';
import { checkCharts, launch, open as openIn, overflowingTables } from './browser.js';

const ARTIFACTS = join(ROOT, '.tap', 'artifacts');

let browser: Browser;

t.before(async () => {
  browser = await launch();
});
t.teardown(() => browser?.close());

const open = (file: string) => openIn(browser, file);

t.test('the sample report: every chart drawn, nothing fetched, no console error', async (t) => {
  const dir = t.testdir();
  const r = await capture(() => main(['report', relative(process.cwd(), join(ROOT, 'traces', 'sample', 'forkexec.ktr.gz')), '-o', dir]));
  t.equal(r.code, 0, r.stderr);
  const { page, requests, errors } = await open(join(dir, 'report.html'));

  const ids = await checkCharts(t, page);
  for (const id of ['saved-over-time', 'x-by-site', 'backdowns-by-rule', 'contention-by-object'])
    t.ok(ids.includes(`chart-${id}`), `the ${id} chart is in the page`);
  t.match(await page.textContent('body'), /Generated trace/, 'the banner for a generated trace');
  t.match(await page.textContent('h2'), 'Summary', 'the paste-ready summary comes first');
  await page.click('nav a[href="#section-4"]');
  t.equal(new URL(page.url()).hash, '#section-4', 'the contents links move within the page');
  t.same(requests, [], 'no network request');
  t.same(errors, [], 'no console error');
  t.same(await overflowingTables(page), [], 'no table overflows the page at 1280 px, folded ones opened');
  await page.evaluate('window.scrollTo(0, 0)');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: false });
  await page.screenshot({ path: join(ARTIFACTS, 'report-full.png'), fullPage: true });
});

t.test('a report with a hazard: no table overflows at 1280 px, the hazard detail wraps', async (t) => {
  const dir = t.testdir();
  const r = await capture(() => main(['report', relative(process.cwd(), fixture('basic.ktr')), '-o', dir]));
  t.equal(r.code, 0, r.stderr);
  const { page } = await open(join(dir, 'report.html'));
  t.same(await overflowingTables(page), [], 'every table fits in a 1280 px window');
});

t.test('a trace whose names hold markup: shown as text, nothing runs', async (t) => {
  const dir = t.testdir();
  const r = await capture(() => main(['report', fixture('hostile-names.jsonl'), '-o', dir]));
  t.equal(r.code, 0, r.stderr);
  const { page, requests, errors, dialogs } = await open(join(dir, 'report.html'));
  t.equal(await page.$$eval('script, img, iframe', (els) => els.length), 0, 'no element from the trace');
  t.match(await page.textContent('body'), '<script>alert(1)</script>|`sh`', 'the command name is shown as text');
  t.match(await page.textContent('body'), '/bin/<img src=x onerror=alert(2)>|`sh`', 'the object name too');
  t.same(dialogs, [], 'no alert ran');
  t.same(requests, [], 'no network request');
  t.same(errors, [], 'no console error');
});
