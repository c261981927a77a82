/**
 * Paired comparison of two harnesses over the tasks both ran ("Adding Error Bars to Evals", Miller 2024, §4):
 * per task d_t = rate_candidate − rate_baseline; the mean difference d̄, its standard error sd(d)/√T, a two-sided
 * p-value and a 1−α interval that agrees with it. With 16 tasks or fewer both come from the exact sign-flip
 * permutation test over the per-task differences (all 2^T flips; valid without normality; the interval inverts the
 * test, see sign-flip.ts); above that, from the paired t test and its t interval (T−1 df). Either way the interval
 * excludes 0 exactly when p < α. Pairing removes the between-task variance the two sides share: the unpaired SE
 * sqrt(var_b/T + var_c/T) is reported beside it so the gain is visible. Each task is also tested on its own with
 * Fisher's exact test (two-sided), Holm-adjusted over the tasks (multiplicity.ts), to show where a harness got better
 * or worse; the per-task tests never decide the verdict.
 */
import { logChoose, tCdf, tQuantile } from './distributions.js';
import { holmAdjust } from './multiplicity.js';
import { mean, sampleVariance, type TaskTally } from './rates.js';
import { signFlipInterval, signFlipPValue } from './sign-flip.js';

export { signFlipPValue } from './sign-flip.js';

export type Verdict = 'improved' | 'regressed' | 'no detectable difference';

export interface TaskDifference {
  taskId: string;
  baseline: TaskTally;
  candidate: TaskTally;
  baselineRate: number;
  candidateRate: number;
  diff: number;
  fisherP: number;
  /** Fisher's p after Holm's adjustment over the compared tasks. */
  adjustedP: number;
  /** adjustedP < α. */
  significant: boolean;
}

export interface PairedComparison {
  tasks: number;
  baselineRate: number;
  candidateRate: number;
  meanDiff: number;
  se: number;
  low: number;
  high: number;
  /** Confidence level of [low, high]: 1 − α. */
  level: number;
  /** How [low, high] was made: by inverting the sign-flip test, or the t interval of the paired t test. */
  interval: 'sign-flip-inversion' | 't' | 'none';
  df: number;
  pValue: number;
  test: 'permutation-exact' | 'paired-t' | 'none';
  correlation: number | null;
  unpairedSe: number;
  /** Correction of the per-task Fisher tests for testing every task. */
  multiplicity: 'holm';
  verdict: Verdict;
  alpha: number;
  minEffect: number;
  perTask: TaskDifference[];
  onlyBaseline: string[];
  onlyCandidate: string[];
}

export interface CompareOptions {
  alpha?: number;
  minEffect?: number;
  /** Use the exact permutation test up to this many tasks. */
  exactUpTo?: number;
}

export function pairedComparison(base: Map<string, TaskTally>, cand: Map<string, TaskTally>, options: CompareOptions = {}): PairedComparison {
  const alpha = options.alpha ?? 0.05;
  const minEffect = options.minEffect ?? 0;
  const shared = [...base.keys()].filter((k) => cand.has(k) && base.get(k)!.trials > 0 && cand.get(k)!.trials > 0).sort();
  const fisher = shared.map((taskId) => {
    const b = base.get(taskId)!;
    const c = cand.get(taskId)!;
    return fisherExact(b.successes, b.trials - b.successes, c.successes, c.trials - c.successes);
  });
  const adjusted = holmAdjust(fisher);
  const perTask: TaskDifference[] = shared.map((taskId, i) => {
    const b = base.get(taskId)!;
    const c = cand.get(taskId)!;
    return {
      taskId,
      baseline: b,
      candidate: c,
      baselineRate: b.successes / b.trials,
      candidateRate: c.successes / c.trials,
      diff: c.successes / c.trials - b.successes / b.trials,
      fisherP: fisher[i]!,
      adjustedP: adjusted[i]!,
      significant: adjusted[i]! < alpha,
    };
  });
  const T = perTask.length;
  const diffs = perTask.map((t) => t.diff);
  const bRates = perTask.map((t) => t.baselineRate);
  const cRates = perTask.map((t) => t.candidateRate);
  const meanDiff = T ? mean(diffs) : 0;
  const df = Math.max(T - 1, 0);
  const se = T >= 2 ? Math.sqrt(sampleVariance(diffs) / T) : NaN;
  const unpairedSe = T >= 2 ? Math.sqrt(sampleVariance(bRates) / T + sampleVariance(cRates) / T) : NaN;
  let pValue = 1;
  let test: PairedComparison['test'] = 'none';
  let interval: PairedComparison['interval'] = 'none';
  let low = NaN;
  let high = NaN;
  if (T >= 2) {
    if (T <= (options.exactUpTo ?? 16)) {
      pValue = signFlipPValue(diffs);
      test = 'permutation-exact';
      ({ low, high } = signFlipInterval(diffs, alpha));
      interval = 'sign-flip-inversion';
    } else {
      test = 'paired-t';
      pValue = se === 0 ? (meanDiff === 0 ? 1 : 0) : 2 * (1 - tCdf(Math.abs(meanDiff / se), df));
      const half = tQuantile(1 - alpha / 2, df) * se;
      low = meanDiff - half;
      high = meanDiff + half;
      interval = 't';
    }
  }
  const significant = pValue < alpha;
  const verdict: Verdict = significant && meanDiff > 0 && meanDiff >= minEffect ? 'improved' : significant && meanDiff < 0 && -meanDiff >= minEffect ? 'regressed' : 'no detectable difference';
  return {
    tasks: T,
    baselineRate: T ? mean(bRates) : NaN,
    candidateRate: T ? mean(cRates) : NaN,
    meanDiff,
    se,
    low,
    high,
    level: 1 - alpha,
    interval,
    df,
    pValue,
    test,
    correlation: pearson(bRates, cRates),
    unpairedSe,
    multiplicity: 'holm',
    verdict,
    alpha,
    minEffect,
    perTask,
    onlyBaseline: [...base.keys()].filter((k) => !cand.has(k)).sort(),
    onlyCandidate: [...cand.keys()].filter((k) => !base.has(k)).sort(),
  };
}

/**
 * Fisher's exact test for the 2×2 table [[a, b], [c, d]] (rows: sides; columns: passed, failed), two-sided:
 * the sum of the probabilities of all tables with the same margins that are no more likely than the observed one.
 */
export function fisherExact(a: number, b: number, c: number, d: number): number {
  const row1 = a + b;
  const col1 = a + c;
  const n = a + b + c + d;
  const logP = (x: number) => logChoose(row1, x) + logChoose(n - row1, col1 - x) - logChoose(n, col1);
  const observed = logP(a);
  let p = 0;
  for (let x = Math.max(0, col1 - (n - row1)); x <= Math.min(row1, col1); x++) {
    const lp = logP(x);
    if (lp <= observed + 1e-7) p += Math.exp(lp);
  }
  return Math.min(1, p);
}

export function pearson(xs: number[], ys: number[]): number | null {
  if (xs.length < 2) return null;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}
