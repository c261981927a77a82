/**
 * The compare interval agrees with its test, is labelled with its level, and the per-task tests are Holm-adjusted
 * (issue 10, #3–#5). Sign-flip interval references: brute-force inversion in Python with exact fractions — the
 * p-value of d − δ enumerated over all 2^T flips at every breakpoint δ where a flip's |sum| crosses the observed
 * |sum| (δ = (A_s − B)/(k_s − T) and (A_s + B)/(k_s + T)), keeping the smallest and largest δ with p ≥ α.
 * Holm references: hand-worked (sorted p times m, m−1, …, made monotone).
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../common/prng.js';
import { holmAdjust } from './multiplicity.js';
import { pairedComparison } from './paired.js';
import { signFlipInterval, signFlipPValue } from './sign-flip.js';
import type { TaskTally } from './rates.js';

const fifths = [2, 1, 3, -1, 2, 0, 4, 1].map((x) => x / 5);

function sides(diffSuccesses: Array<[number, number]>, trials: number): [Map<string, TaskTally>, Map<string, TaskTally>] {
  const base = new Map<string, TaskTally>();
  const cand = new Map<string, TaskTally>();
  diffSuccesses.forEach(([b, c], i) => {
    base.set(`t${String(i).padStart(2, '0')}`, { successes: b, trials });
    cand.set(`t${String(i).padStart(2, '0')}`, { successes: c, trials });
  });
  return [base, cand];
}

describe('sign-flip interval (inverts the exact test)', () => {
  it('matches brute-force inversion with exact fractions', () => {
    // d = 2/5, 1/5, 3/5, −1/5, 2/5, 0, 4/5, 1/5; p(0) = 1/16.
    expect(signFlipPValue(fifths)).toBeCloseTo(1 / 16, 12);
    const at05 = signFlipInterval(fifths, 0.05); // Python: [0, 3/5] — p = 0.0625 ≥ 0.05, so 0 is just inside
    expect(at05.low).toBeCloseTo(0, 8);
    expect(at05.low).toBeLessThanOrEqual(0);
    expect(at05.high).toBeCloseTo(0.6, 8);
    const at10 = signFlipInterval(fifths, 0.1); // Python: [1/10, 1/2] — p = 0.0625 < 0.1, so 0 is outside
    expect(at10.low).toBeCloseTo(0.1, 8);
    expect(at10.high).toBeCloseTo(0.5, 8);
    const thirds = [1, 2, 1, 0, 1, -1, 1, 2, 1, 0].map((x) => x / 3); // Python: [0, 1/2], p = 7/128
    expect(signFlipInterval(thirds, 0.05).low).toBeLessThanOrEqual(0);
    expect(signFlipInterval(thirds, 0.05).high).toBeCloseTo(0.5, 8);
    // Five tasks can never reach p < 0.05 (the smallest p is 2/32): the interval is everything.
    expect(signFlipInterval([1, 1, 1, 1, 1], 0.05)).toEqual({ low: -1, high: 1 });
  });

  it('excludes 0 exactly when p < α, over 3000 random comparisons with ties', () => {
    const rand = mulberry32(4242);
    for (let e = 0; e < 3000; e++) {
      const T = 2 + Math.floor(rand() * 11);
      const n = 1 + Math.floor(rand() * 5);
      const alpha = [0.01, 0.05, 0.1, 0.2][Math.floor(rand() * 4)]!;
      const shift = rand() * 0.6;
      const pairs: Array<[number, number]> = Array.from({ length: T }, () => {
        const p = rand() * 0.7;
        const count = (q: number) => Array.from({ length: n }, () => rand() < q).filter(Boolean).length;
        return [count(p), count(p + shift)];
      });
      const [base, cand] = sides(pairs, n);
      const r = pairedComparison(base, cand, { alpha });
      expect(r.test).toBe('permutation-exact');
      const zeroInside = r.low <= 0 && 0 <= r.high;
      expect(zeroInside, `T=${T} n=${n} α=${alpha} p=${r.pValue} [${r.low}, ${r.high}]`).toBe(r.pValue >= alpha);
    }
  });
});

describe('compare reports its level and corrects the per-task tests', () => {
  it('labels the interval with 1 − α', () => {
    const [base, cand] = sides([[1, 3], [2, 4], [0, 3], [3, 5], [1, 1], [2, 3], [0, 2], [1, 2]], 5);
    expect(pairedComparison(base, cand).level).toBe(0.95);
    const r = pairedComparison(base, cand, { alpha: 0.1 });
    expect(r.level).toBeCloseTo(0.9, 12);
    expect(r.interval).toBe('sign-flip-inversion');
  });

  it('Holm adjustment (hand-worked)', () => {
    // sorted 0.005, 0.01, 0.03, 0.04, 0.5 × 5, 4, 3, 2, 1 = 0.025, 0.04, 0.09, 0.08→0.09 (monotone), 0.5
    const adj = holmAdjust([0.01, 0.04, 0.03, 0.005, 0.5]);
    [0.04, 0.09, 0.09, 0.025, 0.5].forEach((x, i) => expect(adj[i]).toBeCloseTo(x, 12));
    expect(holmAdjust([0.6, 0.9])).toEqual([1, 1]);
  });

  it('a task is significant only after adjustment', () => {
    // 5/5 vs 0/5: Fisher p = 2/252 = 0.00794 (exact enumeration); alone it is significant, among 10 tasks Holm
    // makes it 0.0794 and it is not.
    const one = pairedComparison(...sides([[5, 0]], 5));
    expect(one.perTask[0]!.significant).toBe(true);
    const ten = pairedComparison(...sides([[5, 0], ...Array.from({ length: 9 }, (): [number, number] => [2, 2])], 5));
    expect(ten.perTask[0]!.fisherP).toBeCloseTo(0.007936507936507936, 10);
    expect(ten.perTask[0]!.adjustedP).toBeCloseTo(0.07936507936507936, 10);
    expect(ten.perTask[0]!.significant).toBe(false);
    expect(ten.multiplicity).toBe('holm');
  });
});
