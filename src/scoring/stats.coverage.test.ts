/**
 * Coverage of the clustered 95% CI by simulation (issue 10): suites of tasks whose per-task success probability is
 * drawn from a Beta population (hard, very hard, easy, bimodal, mid-range), 10 to 89 tasks, 3 or 5 trials each; the
 * truth is the population mean a/(a+b). The symmetric t interval this replaced covered 81.6% for 10 × 3 at an 11%
 * rate; the score interval on n_eff must cover 93–99% everywhere and never collapse to a point. The same table, at
 * 4000 experiments per row, is in the README (`npm run bench -- coverage` reprints it).
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../common/prng.js';
import { clusteredCoverage } from './simulation.js';
import { COVERAGE_SUITES } from './coverage-suites.js';

describe('clustered CI coverage under simulation', () => {
  for (const suite of COVERAGE_SUITES) {
    it(`${suite.name}: Beta(${suite.a}, ${suite.b}), ${suite.tasks} tasks × ${suite.trials} trials`, () => {
      const c = clusteredCoverage(mulberry32(20240 + suite.tasks * 10 + suite.trials), suite, 1500);
      expect(c.zeroWidth).toBe(0);
      expect(c.coverage).toBeGreaterThanOrEqual(0.93);
      expect(c.coverage).toBeLessThanOrEqual(0.99);
    });
  }
});
