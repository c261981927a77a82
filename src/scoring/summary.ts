/**
 * Per-harness counts and rates over a run's trial records. Infrastructure errors are kept apart and left out of the
 * pass rate (they say nothing about the harness); timeouts count as failures.
 */
import type { TrialResult } from '../runner/trial-result.js';

export interface HarnessSummary {
  harness: string;
  trials: number;
  passed: number;
  failed: number;
  timeouts: number;
  errors: number;
  /** passed / (trials − errors); null when every trial errored. */
  passRate: number | null;
  meanReward: number | null;
  tasks: number;
  meanDurationMs: number;
}

export interface RunSummary {
  runId: string;
  harnesses: HarnessSummary[];
  total: number;
}

export function summarise(runId: string, results: TrialResult[], harnessOrder: string[] = []): RunSummary {
  const byHarness = new Map<string, TrialResult[]>();
  for (const h of harnessOrder) byHarness.set(h, []);
  for (const r of results) {
    if (!byHarness.has(r.harness)) byHarness.set(r.harness, []);
    byHarness.get(r.harness)!.push(r);
  }
  const harnesses = [...byHarness].map(([harness, rs]): HarnessSummary => {
    const count = (s: TrialResult['status']) => rs.filter((r) => r.status === s).length;
    const scored = rs.filter((r) => r.status !== 'error');
    const rewards = scored.map((r) => r.reward ?? 0);
    return {
      harness,
      trials: rs.length,
      passed: count('passed'),
      failed: count('failed'),
      timeouts: count('timeout'),
      errors: count('error'),
      passRate: scored.length ? count('passed') / scored.length : null,
      meanReward: rewards.length ? rewards.reduce((a, b) => a + b, 0) / rewards.length : null,
      tasks: new Set(rs.map((r) => r.taskId)).size,
      meanDurationMs: rs.length ? Math.round(rs.reduce((a, r) => a + r.durationMs, 0) / rs.length) : 0,
    };
  });
  return { runId, harnesses, total: results.length };
}
