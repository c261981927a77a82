/**
 * Pass rates with honest uncertainty. Trials are nested in tasks, so the unit that was sampled is the task:
 *
 * - **rate**: the mean of per-task pass rates (every task weighs the same, whatever its trial count).
 * - **clustered SE** (cluster = task, CR1 small-sample correction): with C tasks and per-task rates m_c,
 *   SE = sqrt( C/(C−1) · Σ(m_c − m̄)² / C² ), i.e. the sample standard deviation of the per-task rates over √C.
 *   It covers both the spread between tasks and the trial-to-trial noise inside them, and estimates how the rate
 *   would move if the tasks were drawn again from the same population of tasks.
 * - **CI** (`cluster-wilson`): a Wilson score interval on the design-effect effective sample size
 *   n_eff = m̄(1−m̄)/SE², with the t quantile for C−1 df in place of z (Korn & Graubard 1998, "Confidence intervals
 *   for proportions with small expected number of positive counts estimated from survey data"). m̄ ± t·SE is
 *   symmetric and clipped, so near 0 or 1 it under-covers (82% nominal-95% coverage for 10 tasks × 3 trials at an 11%
 *   mean rate); the score interval bends away from the boundary as a proportion's should. n_eff is capped at the
 *   number of trials (design effect ≥ 1): a spread between tasks below binomial noise is chance, and the cap is also
 *   what keeps the interval open when the SE is 0 (every task at 0/5, 5/5 or 3/5): it becomes Wilson on the pooled
 *   trials, never a zero-width point. Measured coverage: README, Statistics; checked in stats.coverage.test.ts.
 * - with a **single task** there is nothing to cluster over: a Wilson score interval on its trials.
 */
import { normalQuantile, tQuantile } from './distributions.js';

export interface TaskTally {
  successes: number;
  trials: number;
}

export interface RateEstimate {
  rate: number;
  se: number;
  low: number;
  high: number;
  /** Confidence level of [low, high], e.g. 0.95. */
  level: number;
  method: 'cluster-wilson' | 'wilson';
  clusters: number;
  trials: number;
  /** The effective sample size the interval used (the trial count for a single task). */
  effectiveN: number;
}

export function wilsonInterval(successes: number, n: number, confidence = 0.95): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  return wilsonScore(successes / n, n, normalQuantile(1 - (1 - confidence) / 2));
}

/** Wilson's score interval for a proportion p observed over (effective) sample size n, with critical value q. */
export function wilsonScore(p: number, n: number, q: number): { low: number; high: number } {
  const denom = 1 + (q * q) / n;
  const centre = (p + (q * q) / (2 * n)) / denom;
  const half = (q * Math.sqrt((p * (1 - p)) / n + (q * q) / (4 * n * n))) / denom;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export function clusteredRate(perTask: TaskTally[], confidence = 0.95): RateEstimate | null {
  const tasks = perTask.filter((t) => t.trials > 0);
  const trials = tasks.reduce((a, t) => a + t.trials, 0);
  if (tasks.length === 0) return null;
  if (tasks.length === 1) {
    const t = tasks[0]!;
    const rate = t.successes / t.trials;
    const w = wilsonInterval(t.successes, t.trials, confidence);
    return { rate, se: Math.sqrt((rate * (1 - rate)) / t.trials), low: w.low, high: w.high, level: confidence, method: 'wilson', clusters: 1, trials, effectiveN: trials };
  }
  const c = tasks.length;
  const means = tasks.map((t) => t.successes / t.trials);
  const rate = mean(means);
  const ss = means.reduce((a, m) => a + (m - rate) ** 2, 0);
  const se = Math.sqrt(((c / (c - 1)) * ss) / (c * c));
  const effectiveN = se > 0 ? Math.min(trials, (rate * (1 - rate)) / se ** 2) : trials;
  const w = wilsonScore(rate, effectiveN, tQuantile(1 - (1 - confidence) / 2, c - 1));
  return { rate, se, low: w.low, high: w.high, level: confidence, method: 'cluster-wilson', clusters: c, trials, effectiveN };
}

/**
 * Unbiased pass@k for one task with n trials of which c passed (Chen et al. 2021, HumanEval):
 * 1 − C(n−c, k)/C(n, k), computed as a product to stay stable.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (k > n) throw new RangeError(`pass@${k} needs at least ${k} trials per task (have ${n})`);
  if (n - c < k) return 1;
  let prod = 1;
  for (let i = n - c + 1; i <= n; i++) prod *= 1 - k / i;
  return 1 - prod;
}

/** pass^k for one task (Yao et al. 2024, τ-bench): the chance that k trials drawn without replacement all pass, C(c,k)/C(n,k). */
export function passHatK(n: number, c: number, k: number): number {
  if (k > n) throw new RangeError(`pass^${k} needs at least ${k} trials per task (have ${n})`);
  let prod = 1;
  for (let i = 0; i < k; i++) prod *= (c - i) / (n - i);
  return Math.max(0, prod);
}

/** pass@k and pass^k averaged over tasks, for k = 1 .. the smallest trial count. */
export function passKTable(perTask: TaskTally[]): Array<{ k: number; passAtK: number; passHatK: number }> {
  const tasks = perTask.filter((t) => t.trials > 0);
  if (tasks.length === 0) return [];
  const kMax = Math.min(...tasks.map((t) => t.trials));
  const rows: Array<{ k: number; passAtK: number; passHatK: number }> = [];
  for (let k = 1; k <= kMax; k++) {
    rows.push({
      k,
      passAtK: mean(tasks.map((t) => passAtK(t.trials, t.successes, k))),
      passHatK: mean(tasks.map((t) => passHatK(t.trials, t.successes, k))),
    });
  }
  return rows;
}

export function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

export function sampleVariance(xs: number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
}

/** Mean, median and p90 (linear interpolation between order statistics, as numpy's default). */
export function distribution(xs: number[]): { mean: number; median: number; p90: number } | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return { mean: mean(s), median: quantile(s, 0.5), p90: quantile(s, 0.9) };
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
