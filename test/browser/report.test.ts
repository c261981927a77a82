/**
 * The report as a reader sees it, in headless Chromium: opened from disk (file://) and from the live view server.
 * Numbers on the page are checked against summarise(), the code behind the terminal table and summary.json.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderCompareReport } from '../../src/report/html/compare-html.js';
import { startViewServer, type ViewServer } from '../../src/report/html/view-server.js';
import { loadSide } from '../../src/runner/load-results.js';
import { writeRunReport } from '../../src/report/html/write-report.js';
import { ResultsStore } from '../../src/runner/results-store.js';
import { summarise } from '../../src/scoring/summary.js';
import { launch, openPage, paintedPixels, screenshot, type WatchedPage } from './browser.js';

const FIXTURES = path.resolve('test/fixtures/results');
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
let tmp: string;
let browser: Browser;
let current: WatchedPage | null = null;

// A missing browser fails every test with the fix in its message (a failed hook would only mark them skipped).
let launchError: Error | null = null;

beforeAll(async () => {
  browser = await launch().catch((e: Error) => {
    launchError = e;
    return null as unknown as Browser;
  });
  tmp = await mkdtemp(path.join(tmpdir(), 'hbench-browser-'));
  for (const run of ['sim-run', 'errors-run', 'multistep-run']) await cp(path.join(FIXTURES, run), path.join(tmp, run), { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});
afterEach(async () => {
  // Every view must load and work without a console error, an exception or a failed request.
  const problems = current?.problems ?? [];
  await current?.page.close();
  current = null;
  expect(problems).toEqual([]);
});

async function open(url: string): Promise<Page> {
  if (launchError) throw launchError;
  current = await openPage(browser, url);
  return current.page;
}

async function report(run: string, options: Parameters<typeof writeRunReport>[1] = {}): Promise<Page> {
  if (launchError) throw launchError;
  const file = await writeRunReport(path.join(tmp, run), options);
  return open(pathToFileURL(file).href);
}

async function expectLeaderboardMatchesSummary(page: Page, run: string): Promise<void> {
  const store = await ResultsStore.open(path.join(tmp, run));
  const record = await store.readRun();
  const summary = summarise(record.runId, await store.readTrials(), record.harnesses.map((h) => h.name));
  const rows = page.getByTestId('leaderboard-row');
  await expect.poll(() => rows.count()).toBe(summary.harnesses.length);
  for (const h of summary.harnesses) {
    const row = page.locator(`[data-testid="leaderboard-row"][data-harness="${h.harness}"]`);
    expect(await row.getByTestId('rate').textContent()).toBe(pct(h.passRate!.rate));
    expect(await row.getByTestId('ci').textContent()).toBe(`${pct(h.passRate!.low)} – ${pct(h.passRate!.high)}`);
  }
}

const rowOrder = (page: Page) => page.getByTestId('leaderboard-row').evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.harness));

describe('report.html opened from disk', () => {
  it('shows provenance, a leaderboard that agrees with summarise(), sortable columns', async () => {
    const page = await report('sim-run');
    await expect.poll(() => page.getByTestId('simulated-banner').isVisible()).toBe(true);
    await expectLeaderboardMatchesSummary(page, 'sim-run');
    expect(await rowOrder(page)).toEqual(['self-verify', 'baseline', 'hide-exit-codes']);
    expect(await page.locator('[data-harness="baseline"] [data-testid="tied"]').count()).toBe(1);
    expect(await page.locator('[data-harness="hide-exit-codes"] [data-testid="tied"]').count()).toBe(0);
    await screenshot(page, 'report-full');
    await screenshot(page, 'report-leaderboard', '#leaderboard');

    const header = page.locator('[data-testid="leaderboard"] th', { hasText: 'harness' });
    await header.click();
    expect(await rowOrder(page)).toEqual(['self-verify', 'hide-exit-codes', 'baseline']);
    await header.click();
    expect(await rowOrder(page)).toEqual(['baseline', 'hide-exit-codes', 'self-verify']);
    await page.locator('[data-testid="leaderboard"] th', { hasText: 'pass rate' }).click();
    expect(await rowOrder(page)).toEqual(['self-verify', 'baseline', 'hide-exit-codes']);

    await page.getByTestId('copy-markdown').click();
    await expect.poll(async () => (await page.getByTestId('markdown-text').count()) > 0 || (await page.locator('#leaderboard').textContent())!.includes('Copied.')).toBe(true);
  });

  it('draws every chart', async () => {
    const page = await report('sim-run');
    for (const id of ['chart-passrate', 'chart-cost', 'chart-taskdiff']) {
      expect([id, (await paintedPixels(page, id)) > 2000]).toEqual([id, true]);
    }
    await screenshot(page, 'report-charts', '#charts');
  });

  it('filters the matrix and changes the baseline', async () => {
    const page = await report('sim-run');
    const rows = page.getByTestId('matrix-row');
    expect(await rows.count()).toBe(8);
    await page.getByTestId('filter-different').click();
    expect(await rows.evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.task))).not.toContain('hotel');
    expect(await rows.count()).toBe(7);
    await page.getByTestId('filter-improved').click();
    expect(await rows.evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.task))).toEqual(['bravo', 'delta', 'foxtrot']);
    await screenshot(page, 'report-matrix-improved', '#matrix');
    await page.getByTestId('ab-baseline').selectOption('self-verify');
    // Against self-verify nothing improved, and the A/B rows are the other two harnesses.
    expect(await rows.count()).toBe(0);
    expect(await page.getByTestId('ab-row').evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.candidate))).toEqual(['baseline', 'hide-exit-codes']);
    expect(await page.getByTestId('ab-reading').first().textContent()).toMatch(/baseline is 18\.8 points worse than self-verify; the run cannot tell this from noise/);
    await page.getByTestId('filter-all').click();
    await page.getByTestId('matrix-search').fill('ech');
    expect(await rows.count()).toBe(1);
    await screenshot(page, 'report-ab', '#ab');
  });

  it('opens a trial: actions, exit codes, truncation, verifier output', async () => {
    const page = await report('sim-run');
    await page.locator('[data-testid="matrix-cell"][data-task="delta"][data-harness="self-verify"]').click();
    expect(await page.getByTestId('trial-row').count()).toBe(2);
    await page.locator('[data-testid="trial-row"][data-trial="delta__self-verify__2"]').click();
    const viewer = page.getByTestId('trial-viewer');
    await expect.poll(() => viewer.getByTestId('action').count()).toBe(2);
    expect(await viewer.getByTestId('exit-code').allTextContents()).toEqual(['exit 0', 'exit 2']);
    expect(await viewer.getByTestId('verifier-output').textContent()).toContain('FAILED test_output');
    // The observation is shown as text: markup in an agent's output stays inert.
    expect(await viewer.locator('pre', { hasText: '<b>not markup</b>' }).count()).toBe(1);
    expect(await viewer.locator('a', { hasText: 'trajectory.jsonl' }).getAttribute('href')).toBe('trials/delta__self-verify__2/trajectory.jsonl');
    await screenshot(page, 'report-trial', '#trials');

    // The address now names the trial; opening it again shows the same trial straight away.
    const linked = page.url();
    expect(linked).toMatch(/#trial=delta__self-verify__2$/);
    expect(current!.problems).toEqual([]);
    await current!.page.close();
    const again = await open(linked);
    await expect.poll(() => again.getByTestId('trial-viewer').getAttribute('data-trial')).toBe('delta__self-verify__2');
  });

  it('says when a trajectory was left out by the size cap and links the raw file', async () => {
    const page = await report('sim-run', { trajectoryCapBytes: 0 });
    expect(await page.getByTestId('embed-note').textContent()).toContain('48 left out');
    await page.locator('[data-testid="matrix-cell"][data-task="alpha"][data-harness="baseline"]').click();
    await page.getByTestId('trial-row').first().click();
    const note = page.getByTestId('left-out');
    expect(await note.textContent()).toContain('left out of the file');
    expect(await note.locator('a').getAttribute('href')).toBe('trials/alpha__baseline__1/trajectory.jsonl');
  });

  it('flags an incomplete, error-heavy run and shows errors and timeouts apart', async () => {
    const page = await report('errors-run');
    expect(await page.getByTestId('simulated-banner').count()).toBe(0);
    expect(await page.getByTestId('completeness').getAttribute('class')).toContain('bad');
    await expectLeaderboardMatchesSummary(page, 'errors-run');
    await page.getByTestId('filter-errors').click();
    expect(await page.getByTestId('matrix-row').evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.task))).toEqual(['alpha', 'bravo']);
    await page.locator('[data-testid="matrix-cell"][data-task="bravo"][data-harness="self-verify"]').click();
    await page.getByTestId('trial-row').first().click();
    expect(await page.getByTestId('trial-error').textContent()).toContain('VERIFIER');
    await screenshot(page, 'report-errors', 'main');
  });

  it('shows the step funnel and each step of a multi-step trial', async () => {
    const page = await report('multistep-run');
    expect(await page.getByTestId('funnel-step').count()).toBe(6);
    await page.locator('[data-testid="matrix-cell"][data-task="release-flow"][data-harness="baseline"]').click();
    await page.locator('[data-testid="trial-row"][data-trial="release-flow__baseline__2"]').click();
    const outputs = page.getByTestId('verifier-output');
    await expect.poll(() => outputs.count()).toBe(3);
    expect(await outputs.nth(1).textContent()).toContain('FAILED');
    expect(await outputs.nth(2).textContent()).toContain('Skipped');
    await screenshot(page, 'report-funnel', '#funnel');
  });
});

describe('compare page', () => {
  it('puts two sides on one page, candidate against baseline', async () => {
    const base = await loadSide(`${path.join(tmp, 'sim-run')}#baseline`);
    const cand = await loadSide(`${path.join(tmp, 'sim-run')}#hide-exit-codes`);
    const file = path.join(tmp, 'compare.html');
    await writeFile(file, await renderCompareReport(base, cand));
    const page = await open(pathToFileURL(file).href);
    expect(await rowOrder(page)).toEqual(['baseline', 'hide-exit-codes']);
    expect(await page.getByTestId('ab-reading').textContent()).toMatch(/^hide-exit-codes is 43\.8 points worse than baseline; unlikely to be noise/);
    await page.locator('[data-testid="matrix-cell"][data-task="alpha"][data-harness="hide-exit-codes"]').click();
    await page.getByTestId('trial-row').last().click();
    await expect.poll(() => page.getByTestId('action').count()).toBe(2);
    expect(await page.locator('[data-testid="trial-viewer"] a', { hasText: 'trajectory.jsonl' }).getAttribute('href')).toMatch(/^file:\/\/.*\/sim-run\/trials\/alpha__hide-exit-codes__2\/trajectory\.jsonl$/);
    await screenshot(page, 'compare-full');
  });
});

describe('live view server', () => {
  let server: ViewServer;
  beforeAll(async () => {
    server = await startViewServer([path.join(tmp, 'sim-run')]);
  });
  afterAll(() => server?.close());

  it('serves the same page and fetches trial files on demand', async () => {
    const page = await open(server.url);
    await expectLeaderboardMatchesSummary(page, 'sim-run');
    for (const id of ['chart-passrate', 'chart-cost', 'chart-taskdiff']) expect((await paintedPixels(page, id)) > 2000).toBe(true);
    expect(await page.getByTestId('embed-note').textContent()).toContain('Live view');
    await page.getByTestId('filter-different').click();
    expect(await page.getByTestId('matrix-row').count()).toBe(7);
    await page.locator('[data-testid="matrix-cell"][data-task="charlie"][data-harness="hide-exit-codes"]').click();
    const fetched = page.waitForResponse((r) => r.url().endsWith('/trials/charlie__hide-exit-codes__1/trajectory.jsonl'));
    await page.getByTestId('trial-row').first().click();
    expect((await fetched).status()).toBe(200);
    const viewer = page.getByTestId('trial-viewer');
    await expect.poll(() => viewer.getByTestId('action').count()).toBe(2);
    expect(await viewer.getByTestId('verifier-output').textContent()).toContain('FAILED');
    await screenshot(page, 'live-trial', '#trials');
  });
});
