import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResultsStore } from '../../runner/results-store.js';
import { pairedComparison } from '../../scoring/paired.js';
import { summarise, taskTallies } from '../../scoring/summary.js';
import { buildReportModel, suiteDigest } from './report-model.js';
import { fileDetailLoader } from './trial-files.js';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/results/', import.meta.url));

async function load(name: string) {
  const dir = path.join(fixtures, name);
  const store = await ResultsStore.open(dir);
  return { dir, record: await store.readRun(), trials: await store.readTrials() };
}

async function model(name: string, extra: Partial<Parameters<typeof buildReportModel>[0]> = {}) {
  const run = await load(name);
  return { run, model: await buildReportModel({ record: run.record, trials: run.trials, loadTrajectory: fileDetailLoader(run.dir), ...extra }) };
}

describe('buildReportModel: leaderboard', () => {
  it.each([
    ['sim-run', false],
    ['errors-run', false],
    ['errors-run', true],
    ['multistep-run', false],
  ])('%s (errors as failures: %s) carries the numbers of summarise()', async (name, errorsAsFailures) => {
    const { run, model: m } = await model(name, { errorsAsFailures });
    const summary = summarise(run.record.runId, run.trials, run.record.harnesses.map((h) => h.name), { errorsAsFailures });
    expect(m.leaderboard).toHaveLength(summary.harnesses.length);
    for (const h of summary.harnesses) {
      const row = m.leaderboard.find((r) => r.harness === h.harness)!;
      expect(row).toMatchObject({
        rate: h.passRate!.rate, low: h.passRate!.low, high: h.passRate!.high, ciMethod: h.passRate!.method,
        passed: h.passed, failed: h.failed, timeouts: h.timeouts, errors: h.errors, trials: h.trials, tasks: h.tasks,
        meanTokens: h.tokens!.mean, meanCostUsd: h.costUsd!.mean, meanDurationMs: h.meanDurationMs,
        passAtK: h.passK[m.k - 1]!.passAtK, passHatK: h.passK[m.k - 1]!.passHatK, flakyTasks: h.flakyTasks,
      });
    }
    expect(m.errorsCounted).toBe(errorsAsFailures ? 'as failures' : 'excluded');
  });

  it('ranks by pass rate and marks who the run cannot tell apart from the leader', async () => {
    const { run, model: m } = await model('sim-run');
    expect(m.leaderboard.map((r) => [r.rank, r.harness])).toEqual([[1, 'self-verify'], [2, 'baseline'], [3, 'hide-exit-codes']]);
    expect(m.leaderboard.map((r) => [r.leader, r.tiedWithLeader])).toEqual([[true, false], [false, true], [false, false]]);
    const tally = (h: string) => taskTallies(run.trials.filter((t) => t.harness === h));
    expect(m.leaderboard[1]!.pVsLeader).toBe(pairedComparison(tally('self-verify'), tally('baseline')).pValue);
    expect(m.leaderboard[2]!.pVsLeader).toBeCloseTo(2 / 128, 12);
    expect(m.k).toBe(2);
  });
});

describe('buildReportModel: provenance', () => {
  it('flags a simulated model and digests the suite', async () => {
    const { run, model: m } = await model('sim-run');
    expect(m.provenance.model).toMatchObject({ id: 'sim:default', simulated: true });
    expect(m.provenance.suiteDigest).toBe(suiteDigest(run.record.tasks));
    expect(m.provenance.suiteDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(suiteDigest([...run.record.tasks].reverse())).toBe(m.provenance.suiteDigest);
    expect(m.provenance.harnesses.map((h) => [h.name, h.hash])).toEqual(run.record.harnesses.map((h) => [h.name, h.hash]));
    expect(m.provenance.completeness).toEqual({ planned: 48, finished: 48, errors: 0, missing: 0, warn: false });
  });

  it('warns when the run is incomplete or has errors', async () => {
    const { model: m } = await model('errors-run');
    expect(m.provenance.model?.simulated).toBe(false);
    expect(m.provenance.status).toBe('interrupted');
    expect(m.provenance.completeness).toEqual({ planned: 20, finished: 13, errors: 3, missing: 7, warn: true });
  });

  it('is plain JSON: what the page parses equals the model', async () => {
    const { model: m } = await model('errors-run');
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });
});

describe('buildReportModel: matrix', () => {
  it('counts k/n per cell and flags differences from the baseline', async () => {
    const { model: m } = await model('sim-run');
    const cell = (t: string, h: string) => m.matrix.cells.find((c) => c.taskId === t && c.harness === h)!;
    expect(cell('alpha', 'hide-exit-codes')).toMatchObject({ k: 1, n: 2, rate: 0.5, flags: { differs: true, regressed: true, improved: false, flaky: true, errors: false } });
    expect(cell('bravo', 'self-verify')).toMatchObject({ k: 2, n: 2, flags: { differs: true, improved: true, regressed: false, flaky: false } });
    expect(cell('bravo', 'baseline').flags).toEqual({ differs: false, regressed: false, improved: false, flaky: true, errors: false });
    expect(cell('echo', 'self-verify').flags.differs).toBe(false);
    expect(cell('alpha', 'baseline').trialIds).toEqual(['alpha__baseline__1', 'alpha__baseline__2']);
    expect(m.matrix.tasks).toHaveLength(8);
  });

  it('leaves errors out of n unless counted as failures, and flags them', async () => {
    const excluded = (await model('errors-run')).model.matrix.cells.find((c) => c.taskId === 'alpha' && c.harness === 'baseline')!;
    expect(excluded).toMatchObject({ k: 1, n: 1, statuses: { passed: 1, error: 1, failed: 0, timeout: 0 }, flags: { errors: true } });
    const counted = (await model('errors-run', { errorsAsFailures: true })).model.matrix.cells.find((c) => c.taskId === 'alpha' && c.harness === 'baseline')!;
    expect(counted).toMatchObject({ k: 1, n: 2 });
    const allErrors = (await model('errors-run')).model.matrix.cells.find((c) => c.taskId === 'bravo' && c.harness === 'self-verify')!;
    expect(allErrors).toMatchObject({ n: 0, rate: null, flags: { differs: false, errors: true } });
  });

  it('flags against the chosen baseline', async () => {
    const { model: m } = await model('sim-run', { baseline: 'self-verify' });
    expect(m.baseline).toBe('self-verify');
    expect(m.matrix.cells.find((c) => c.taskId === 'bravo' && c.harness === 'baseline')!.flags.regressed).toBe(true);
    await expect(model('sim-run', { baseline: 'nope' })).rejects.toThrow(/baseline "nope" is not a harness/);
  });
});

describe('buildReportModel: A/B', () => {
  it('precomputes every baseline with the paired comparison of hbench compare', async () => {
    const { run, model: m } = await model('sim-run');
    expect(Object.keys(m.ab)).toEqual(['baseline', 'hide-exit-codes', 'self-verify']);
    const tally = (h: string) => taskTallies(run.trials.filter((t) => t.harness === h));
    const c = pairedComparison(tally('baseline'), tally('hide-exit-codes'));
    const row = m.ab.baseline!.find((r) => r.candidate === 'hide-exit-codes')!;
    expect(row).toMatchObject({ diff: c.meanDiff, low: c.low, high: c.high, pValue: c.pValue, verdict: c.verdict, tasks: 8 });
    expect(row.mde).toBeGreaterThan(0);
    expect(row.reading).toMatch(/^hide-exit-codes is 43\.8 points worse than baseline; /);
    const tied = m.ab['self-verify']!.find((r) => r.candidate === 'baseline')!;
    expect(tied.verdict).toBe('no detectable difference');
    expect(tied.reading).toMatch(/18\.8 points worse than self-verify; the run cannot tell this from noise; ~\d+ tasks would be needed to detect 5 points$/);
  });

  it('gives per-task differences with intervals that contain them', async () => {
    const { model: m } = await model('sim-run');
    for (const t of m.ab.baseline!.flatMap((r) => r.perTask)) {
      expect(t.low).toBeLessThanOrEqual(t.diff);
      expect(t.high).toBeGreaterThanOrEqual(t.diff);
      expect(t.low).toBeGreaterThanOrEqual(-1);
      expect(t.high).toBeLessThanOrEqual(1);
    }
  });
});

describe('buildReportModel: steps', () => {
  it('copies the per-step funnel and compounding figures', async () => {
    const { run, model: m } = await model('multistep-run');
    const summary = summarise(run.record.runId, run.trials, ['baseline', 'bootstrap']);
    expect(m.funnel.map((f) => f.steps)).toEqual(summary.harnesses.map((h) => h.steps));
    expect(m.funnel.map((f) => f.compounding)).toEqual(summary.harnesses.map((h) => h.compounding));
    expect(m.funnel[0]!.steps.map((s) => [s.name, s.ran, s.passed, s.conditionalRate])).toEqual([['01-init', 3, 2, 2 / 3], ['02-feature', 2, 1, 0.5], ['03-release', 1, 1, 1]]);
  });
});

describe('buildReportModel: trial details', () => {
  it('embeds trajectories and per-step verifier output', async () => {
    const { model: m } = await model('multistep-run');
    const d = m.details['release-flow__baseline__2']!;
    expect(d.trajectory!.map((a) => a.taskStep)).toEqual(['01-init', '01-init', '02-feature', '02-feature']);
    expect(d.verifier.map((v) => [v.step, v.path])).toEqual([['01-init', 'verifier/01-init/stdout.txt'], ['02-feature', 'verifier/02-feature/stdout.txt']]);
    expect(d.verifier[1]!.stdoutTail).toContain('FAILED');
    expect(m.leftOut).toBe(0);
    expect(m.trials.every((t) => t.detail === 'embedded' && t.raw === `trials/${t.key}/`)).toBe(true);
  });

  it('says when a trial has nothing to show', async () => {
    const { model: m } = await model('errors-run');
    expect(m.trials.find((t) => t.key === 'charlie__baseline__1')!.detail).toBe('none');
    expect(m.details['charlie__baseline__1']).toBeUndefined();
  });

  it('stays under the byte cap, failures first, and counts what it left out', async () => {
    const run = await load('sim-run');
    const loader = fileDetailLoader(run.dir);
    const size = async (key: string) => Buffer.byteLength(JSON.stringify(await loader(key, run.trials.find((t) => t.key === key)!)));
    const failed = run.trials.filter((t) => t.status !== 'passed');
    const cap = (await Promise.all(failed.slice(0, 3).map((t) => size(t.key)))).reduce((a, b) => a + b, 0);
    const m = await buildReportModel({ record: run.record, trials: run.trials, loadTrajectory: loader, trajectoryCapBytes: cap });
    const embedded = m.trials.filter((t) => t.detail === 'embedded');
    expect(embedded.length).toBeGreaterThanOrEqual(3);
    expect(embedded.every((t) => t.status !== 'passed')).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(m.details))).toBeLessThanOrEqual(cap + 2 + embedded.length * 40);
    expect(m.leftOut).toBe(run.trials.length - embedded.length);
    expect(m.trials.filter((t) => t.detail === 'left-out')).toHaveLength(m.leftOut);

    const none = await buildReportModel({ record: run.record, trials: run.trials, loadTrajectory: loader, trajectoryCapBytes: 0 });
    expect([Object.keys(none.details).length, none.leftOut]).toEqual([0, run.trials.length]);
  });

  it('embeds nothing in live mode: the page fetches', async () => {
    const { model: m } = await model('sim-run', { mode: 'live' });
    expect(m.details).toEqual({});
    expect(m.trials.every((t) => t.detail === 'fetch')).toBe(true);
  });
});

describe('buildReportModel: edges', () => {
  it('builds for a run with no finished trial yet', async () => {
    const run = await load('sim-run');
    const m = await buildReportModel({ record: run.record, trials: [] });
    expect(m.leaderboard.map((r) => [r.harness, r.rate, r.leader, r.tiedWithLeader])).toEqual(run.record.harnesses.map((h) => [h.name, null, false, false]));
    expect(m.k).toBe(0);
    expect(m.provenance.completeness).toMatchObject({ finished: 0, missing: 48, warn: true });
    expect(m.ab.baseline![0]!.reading).toBe('hide-exit-codes and baseline share no scored tasks; nothing to compare');
    expect(m.matrix.cells.every((c) => c.n === 0 && c.rate === null)).toBe(true);
  });

  it('builds for a single harness', async () => {
    const run = await load('sim-run');
    const trials = run.trials.filter((t) => t.harness === 'baseline');
    const m = await buildReportModel({ record: { ...run.record, harnesses: run.record.harnesses.slice(0, 1) }, trials });
    expect(m.harnesses).toEqual(['baseline']);
    expect(m.ab).toEqual({ baseline: [] });
    expect(m.leaderboard[0]).toMatchObject({ rank: 1, leader: true, tiedWithLeader: false, pVsLeader: null });
  });
});
