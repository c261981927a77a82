/** What must not depend on where, or in which order, a run's trials ran: for comparing a spread run with one machine's. */
import type { TrialResult } from '../records/trial-result.js';

/** Each trial's outcome by key: status, reward, steps, actions, tokens, cost and error code (not times or paths). */
export function outcomesByKey(trials: TrialResult[]): Record<string, unknown> {
  return Object.fromEntries(
    trials.map((t) => [t.key, { status: t.status, reward: t.reward, steps: t.steps.map((s) => [s.name, s.status, s.reward, s.actions, s.actionsOk]), actions: t.actions, tokens: t.tokens, costUsd: t.costUsd, error: t.error?.code ?? null }]),
  );
}

/** The statistics of a summary.json that a spread run must reproduce exactly. */
export function summaryRates(summary: { harnesses: Array<Record<string, unknown>> }): unknown[] {
  return summary.harnesses.map((h) => ({ harness: h.harness, trials: h.trials, passed: h.passed, failed: h.failed, errors: h.errors, passRate: h.passRate, passK: h.passK, meanReward: h.meanReward }));
}
