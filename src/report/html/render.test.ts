import { cp, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSide } from '../../runner/load-results.js';
import { modelFromHtml } from '../../test-support/report-page.js';
import { buildCompareModel, renderCompareReport } from './compare-html.js';
import { embedJson, renderReport } from './render.js';
import { startViewServer, type ViewServer } from './view-server.js';
import { loadRunModel, writeRunReport } from './write-report.js';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/results/', import.meta.url));
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'hbench-html-'));
  await cp(path.join(fixtures, 'sim-run'), path.join(tmp, 'sim-run'), { recursive: true });
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

describe('renderReport', () => {
  it('is one self-contained page: no external scripts, styles, fonts or images', async () => {
    const html = renderReport(await loadRunModel(path.join(fixtures, 'sim-run')));
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+rel=["']?stylesheet/i);
    expect(html).not.toMatch(/@import|url\(\s*['"]?https?:/i);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('data-testid="simulated-banner"');
    expect(html.match(/id="hbench-data"/g)).toHaveLength(1);
  });

  it('embeds the model so that no run data can close the script element', async () => {
    const model = await loadRunModel(path.join(fixtures, 'sim-run'));
    model.title = 'x</script><script>alert(1)</script>';
    const html = renderReport(model);
    for (const id of ['hbench-data', 'hbench-details']) {
      const json = new RegExp(`id="${id}">([\\s\\S]*?)</script>`).exec(html)![1]!;
      expect(json).not.toContain('<');
    }
    // What the page rebuilds (trials cell by cell) is the model.
    const rebuilt = modelFromHtml(html);
    expect({ ...rebuilt, trials: byId(rebuilt.trials) }).toEqual({ ...model, trials: byId(model.trials) });
    expect(html).toContain('<title>x&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>');
    expect(embedJson({ a: '</script>\u2028' })).toBe('{"a":"\\u003c/script>\\u2028"}');
  });
});

describe('writeRunReport', () => {
  it('writes <runDir>/report.html atomically and returns its path', async () => {
    const dir = path.join(tmp, 'sim-run');
    const file = await writeRunReport(dir);
    expect(file).toBe(path.join(dir, 'report.html'));
    expect((await readdir(dir)).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect((await readFile(file, 'utf8')).startsWith('<!doctype html>')).toBe(true);
  });

  it('keeps raw-file links pointing at the run when written elsewhere', async () => {
    const file = await writeRunReport(path.join(tmp, 'sim-run'), { file: path.join(tmp, 'out', '..', 'elsewhere.html') });
    const model = modelFromHtml(await readFile(file, 'utf8'));
    expect(model.trials[0]!.raw).toBe(`sim-run/trials/${model.trials[0]!.key}/`);
  });
});

describe('renderCompareReport', () => {
  it('puts both sides on one page, baseline first, with distinct ids when they share a harness name', async () => {
    const a = await loadSide(`${path.join(fixtures, 'sim-run')}#baseline`);
    const b = await loadSide(`${path.join(tmp, 'sim-run')}#baseline`);
    const m = await buildCompareModel(a, b);
    expect(m.harnesses).toEqual(['sim-run#baseline (A)', 'sim-run#baseline (B)']);
    expect(m.trials.filter((t) => t.harness === m.harnesses[1]).every((t) => t.raw.includes(encodeURI(tmp)))).toBe(true);
    const c = await buildCompareModel(a, await loadSide(`${path.join(fixtures, 'sim-run')}#self-verify`));
    expect(c.harnesses).toEqual(['baseline', 'self-verify']);
    expect(c.ab.baseline![0]).toMatchObject({ candidate: 'self-verify', verdict: 'no detectable difference' });
    expect(new Set(c.trials.map((t) => t.id)).size).toBe(c.trials.length);
    expect(c.trials[0]!.raw).toMatch(/^file:\/\/.*\/trials\/.+\/$/);
    expect(c.provenance.sources.map((s) => s.label)).toEqual([a.label, 'sim-run#self-verify']);
    expect(await renderCompareReport(a, b)).toContain('hbench compare');
  });
});

describe('startViewServer', () => {
  let server: ViewServer;
  beforeAll(async () => {
    const dir = path.join(tmp, 'sim-run');
    await writeFile(path.join(tmp, 'secret.txt'), 'outside');
    await symlink(path.join(tmp, 'secret.txt'), path.join(dir, 'trials', 'escape.txt'));
    server = await startViewServer([dir]);
  });
  afterAll(() => server.close());

  it('serves the page in live mode and the trial files beside it', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(server.url);
    expect(page.headers.get('content-type')).toContain('text/html');
    const model = modelFromHtml(await page.text());
    expect(model.mode).toBe('live');
    expect(model.details).toEqual({});
    expect(model.trials).toHaveLength(48);
    expect(model.trials.every((t) => t.files!.trajectory)).toBe(true);
    const traj = await fetch(new URL('trials/alpha__baseline__1/trajectory.jsonl', server.url));
    expect(traj.status).toBe(200);
    expect(traj.headers.get('content-type')).toContain('text/plain');
    expect((await traj.text()).split('\n')[0]).toContain('"taskStep":"main"');
  });

  it('never serves a file outside the results folder', async () => {
    for (const p of ['trials/..%2f..%2fsecret.txt', '..%2fsecret.txt', '%2e%2e/secret.txt', 'trials/escape.txt', 'trials/%2e%2e/%2e%2e/secret.txt']) {
      const res = await fetch(server.url + p);
      expect([p, res.status]).toEqual([p, 404]);
    }
    expect((await fetch(server.url + 'nope/x.txt')).status).toBe(404);
  });

  it('refuses requests addressed to another host name (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const url = new URL(server.url);
      request({ host: url.hostname, port: url.port, path: '/', headers: { host: `evil.example:${url.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject).end();
    });
    expect(status).toBe(421);
  });

  it('closes once, however often it is asked', async () => {
    const s = await startViewServer([path.join(fixtures, 'sim-run'), path.join(fixtures, 'multistep-run')]);
    const index = await (await fetch(s.url)).text();
    expect(index).toContain('href="/runs/1/"');
    expect((await fetch(`${s.url}runs/1/`)).status).toBe(200);
    await Promise.all([s.close(), s.close()]);
  });
});
