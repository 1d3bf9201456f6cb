// The HTML report in a real headless Chromium (@sparticuz/chromium, a browser
// inside an npm package, driven by playwright-core): every chart drawn (an
// SVG with marks and visible axis labels), no request leaving the file, no
// console error, no script from the trace run. The screenshot is kept as a
// test artifact in .tap/artifacts/.

import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';
import t from 'tap';
import { main } from '../../src/cli.js';
import { capture, fixture, ROOT } from '../helpers.js';

const ARTIFACTS = join(ROOT, '.tap', 'artifacts');

/** An SVG element as seen in the page (the project compiles without the DOM library). */
type Drawn = { getBBox(): { width: number; height: number } };

let browser: Browser;

t.before(async () => {
  browser = await playwright.launch({
    executablePath: await chromium.executablePath(),
    args: [...chromium.args, '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    headless: true,
  });
});
// Pages stay open until the browser closes: with chromium.args (--single-process)
// closing the last page ends the browser.
t.teardown(() => browser?.close());

/** Open `file` with every request intercepted; returns the page and what went wrong while loading. */
async function open(file: string): Promise<{ page: Page; requests: string[]; errors: string[]; dialogs: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  const dialogs: string[] = [];
  await page.route('**', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    requests.push(url);
    return route.abort();
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, requests, errors, dialogs };
}

t.test('the sample report: every chart drawn, nothing fetched, no console error', async (t) => {
  const dir = t.testdir();
  const r = await capture(() => main(['report', relative(process.cwd(), join(ROOT, 'traces', 'sample', 'forkexec.ktr.gz')), '-o', dir]));
  t.equal(r.code, 0, r.stderr);
  const { page, requests, errors } = await open(join(dir, 'report.html'));

  const charts = await page.$$('figure.chart');
  const ids = await Promise.all(charts.map((c) => c.getAttribute('id')));
  for (const id of ['saved-over-time', 'x-by-site', 'backdowns-by-rule', 'contention-by-object']) t.ok(ids.includes(`chart-${id}`), `the ${id} chart is in the page`);
  for (const figure of charts) {
    const id = await figure.getAttribute('id');
    const svg = await figure.$('svg');
    t.ok(svg, `${id}: an SVG`);
    const box = await svg!.boundingBox();
    t.ok(box && box.width > 300 && box.height > 100, `${id}: drawn ${box?.width}x${box?.height}`);
    const marks = await figure.$$eval('.role-mark path, .role-mark line, .role-mark rect', (els) => els.filter((e) => (e as unknown as Drawn).getBBox().width + (e as unknown as Drawn).getBBox().height > 0).length);
    t.ok(marks > 0, `${id}: ${marks} marks`);
    const labels = await figure.$$eval('.role-axis-label text', (els) => els.filter((e) => e.textContent && (e as unknown as Drawn).getBBox().width > 0).map((e) => e.textContent));
    t.ok(labels.length >= 2, `${id}: visible axis labels (${labels.slice(0, 3).join(', ')}, ...)`);
    const title = await figure.$eval('.role-title text, .role-title-text', (e) => e.textContent).catch(() => null);
    t.ok(title, `${id}: titled '${title}'`);
  }
  t.match(await page.textContent('body'), /Generated trace/, 'the banner for a generated trace');
  t.match(await page.textContent('h2'), 'Headline');
  await page.click('nav a[href="#section-4"]');
  t.equal(new URL(page.url()).hash, '#section-4', 'the contents links move within the page');
  t.same(requests, [], 'no network request');
  t.same(errors, [], 'no console error');
  await page.evaluate('window.scrollTo(0, 0)');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: false });
  await page.screenshot({ path: join(ARTIFACTS, 'report-full.png'), fullPage: true });
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
