// Shared by the headless-browser tests: a real headless Chromium
// (@sparticuz/chromium, a browser inside an npm package, driven by
// playwright-core), a page opened from file:// with every request
// intercepted, and the check that every chart in a page is drawn.

import { pathToFileURL } from 'node:url';
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';

/** An SVG element as seen in the page (the project compiles without the DOM library). */
type Drawn = { getBBox(): { width: number; height: number } };

/** What a test asserts with (tap's Test, reduced to what the checks use). */
interface Asserts {
  ok(value: unknown, ...message: [string]): unknown;
}

/** A headless browser; close it in the test's teardown. Pages stay open until then: with chromium.args (--single-process) closing the last page ends the browser. */
export async function launch(): Promise<Browser> {
  return playwright.launch({
    executablePath: await chromium.executablePath(),
    args: [...chromium.args, '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    headless: true,
  });
}

export interface Opened {
  readonly page: Page;
  /** requests that would have left the file (aborted) */
  readonly requests: string[];
  /** console errors and uncaught page errors */
  readonly errors: string[];
  /** alert/confirm/prompt messages (dismissed) */
  readonly dialogs: string[];
}

/** Watch `page`: every request other than file: and data: is recorded and aborted, console errors and dialogs recorded. */
export async function watch(page: Page): Promise<Opened> {
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
  return { page, requests, errors, dialogs };
}

/** Open `file` in a new page of `browser`, watched (see watch). */
export async function open(browser: Browser, file: string): Promise<Opened> {
  const opened = await watch(await browser.newPage({ viewport: { width: 1280, height: 900 } }));
  await opened.page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return opened;
}

/** Check every chart of the page is drawn: an SVG of a real size, marks with an extent, visible axis labels, a title. Returns the charts' ids. */
export async function checkCharts(t: Asserts, page: Page): Promise<string[]> {
  const charts = await page.$$('figure.chart');
  const ids: string[] = [];
  for (const figure of charts) {
    const id = (await figure.getAttribute('id')) ?? '?';
    ids.push(id);
    const svg = await figure.$('svg');
    t.ok(svg, `${id}: an SVG`);
    const box = await svg?.boundingBox();
    t.ok(box && box.width > 300 && box.height > 100, `${id}: drawn ${box?.width}x${box?.height}`);
    const marks = await figure.$$eval(
      '.role-mark path, .role-mark line, .role-mark rect',
      (els) => els.filter((e) => (e as unknown as Drawn).getBBox().width + (e as unknown as Drawn).getBBox().height > 0).length,
    );
    t.ok(marks > 0, `${id}: ${marks} marks`);
    const labels = await figure.$$eval('.role-axis-label text', (els) =>
      els.filter((e) => e.textContent && (e as unknown as Drawn).getBBox().width > 0).map((e) => e.textContent),
    );
    t.ok(labels.length >= 2, `${id}: visible axis labels (${labels.slice(0, 3).join(', ')}, ...)`);
    const title = await figure.$eval('.role-title text, .role-title-text', (e) => e.textContent).catch(() => null);
    t.ok(title, `${id}: titled '${title}'`);
  }
  return ids;
}

/** Tables (every <details> opened) wider than their box at the page's width: each as its header text and overflow in pixels. */
export async function overflowingTables(page: Page): Promise<string[]> {
  await page.$$eval('details', (els) => els.forEach((e) => ((e as unknown as { open: boolean }).open = true)));
  return page.$$eval('div.table', (els) =>
    els
      .map((e) => {
        const box = e as unknown as { scrollWidth: number; clientWidth: number; textContent: string | null };
        return { over: box.scrollWidth - box.clientWidth, text: (box.textContent ?? '').slice(0, 80) };
      })
      .filter((x) => x.over > 0)
      .map((x) => `${x.text}... (${x.over} px)`),
  );
}
