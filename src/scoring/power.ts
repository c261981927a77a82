/**
 * Power analysis for the paired-over-tasks design that `compare` uses.
 *
 * Model: each task's observed difference d_t = (true difference δ_t) + (binomial noise of both sides). With n trials per
 * task and side, Var(d_t) = τ² + E[p_b,t(1−p_b,t) + p_c,t(1−p_c,t)]/n, where τ² is the between-task variance of the
 * true differences and the expectation is over tasks. The noise is the mean of the per-task Bernoulli variances, not
 * p̄(1−p̄) at the mean rate: E[p(1−p)] = p̄(1−p̄) − σ², σ² the between-task variance of the true rates, and on a
 * suite of easy and hard tasks σ² is large (p̄(1−p̄) predicted 38% power where 45% was observed, issue 10). With
 * δ_t independent of p_b,t the candidate's rates vary by σ² + τ², so the noise is
 * (p̄_b(1−p̄_b) + p̄_c(1−p̄_c) − 2σ² − τ²)/n. With T tasks the paired test statistic is d̄/(σ_d/√T), and its power for a true mean difference δ at
 * level α is approximated with the shifted-t approximation
 *   power ≈ F_t(ncp − t*, T−1) + F_t(−ncp − t*, T−1),  ncp = δ√T/σ_d, t* = t(1−α/2, T−1).
 * The tasks needed are the smallest T reaching the target power; the minimum detectable effect of a run is the δ whose
 * power is the target, (t* + t(power, T−1))·σ_d/√T.
 */
import { tCdf, tQuantile } from './distributions.js';
import { mean, sampleVariance, type TaskTally } from './rates.js';

export interface DesignInputs {
  /** Baseline pass rate. */
  pBase: number;
  /** Candidate pass rate (pBase + δ). */
  pCand: number;
  /** Between-task standard deviation of the true differences (τ). */
  tau: number;
  /** Between-task standard deviation of the baseline's true per-task pass rates (σ); 0 gives the largest noise. */
  taskSd: number;
}

export function diffSd(inputs: DesignInputs, trialsPerTask: number): number {
  const bernoulli = inputs.pBase * (1 - inputs.pBase) + inputs.pCand * (1 - inputs.pCand) - 2 * inputs.taskSd ** 2 - inputs.tau ** 2;
  return Math.sqrt(inputs.tau ** 2 + Math.max(0, bernoulli) / trialsPerTask);
}

export function pairedPower(delta: number, sdDiff: number, tasks: number, alpha = 0.05): number {
  if (tasks < 2 || sdDiff <= 0) return delta === 0 ? alpha : 1;
  const df = tasks - 1;
  const ncp = (Math.abs(delta) * Math.sqrt(tasks)) / sdDiff;
  const crit = tQuantile(1 - alpha / 2, df);
  return tCdf(ncp - crit, df) + tCdf(-ncp - crit, df);
}

/** Smallest number of tasks whose power reaches `power` (capped at maxTasks; null when even that is not enough). */
export function tasksNeeded(delta: number, sdDiff: number, power = 0.8, alpha = 0.05, maxTasks = 100_000): number | null {
  if (delta === 0) return null;
  let lo = 2;
  let hi = 2;
  while (pairedPower(delta, sdDiff, hi, alpha) < power) {
    hi *= 2;
    if (hi > maxTasks) return null;
  }
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (pairedPower(delta, sdDiff, mid, alpha) >= power) hi = mid;
    else lo = mid + 1;
  }
  return hi;
}

export function minimumDetectableEffect(sdDiff: number, tasks: number, power = 0.8, alpha = 0.05): number {
  if (tasks < 2) return Infinity;
  // Solve pairedPower(δ) = power by bisection (monotone in δ).
  let lo = 0;
  let hi = 10 * sdDiff + 1;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (pairedPower(mid, sdDiff, tasks, alpha) < power) lo = mid;
    else hi = mid;
  }
  return hi;
}

export interface DesignRow {
  trialsPerTask: number;
  sdDiff: number;
  tasks: number | null;
  totalTrials: number | null;
}

export function designTable(delta: number, inputs: DesignInputs, power = 0.8, alpha = 0.05, trialCounts = [1, 2, 3, 5, 10]): DesignRow[] {
  return trialCounts.map((n) => {
    const sd = diffSd(inputs, n);
    const tasks = tasksNeeded(delta, sd, power, alpha);
    return { trialsPerTask: n, sdDiff: sd, tasks, totalTrials: tasks === null ? null : tasks * n * 2 };
  });
}

/**
 * Design inputs estimated from two runs over the same tasks: the observed variance of per-task differences includes
 * binomial noise at the observed trial counts; τ² is what remains after removing that noise (never below 0). σ² of
 * the baseline's rates is p̄(1−p̄) minus the mean per-task Bernoulli variance, estimated without bias by
 * p̂(1−p̂)·n/(n−1) per task (never below 0).
 */
export function estimateDesign(base: Map<string, TaskTally>, cand: Map<string, TaskTally>): DesignInputs & { tasks: number; trialsPerTask: number; observedSdDiff: number } {
  const shared = [...base.keys()].filter((k) => cand.has(k));
  const b = shared.map((k) => base.get(k)!);
  const c = shared.map((k) => cand.get(k)!);
  const bRates = b.map((t) => t.successes / t.trials);
  const cRates = c.map((t) => t.successes / t.trials);
  const diffs = shared.map((_, i) => cRates[i]! - bRates[i]!);
  const observedVar = shared.length >= 2 ? sampleVariance(diffs) : 0;
  // Unbiased per-task binomial variance of a rate: p̂(1−p̂)/(n−1).
  const noise = mean(shared.map((_, i) => binomVar(bRates[i]!, b[i]!.trials) + binomVar(cRates[i]!, c[i]!.trials)));
  const trialsPerTask = Math.round(mean([...b, ...c].map((t) => t.trials)));
  const pBase = mean(bRates);
  const bernoulli = mean(b.filter((t) => t.trials > 1).map((t) => ((t.successes / t.trials) * (1 - t.successes / t.trials) * t.trials) / (t.trials - 1)));
  return {
    pBase,
    pCand: mean(cRates),
    tau: Math.sqrt(Math.max(0, observedVar - (Number.isFinite(noise) ? noise : 0))),
    taskSd: Number.isFinite(bernoulli) ? Math.sqrt(Math.max(0, pBase * (1 - pBase) - bernoulli)) : 0,
    tasks: shared.length,
    trialsPerTask,
    observedSdDiff: Math.sqrt(observedVar),
  };
}

function binomVar(p: number, n: number): number {
  return n > 1 ? (p * (1 - p)) / (n - 1) : 0;
}
