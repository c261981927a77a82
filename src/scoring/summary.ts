/**
 * Per-harness metrics over a run's trial records. Infrastructure errors are reported apart and, by default, left out
 * of pass rates (they say nothing about the harness; `errorsAsFailures` counts them as failures instead); timeouts
 * count as failures. Rates are averaged over tasks with a task-clustered CI (see rates.ts).
 */
import type { TrialResult } from '../records/trial-result.js';
import { clusteredRate, distribution, passKTable, type RateEstimate, type TaskTally } from './rates.js';

export interface SummaryOptions {
  errorsAsFailures?: boolean;
}

export interface StepStats {
  /** 1-based position of the step in its task. */
  index: number;
  name: string;
  taskId: string;
  /** Trials in which the step ran (not skipped after an early stop). */
  ran: number;
  passed: number;
  /** passed / ran. */
  rate: number | null;
  /** Pass rate among trials whose previous step passed (the first step: among all). */
  conditionalRate: number | null;
}

export interface CompoundingStats {
  /** Multi-step: Π of the per-step rates (assumes steps succeed independently), beside the observed rate. */
  steps: { taskId: string; predicted: number | null; observed: number | null }[];
  /** Actions: p̂ⁿ with p̂ the share of ok actions and n the mean number of actions per trial. */
  actions: { okShare: number | null; meanActions: number; predicted: number | null; observed: number | null };
}

export interface HarnessSummary {
  harness: string;
  trials: number;
  passed: number;
  failed: number;
  timeouts: number;
  errors: number;
  /** Failed trials whose verifier wrote no usable reward after the agent ran (counted as reward 0). */
  noReward: number;
  /** Trials in which a forgery attempt (a planted reward file) was found and discarded. */
  tampered: number;
  /** Trials verified in a fresh container (`--verifier separate`). */
  verifiedSeparately: number;
  tasks: number;
  /** Task-clustered pass rate with its 95% CI; null when no trial could be scored. */
  passRate: RateEstimate | null;
  meanReward: number | null;
  passK: Array<{ k: number; passAtK: number; passHatK: number }>;
  steps: StepStats[];
  compounding: CompoundingStats;
  /** Tasks with mixed outcomes across this harness's trials. */
  flakyTasks: string[];
  tokens: ReturnType<typeof distribution>;
  costUsd: ReturnType<typeof distribution>;
  durationMs: ReturnType<typeof distribution>;
  meanDurationMs: number;
  errorsCounted: 'excluded' | 'as failures';
}

export interface RunSummary {
  runId: string;
  harnesses: HarnessSummary[];
  total: number;
}

/** Per-task tallies of one harness's trials (errors left out unless counted as failures). */
export function taskTallies(results: TrialResult[], options: SummaryOptions = {}): Map<string, TaskTally> {
  const tallies = new Map<string, TaskTally>();
  for (const r of results) {
    if (r.status === 'error' && !options.errorsAsFailures) continue;
    const t = tallies.get(r.taskId) ?? { successes: 0, trials: 0 };
    t.trials++;
    if (r.status === 'passed') t.successes++;
    tallies.set(r.taskId, t);
  }
  return tallies;
}

export function summarise(runId: string, results: TrialResult[], harnessOrder: string[] = [], options: SummaryOptions = {}): RunSummary {
  const byHarness = new Map<string, TrialResult[]>();
  for (const h of harnessOrder) byHarness.set(h, []);
  for (const r of results) {
    if (!byHarness.has(r.harness)) byHarness.set(r.harness, []);
    byHarness.get(r.harness)!.push(r);
  }
  return { runId, harnesses: [...byHarness].map(([h, rs]) => summariseHarness(h, rs, options)), total: results.length };
}

export function summariseHarness(harness: string, rs: TrialResult[], options: SummaryOptions = {}): HarnessSummary {
  const count = (s: TrialResult['status']) => rs.filter((r) => r.status === s).length;
  const scored = rs.filter((r) => r.status !== 'error' || options.errorsAsFailures);
  const tallies = taskTallies(rs, options);
  const perTask = [...tallies.values()];
  const rewards = scored.map((r) => r.reward ?? 0);
  const steps = stepStats(scored);
  const observedByTask = new Map([...tallies].map(([k, t]) => [k, t.trials ? t.successes / t.trials : null]));
  const multiStepTasks = [...new Set(steps.map((s) => s.taskId))];
  const actions = scored.reduce((a, r) => a + r.actions, 0);
  const actionsOk = scored.reduce((a, r) => a + r.actionsOk, 0);
  const okShare = actions ? actionsOk / actions : null;
  const meanActions = scored.length ? actions / scored.length : 0;
  const observed = scored.length ? scored.filter((r) => r.status === 'passed').length / scored.length : null;
  return {
    harness,
    trials: rs.length,
    passed: count('passed'),
    failed: count('failed'),
    timeouts: count('timeout'),
    errors: count('error'),
    noReward: rs.filter((r) => r.reason === 'no-reward').length,
    tampered: rs.filter((r) => (r.tampering?.length ?? 0) > 0).length,
    verifiedSeparately: rs.filter((r) => r.verification === 'separate').length,
    tasks: new Set(rs.map((r) => r.taskId)).size,
    passRate: clusteredRate(perTask),
    meanReward: rewards.length ? rewards.reduce((a, b) => a + b, 0) / rewards.length : null,
    passK: passKTable(perTask),
    steps,
    compounding: {
      steps: multiStepTasks.map((taskId) => {
        const rates = steps.filter((s) => s.taskId === taskId).map((s) => s.rate);
        return { taskId, predicted: rates.some((r) => r === null) ? null : (rates as number[]).reduce((a, r) => a * r, 1), observed: observedByTask.get(taskId) ?? null };
      }),
      actions: { okShare, meanActions, predicted: okShare === null ? null : okShare ** meanActions, observed },
    },
    flakyTasks: [...tallies].filter(([, t]) => t.successes > 0 && t.successes < t.trials).map(([k]) => k).sort(),
    tokens: distribution(scored.map((r) => r.tokens.input + r.tokens.output)),
    costUsd: distribution(scored.map((r) => r.costUsd)),
    durationMs: distribution(rs.map((r) => r.durationMs)),
    meanDurationMs: rs.length ? Math.round(rs.reduce((a, r) => a + r.durationMs, 0) / rs.length) : 0,
    errorsCounted: options.errorsAsFailures ? 'as failures' : 'excluded',
  };
}

function stepStats(results: TrialResult[]): StepStats[] {
  const out = new Map<string, StepStats & { prevPassed: number; passedAfterPrev: number }>();
  for (const r of results) {
    if (r.steps.length < 2) continue;
    r.steps.forEach((s, i) => {
      const key = `${r.taskId}\0${i}`;
      const st = out.get(key) ?? { index: i + 1, name: s.name, taskId: r.taskId, ran: 0, passed: 0, rate: null, conditionalRate: null, prevPassed: 0, passedAfterPrev: 0 };
      const prevOk = i === 0 || r.steps[i - 1]!.status === 'passed';
      if (s.status !== 'skipped') st.ran++;
      if (s.status === 'passed') st.passed++;
      if (prevOk) {
        st.prevPassed++;
        if (s.status === 'passed') st.passedAfterPrev++;
      }
      out.set(key, st);
    });
  }
  return [...out.values()].map(({ prevPassed, passedAfterPrev, ...s }) => ({
    ...s,
    rate: s.ran ? s.passed / s.ran : null,
    conditionalRate: prevPassed ? passedAfterPrev / prevPassed : null,
  }));
}

/** A harness's counts and means as leaderboard rows show them (the HTML report and `hbench leaderboard` alike). */
export function rowFigures(h: HarnessSummary) {
  return {
    trials: h.trials,
    tasks: h.tasks,
    passed: h.passed,
    failed: h.failed,
    timeouts: h.timeouts,
    errors: h.errors,
    meanTokens: h.tokens?.mean ?? null,
    meanCostUsd: h.costUsd?.mean ?? null,
  };
}
