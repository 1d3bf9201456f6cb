// The dataset report page in a real headless Chromium (see browser.ts): every
// chart drawn, no request leaving the file, no console error, each trace's
// section linking to that trace's own report, which loads as cleanly and links
// back to the page. The screenshot is kept as a test artifact in .tap/artifacts/.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import t from 'tap';
import { ROOT } from '../helpers.js';
import { checkCharts, launch, open } from './browser.js';
import { ok, writeTraces } from './datasets.js';

const ARTIFACTS = join(ROOT, '.tap', 'artifacts');

let browser: Browser;

t.before(async () => {
  browser = await launch();
});
t.teardown(() => browser?.close());

t.test("the dataset page and a trace's own page: charts drawn, links that resolve, nothing fetched, no console error", async (t) => {
  const dir = t.testdir();
  const ds = join(dir, 'ds');
  const out = join(dir, 'report');
  await ok(['replay', '--dataset', await writeTraces(join(dir, 'traces')), '-o', ds]);
  await ok(['report', ds, '-o', out]);
  const pageFile = join(out, 'report.html');
  const { page, requests, errors, dialogs } = await open(browser, pageFile);

  t.match(await page.textContent('h1'), 'vmreplay report: a dataset of 2 traces (basic, fe2)');
  const ids = await checkCharts(t, page);
  t.same(ids, ['chart-saved-by-trace', 'chart-waits-by-trace'], 'both charts across the traces');
  t.match(await page.textContent('body'), /Generated traces: fe2/, 'the banner names the generated trace');
  t.equal(await page.$$eval('table', (els) => els.length), 1, 'the headline table');
  t.same(requests, [], 'no network request');
  t.same(errors, [], 'no console error');
  t.same(dialogs, []);
  await page.evaluate('window.scrollTo(0, 0)');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'dataset-report.png'), fullPage: true });

  // Each trace's section links its report, by a relative link that resolves to a file the report wrote.
  const links = await page.$$eval('h3 + p a', (els) => els.map((a) => [a.getAttribute('href'), (a as unknown as { href: string }).href]));
  t.same(
    links.map(([href]) => href),
    ['trace=basic/report.html', 'trace=fe2/report.html'],
  );
  for (const [href, url] of links) {
    t.ok(url!.startsWith('file:') && existsSync(fileURLToPath(url!)), `${href}: resolves to an existing file`);
    t.equal(fileURLToPath(url!), join(out, href!), `${href}: the trace's report in the report directory`);
  }

  // Follow one, as a reader would: the trace's page loads as cleanly, with its own charts.
  await Promise.all([page.waitForURL('**/trace=fe2/report.html'), page.click('a[href="trace=fe2/report.html"]')]);
  t.match(await page.textContent('h1'), 'vmreplay report: fe2.dtrace');
  const traceIds = await checkCharts(t, page);
  t.ok(traceIds.includes('chart-x-by-site'), `the trace's charts (${traceIds.join(', ')})`);
  t.same(requests, [], 'the trace page: no network request');
  t.same(errors, [], 'the trace page: no console error');

  // And back.
  await Promise.all([page.waitForURL(pathToFileURL(pageFile).href), page.click('a[href="../report.html"]')]);
  t.equal(page.url(), pathToFileURL(pageFile).href, 'the link back opens the dataset page');
  t.match(await page.textContent('h1'), 'a dataset of 2 traces');
  t.same(requests, []);
  t.same(errors, []);
});
