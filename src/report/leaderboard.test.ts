import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { summarise } from '../scoring/summary.js';
import { runA, runB, runC } from '../test-support/leaderboard-fixtures.js';
import { buildLeaderboard, suiteOf } from './leaderboard.js';

describe('suiteOf', () => {
  it('is the sha256 of the sorted id + content hash list, whatever the task order', () => {
    const expected = createHash('sha256').update('t1\0h1\nt2\0h2\nt3\0h3').digest('hex');
    expect(suiteOf(runA.record).digest).toBe(expected);
    expect(suiteOf(runB.record).digest).toBe(expected);
    expect(suiteOf(runC.record).digest).not.toBe(expected);
  });
});

describe('buildLeaderboard', () => {
  const lb = buildLeaderboard([runA, runB, runC]);

  it('ranks rows of the same suite together and puts a different suite in its own group', () => {
    expect(lb.groups.map((g) => g.suite.digest)).toEqual([suiteOf(runA.record).digest, suiteOf(runC.record).digest]);
    expect(lb.groups[0]!.rows.map((r) => [r.rank, r.label])).toEqual([
      [1, 'loop-detect'],
      [1, 'self-verify'],
      [3, 'baseline (run-a)'],
      [4, 'baseline (run-b)'],
      [null, 'broken'],
    ]);
    expect(lb.groups[1]!.rows.map((r) => [r.rank, r.label])).toEqual([[1, 'baseline (run-c)']]);
  });

  it('says why groups are apart, naming the differing suite and tasks', () => {
    const [main, other] = lb.groups;
    expect(main!.note).toMatch(/ranked together; 1 other suite is ranked separately/);
    const ref = suiteOf(runA.record).digest.slice(0, 12);
    expect(other!.note).toContain(`suite ${suiteOf(runC.record).digest.slice(0, 12)} (3 tasks) differs from suite ${ref}`);
    expect(other!.note).toContain('1 task only here (t4)');
    expect(other!.note).toContain('1 missing (t3)');
    expect(other!.note).toContain('1 with changed content (t2)');
    expect(buildLeaderboard([runA, runB]).groups[0]!.note).toMatch(/^Every row ran suite [0-9a-f]{12} \(3 tasks\)\.$/);
  });

  it('reports the same numbers as the run summaries', () => {
    for (const run of [runA, runB, runC]) {
      const summary = summarise(run.record.runId, run.trials, run.record.harnesses.map((h) => h.name));
      for (const h of summary.harnesses) {
        const row = lb.groups.flatMap((g) => g.rows).find((r) => r.runId === run.record.runId && r.harness === h.harness)!;
        expect(row.passRate).toEqual(h.passRate);
        expect(row.meanTokens).toBe(h.tokens?.mean ?? null);
        expect(row.meanCostUsd).toBe(h.costUsd?.mean ?? null);
        expect([row.trials, row.passed, row.failed, row.timeouts, row.errors, row.tasks]).toEqual([h.trials, h.passed, h.failed, h.timeouts, h.errors, h.tasks]);
      }
    }
    const baseA = lb.groups[0]!.rows.find((r) => r.label === 'baseline (run-a)')!;
    // t1 2/2, t2 1/1, t3 0/1 (errors are left out): mean of 1, 1, 0.
    expect(baseA.passRate!.rate).toBeCloseTo(2 / 3, 12);
    expect(baseA.passRate!.method).toBe('cluster-wilson');
  });

  it('counts errors as failures when asked, as the summary does', () => {
    const withErrors = buildLeaderboard([runA], { errorsAsFailures: true });
    const summary = summarise('run-a', runA.trials, ['baseline', 'self-verify'], { errorsAsFailures: true });
    const row = withErrors.groups[0]!.rows.find((r) => r.harness === 'baseline')!;
    expect(row.passRate).toEqual(summary.harnesses[0]!.passRate);
    // t2's error now counts as its second failure: mean of 1, 0.5, 0.
    expect(row.passRate!.rate).toBeCloseTo(0.5, 12);
    expect(withErrors.errorsCounted).toBe('as failures');
  });

  it('carries model, simulated flag, date, run id and trials per task', () => {
    const rows = lb.groups[0]!.rows;
    const sv = rows.find((r) => r.harness === 'self-verify')!;
    expect(sv).toMatchObject({ model: { id: 'sim', simulated: true }, runId: 'run-a', dir: '/results/run-a', date: '2025-01-02T03:04:05.000Z', trialsPerTask: { min: 2, max: 2 } });
    expect(rows.find((r) => r.harness === 'loop-detect')!.model).toEqual({ id: 'openai:gpt-4.1-mini', simulated: false });
    expect(rows.find((r) => r.harness === 'broken')!.trialsPerTask).toEqual({ min: 0, max: 2 });
    expect(lb.simulated).toBe(true);
    expect(buildLeaderboard([runB]).simulated).toBe(false);
  });

  it('labels a harness by name alone when only one run has it', () => {
    expect(buildLeaderboard([runA]).groups[0]!.rows.map((r) => r.label)).toEqual(['self-verify', 'baseline']);
    expect(buildLeaderboard([])).toEqual({ groups: [], simulated: false, errorsCounted: 'excluded' });
  });
});
