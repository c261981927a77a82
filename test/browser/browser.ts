/**
 * Headless Chromium for the report tests: the system's Debian build (never a downloaded browser), one page per test
 * with every console error, page error and failed request collected, and screenshots kept under test-artifacts/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.HBENCH_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve('test-artifacts');

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: the browser tests need it. Install it with \`apt-get install chromium\` (Debian; root), or point HBENCH_CHROMIUM at a Chromium binary`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
}

export interface WatchedPage {
  page: Page;
  /** Console errors, uncaught exceptions and failed requests seen so far. */
  problems: string[];
}

export async function openPage(browser: Browser, url: string): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  // The page must work offline: nothing but the page itself, data: URLs and (live mode) its own server.
  const origin = new URL(url).protocol === 'file:' ? null : new URL(url).origin;
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol !== 'file:' && u.protocol !== 'data:' && u.origin !== origin) problems.push(`network request: ${r.url()}`);
  });
  await page.goto(url);
  await page.waitForSelector('html[data-ready=true]');
  return { page, problems };
}

export async function screenshot(page: Page, name: string, selector?: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  if (selector) await page.locator(selector).screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: true });
}

/** Pixels of a canvas that are not transparent: a chart that drew has thousands. */
export function paintedPixels(page: Page, testId: string): Promise<number> {
  return page.$eval(`[data-testid="${testId}"]`, (c) => {
    const canvas = c as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return n;
  });
}
