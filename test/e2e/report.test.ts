import { existsSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli, startCli, tempDir, waitFor } from '../../src/test-support/cli.js';
import { findAll, parseXml } from '../../src/test-support/mini-xml.js';

const SIM_RUN = path.join(FIXTURES, 'results/sim-run');
const ERRORS_RUN = path.join(FIXTURES, 'results/errors-run');

/** A copy of a fixture results folder (report writes report.html into it). */
async function copyOf(dir: string): Promise<string> {
  const to = path.join(await tempDir(), path.basename(dir));
  await cp(dir, to, { recursive: true });
  return to;
}

describe('reports from the command line', () => {
  it('hbench run writes report.html at the end and JUnit with --junit', async () => {
    const out = await tempDir();
    const junit = path.join(out, 'junit.xml');
    const r = await runCli(['run', '--tasks', path.join(FIXTURES, 'tasks'), '--task', 'hello', '--harness', 'oracle', '--harness', 'nop', '--trials', '2', '--out', out, '--run-id', 'rep', '--junit', junit]);
    expect(r.code).toBe(0);
    const html = await readFile(path.join(out, 'rep', 'report.html'), 'utf8');
    expect(html).toContain('id="hbench-data"');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
    expect(r.stdout).toMatch(/report: .*report\.html/);
    const doc = parseXml(await readFile(junit, 'utf8'));
    const suites = findAll(doc, 'testsuite');
    expect(suites.map((s) => [s.attrs.name, s.attrs.tests, s.attrs.failures, s.attrs.errors])).toEqual([
      ['oracle', '2', '0', '0'],
      ['nop', '2', '2', '0'],
    ]);
  });

  it('hbench report writes the page (or JUnit) of a results folder; bad input is one line and exit 2', async () => {
    const dir = await copyOf(SIM_RUN);
    const r = await runCli(['report', dir]);
    expect(r.code).toBe(0);
    expect(existsSync(path.join(dir, 'report.html'))).toBe(true);
    const out = path.join(await tempDir(), 'page.html');
    expect((await runCli(['report', dir, '--out', out])).code).toBe(0);
    expect(await readFile(out, 'utf8')).toContain('SIMULATED');
    const xml = await runCli(['report', dir, '--format', 'junit']);
    expect(findAll(parseXml(xml.stdout), 'testcase')).toHaveLength(48);
    const two = await runCli(['report', dir, ERRORS_RUN, '--out', out]);
    expect(two.code).toBe(2);
    expect(two.stderr.trim().split('\n')[0]).toMatch(/--out names one file/);
    const missing = await runCli(['report', path.join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no run\.json here/);
  });

  it('hbench leaderboard ranks runs (Markdown, JSON, HTML); hbench compare --format html writes the A/B page', async () => {
    const md = await runCli(['leaderboard', SIM_RUN, ERRORS_RUN]);
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/\| *1 *\|/);
    const json = JSON.parse((await runCli(['leaderboard', SIM_RUN, '--format', 'json'])).stdout);
    expect(json.groups[0].rows.map((r: { harness: string }) => r.harness).sort()).toEqual(['baseline', 'hide-exit-codes', 'self-verify']);
    const lbFile = path.join(await tempDir(), 'lb.html');
    expect((await runCli(['leaderboard', SIM_RUN, '--out', lbFile])).code).toBe(0);
    expect(await readFile(lbFile, 'utf8')).toMatch(/<table/);
    const ab = path.join(await tempDir(), 'ab.html');
    const c = await runCli(['compare', `${SIM_RUN}#baseline`, `${SIM_RUN}#hide-exit-codes`, '--format', 'html', '--out', ab]);
    expect(c.code).toBe(0);
    expect(await readFile(ab, 'utf8')).toContain('id="hbench-data"');
  });

  it('hbench view serves the report on localhost until interrupted', async () => {
    const dir = await copyOf(SIM_RUN);
    const cli = startCli(['view', dir]);
    await waitFor(() => /http:\/\/127\.0\.0\.1:\d+/.test(cli.output()), 30_000, 'the view URL');
    const url = /http:\/\/127\.0\.0\.1:\d+\S*/.exec(cli.output())![0];
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="hbench-data"');
    cli.child.kill('SIGINT');
    expect((await cli.done).code).toBe(0);
  });
});
