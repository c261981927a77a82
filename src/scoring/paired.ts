/**
 * Paired comparison of two harnesses over the tasks both ran ("Adding Error Bars to Evals", Miller 2024, §4):
 * per task d_t = rate_candidate − rate_baseline; the mean difference d̄, its standard error sd(d)/√T, a 95% t interval
 * with T−1 degrees of freedom, and a two-sided p-value. With 16 tasks or fewer the p-value comes from the exact
 * sign-flip permutation test over the per-task differences (all 2^T flips; valid without normality); above that, from
 * the paired t test. Pairing removes the between-task variance the two sides share: the unpaired SE
 * sqrt(var_b/T + var_c/T) is reported beside it so the gain is visible. Each task is also tested on its own with
 * Fisher's exact test (two-sided), to show where a harness got better or worse.
 */
import { logChoose, tCdf, tQuantile } from './distributions.js';
import { mean, sampleVariance, type TaskTally } from './rates.js';

export type Verdict = 'improved' | 'regressed' | 'no detectable difference';

export interface TaskDifference {
  taskId: string;
  baseline: TaskTally;
  candidate: TaskTally;
  baselineRate: number;
  candidateRate: number;
  diff: number;
  fisherP: number;
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
  df: number;
  pValue: number;
  test: 'permutation-exact' | 'paired-t' | 'none';
  correlation: number | null;
  unpairedSe: number;
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
  const perTask: TaskDifference[] = shared.map((taskId) => {
    const b = base.get(taskId)!;
    const c = cand.get(taskId)!;
    const fisherP = fisherExact(b.successes, b.trials - b.successes, c.successes, c.trials - c.successes);
    return {
      taskId,
      baseline: b,
      candidate: c,
      baselineRate: b.successes / b.trials,
      candidateRate: c.successes / c.trials,
      diff: c.successes / c.trials - b.successes / b.trials,
      fisherP,
      significant: fisherP < alpha,
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
  if (T >= 2) {
    if (T <= (options.exactUpTo ?? 16)) {
      pValue = signFlipPValue(diffs);
      test = 'permutation-exact';
    } else {
      test = 'paired-t';
      pValue = se === 0 ? (meanDiff === 0 ? 1 : 0) : 2 * (1 - tCdf(Math.abs(meanDiff / se), df));
    }
  }
  const half = T >= 2 ? tQuantile(1 - alpha / 2, df) * se : NaN;
  const significant = pValue < alpha;
  const verdict: Verdict = significant && meanDiff > 0 && meanDiff >= minEffect ? 'improved' : significant && meanDiff < 0 && -meanDiff >= minEffect ? 'regressed' : 'no detectable difference';
  return {
    tasks: T,
    baselineRate: T ? mean(bRates) : NaN,
    candidateRate: T ? mean(cRates) : NaN,
    meanDiff,
    se,
    low: meanDiff - half,
    high: meanDiff + half,
    df,
    pValue,
    test,
    correlation: pearson(bRates, cRates),
    unpairedSe,
    verdict,
    alpha,
    minEffect,
    perTask,
    onlyBaseline: [...base.keys()].filter((k) => !cand.has(k)).sort(),
    onlyCandidate: [...cand.keys()].filter((k) => !base.has(k)).sort(),
  };
}

/** Exact two-sided sign-flip test: the share of the 2^T sign assignments whose |mean| reaches the observed one. */
export function signFlipPValue(diffs: number[]): number {
  const T = diffs.length;
  const observed = Math.abs(diffs.reduce((a, b) => a + b, 0));
  if (observed === 0) return 1;
  let extreme = 0;
  const total = 2 ** T;
  for (let mask = 0; mask < total; mask++) {
    let s = 0;
    for (let i = 0; i < T; i++) s += mask & (1 << i) ? -diffs[i]! : diffs[i]!;
    if (Math.abs(s) >= observed - 1e-12) extreme++;
  }
  return extreme / total;
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
