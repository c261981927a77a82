/**
 * Reference values come from SciPy 1.17 (scipy.stats.t, scipy.stats.norm, scipy.special.betainc,
 * scipy.stats.ttest_1samp), from exact enumeration with Python's math.comb (Fisher's test, sign-flip test), from
 * Newcombe (1998) Table I (Wilson interval for 8/10), and from the formulas of Chen et al. (2021) worked by hand.
 */
import { describe, expect, it } from 'vitest';
import { incompleteBeta, normalCdf, normalQuantile, tCdf, tQuantile } from './distributions.js';
import { fisherExact, pairedComparison, signFlipPValue } from './paired.js';
import { diffSd, estimateDesign, minimumDetectableEffect, pairedPower, tasksNeeded } from './power.js';
import { clusteredRate, distribution as describeValues, passAtK, passHatK, passKTable, wilsonInterval } from './rates.js';

describe('distributions', () => {
  it('matches SciPy', () => {
    expect(tQuantile(0.975, 9)).toBeCloseTo(2.262157162798205, 6);
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.706204736174694, 5);
    expect(tQuantile(0.975, 29)).toBeCloseTo(2.045229642132703, 6);
    expect(tCdf(2.0, 5)).toBeCloseTo(0.9490302605850708, 7);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 6);
    expect(normalCdf(1)).toBeCloseTo(0.8413447460685429, 6);
    expect(incompleteBeta(0.4, 2, 3)).toBeCloseTo(0.5248, 8);
    expect(incompleteBeta(0.1, 0.5, 0.5)).toBeCloseTo(0.20483276469913345, 7);
  });
});

describe('rates', () => {
  it('Wilson interval for 8/10 (Newcombe 1998: 0.4902–0.9433)', () => {
    const w = wilsonInterval(8, 10);
    expect(w.low).toBeCloseTo(0.4902, 4);
    expect(w.high).toBeCloseTo(0.9433, 4);
  });

  it('clusters by task: SE from the spread of per-task rates; Wilson on n_eff with t, C−1 df', () => {
    // Per-task rates 1, 0.5, 0, 0.5 → mean 0.5, sample sd 0.408248, SE = 0.204124, n_eff = 0.25/SE² = 6 (< 10 trials).
    // Reference: the Wilson formula in Python with scipy.stats.t.ppf(0.975, 3) = 3.182446 as the critical value.
    // (Before issue 10 this asserted [0, 1]: the symmetric t interval clipped at both ends.)
    const r = clusteredRate([
      { successes: 2, trials: 2 },
      { successes: 1, trials: 2 },
      { successes: 0, trials: 2 },
      { successes: 2, trials: 4 },
    ])!;
    expect(r.method).toBe('cluster-wilson');
    expect(r.rate).toBeCloseTo(0.5, 10);
    expect(r.se).toBeCloseTo(0.2041241, 6);
    expect(r.effectiveN).toBeCloseTo(6, 9);
    expect(r.low).toBeCloseTo(0.10377551461483425, 7);
    expect(r.high).toBeCloseTo(0.8962244853851657, 7);
    expect(r.trials).toBe(10);
  });

  it('a hard suite gets an interval that bends away from 0 instead of being clipped there', () => {
    // Rates 0,0,0,1/3,0,0,2/3,0,0,0 (3 trials each): mean 0.1, SE 0.0711458, n_eff 17.78; the old m̄ ± t·SE reached
    // −0.061 and was clipped to 0. Reference: Python Wilson formula with scipy.stats.t.ppf(0.975, 9).
    const counts = [0, 0, 0, 1, 0, 0, 2, 0, 0, 0];
    const r = clusteredRate(counts.map((s) => ({ successes: s, trials: 3 })))!;
    expect(r.effectiveN).toBeCloseTo(17.780487804878053, 8);
    expect(r.low).toBeCloseTo(0.021748618676495746, 7);
    expect(r.high).toBeCloseTo(0.3570404512382796, 7);
  });

  it('never has zero width: with SE 0 it is Wilson on the pooled trials (issue 10)', () => {
    // 30 tasks × 5 trials, n = 150, critical value scipy.stats.t.ppf(0.975, 29); Wilson formula worked in Python.
    const suite = (s: number) => Array.from({ length: 30 }, () => ({ successes: s, trials: 5 }));
    const none = clusteredRate(suite(0))!;
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.02712987331866412, 8);
    const all = clusteredRate(suite(5))!;
    expect(all.low).toBeCloseTo(0.972870126681336, 8);
    expect(all.high).toBe(1);
    const same = clusteredRate(suite(3))!;
    expect(same.low).toBeCloseTo(0.5165495994277884, 8);
    expect(same.high).toBeCloseTo(0.6780244259084787, 8);
    // At 90% (scipy.stats.t.ppf(0.95, 29)), labelled with its level.
    const ninety = clusteredRate(suite(3), 0.9)!;
    expect(ninety.level).toBe(0.9);
    expect(ninety.low).toBeCloseTo(0.5307648618175616, 8);
    expect(ninety.high).toBeCloseTo(0.6654584507783963, 8);
  });

  it('falls back to Wilson with one task', () => {
    expect(clusteredRate([{ successes: 8, trials: 10 }])).toMatchObject({ method: 'wilson', rate: 0.8 });
  });

  it('pass@k and pass^k (hand-worked: n=5, c=2)', () => {
    expect(passAtK(5, 2, 1)).toBeCloseTo(0.4, 12);
    expect(passAtK(5, 2, 2)).toBeCloseTo(1 - 3 / 10, 12); // 1 − C(3,2)/C(5,2)
    expect(passAtK(5, 2, 4)).toBe(1); // n − c < k
    expect(passHatK(5, 2, 2)).toBeCloseTo(1 / 10, 12); // C(2,2)/C(5,2)
    expect(passHatK(5, 2, 3)).toBe(0);
    expect(passHatK(5, 5, 5)).toBe(1);
    const table = passKTable([{ successes: 2, trials: 5 }, { successes: 5, trials: 5 }]);
    expect(table).toHaveLength(5);
    expect(table[1]).toEqual({ k: 2, passAtK: (0.7 + 1) / 2, passHatK: (0.1 + 1) / 2 });
  });

  it('describes distributions like numpy (linear interpolation)', () => {
    const d = describeValues([1, 2, 3, 4, 10])!;
    expect(d.mean).toBe(4);
    expect(d.median).toBe(3);
    expect(d.p90).toBeCloseTo(7.6, 12); // numpy.percentile([1,2,3,4,10], 90)
  });
});

describe('paired comparison', () => {
  it('Fisher exact, two-sided (exact enumeration)', () => {
    expect(fisherExact(8, 2, 1, 5)).toBeCloseTo(0.03496503496503496, 10);
    expect(fisherExact(3, 1, 1, 3)).toBeCloseTo(0.4857142857142857, 10); // Fisher's tea-tasting table
    expect(fisherExact(5, 0, 0, 5)).toBeCloseTo(0.007936507936507936, 10);
    expect(fisherExact(2, 3, 2, 3)).toBeCloseTo(1, 10);
  });

  it('exact sign-flip p-value (enumerated: 4 of 64 flips are as extreme)', () => {
    expect(signFlipPValue([0.2, 0.4, 0.6, 0.8, 1.0, 0.0])).toBeCloseTo(0.0625, 12);
  });

  it('paired t over many tasks matches scipy.stats.ttest_1samp', () => {
    const diffs = [0.2, 0.4, -0.2, 0.6, 0.0, 0.4, 0.2, 0.8, 0.2, 0.4, 0.0, 0.6, 0.2, -0.4, 0.4, 0.2, 0.6, 0.2, 0.0, 0.4];
    const base = new Map<string, { successes: number; trials: number }>();
    const cand = new Map<string, { successes: number; trials: number }>();
    diffs.forEach((d, i) => {
      base.set(`t${i}`, { successes: 1, trials: 5 });
      cand.set(`t${i}`, { successes: 1 + Math.round(d * 5), trials: 5 });
    });
    const r = pairedComparison(base, cand);
    expect(r.test).toBe('paired-t');
    expect(r.meanDiff / r.se).toBeCloseTo(3.996889337736217, 8);
    expect(r.pValue).toBeCloseTo(0.0007716559703909933, 8);
    expect(r.verdict).toBe('improved');
    expect(r.low).toBeGreaterThan(0);
    const reversed = pairedComparison(cand, base);
    expect(reversed.verdict).toBe('regressed');
    expect(pairedComparison(base, cand, { minEffect: 0.5 }).verdict).toBe('no detectable difference');
  });

  it('reports tasks only one side has, correlation and the unpaired SE', () => {
    const r = pairedComparison(
      new Map([['a', { successes: 1, trials: 2 }], ['b', { successes: 2, trials: 2 }], ['x', { successes: 0, trials: 2 }]]),
      new Map([['a', { successes: 2, trials: 2 }], ['b', { successes: 2, trials: 2 }], ['y', { successes: 0, trials: 2 }]]),
    );
    expect(r.tasks).toBe(2);
    expect(r.onlyBaseline).toEqual(['x']);
    expect(r.onlyCandidate).toEqual(['y']);
    expect(r.test).toBe('permutation-exact');
    expect(r.unpairedSe).toBeGreaterThan(0);
  });
});

describe('power', () => {
  it('is alpha at no effect, grows with tasks, and inverts to the tasks needed and the MDE', () => {
    expect(pairedPower(0, 0.3, 40)).toBeCloseTo(0.05, 2);
    expect(pairedPower(0.1, 0.3, 100)).toBeGreaterThan(pairedPower(0.1, 0.3, 30));
    const n = tasksNeeded(0.1, 0.3)!;
    expect(pairedPower(0.1, 0.3, n)).toBeGreaterThanOrEqual(0.8);
    expect(pairedPower(0.1, 0.3, n - 1)).toBeLessThan(0.8);
    // Normal-approximation sanity check: ((1.96 + 0.84) · 0.3 / 0.1)² ≈ 70.6, a little more with t.
    expect(n).toBeGreaterThanOrEqual(71);
    expect(n).toBeLessThanOrEqual(75);
    const mde = minimumDetectableEffect(0.3, n);
    expect(mde).toBeLessThanOrEqual(0.1);
    expect(mde).toBeGreaterThan(0.095);
    expect(diffSd({ pBase: 0.5, pCand: 0.5, tau: 0, taskSd: 0 }, 5)).toBeCloseTo(Math.sqrt(0.5 / 5), 12);
  });

  it('the trial noise is the mean of per-task p(1−p), not p̄(1−p̄) (issue 10)', () => {
    // Hand-worked: τ² + (0.25 + 0.24 − 2·0.2² − 0.1²)/5 = 0.01 + 0.4/5 = 0.09 → 0.3.
    expect(diffSd({ pBase: 0.5, pCand: 0.6, tau: 0.1, taskSd: 0.2 }, 5)).toBeCloseTo(0.3, 12);
    // Baseline 0/5, 5/5, 2/5, 3/5: p̄ = 0.5; unbiased per-task p(1−p) = p̂(1−p̂)·5/4 = 0, 0, 0.3, 0.3 → mean 0.15;
    // σ² = 0.25 − 0.15 = 0.1 (worked by hand, checked in Python).
    const tallies = (xs: number[]) => new Map(xs.map((s, i) => [`t${i}`, { successes: s, trials: 5 }]));
    const est = estimateDesign(tallies([0, 5, 2, 3]), tallies([1, 5, 3, 3]));
    expect(est.taskSd).toBeCloseTo(Math.sqrt(0.1), 12);
  });
});
