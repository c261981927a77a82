/**
 * Seeded draws for checking the statistics by simulation (the tests and `npm run bench` use the same code, so the
 * coverage table in the README is reproducible): binomial trial counts, Beta-distributed per-task success
 * probabilities, and the coverage of the clustered CI over suites of tasks drawn from a Beta population.
 */
import { clusteredRate, type TaskTally } from './rates.js';

export type Rand = () => number;

export function binomial(rand: Rand, n: number, p: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) if (rand() < p) s++;
  return s;
}

/** Standard normal by Box–Muller (1 − u keeps the log finite). */
export function normal(rand: Rand): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Gamma(shape, 1) by Marsaglia & Tsang (2000); shapes below 1 through Gamma(shape + 1) · U^(1/shape). */
export function gamma(rand: Rand, shape: number): number {
  if (shape < 1) return gamma(rand, shape + 1) * (1 - rand()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rand);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rand();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

export function beta(rand: Rand, a: number, b: number): number {
  const x = gamma(rand, a);
  return x / (x + gamma(rand, b));
}

/** A population of tasks: per-task success probability ~ Beta(a, b), so the true pass rate is a/(a+b). */
export interface Suite {
  name: string;
  a: number;
  b: number;
  tasks: number;
  trials: number;
}

export function drawSuite(rand: Rand, s: Suite): TaskTally[] {
  return Array.from({ length: s.tasks }, () => ({ successes: binomial(rand, s.trials, beta(rand, s.a, s.b)), trials: s.trials }));
}

export interface Coverage {
  coverage: number;
  /** Misses below and above the truth: an interval that is off-centre misses on one side. */
  missLow: number;
  missHigh: number;
  zeroWidth: number;
  meanWidth: number;
}

/** Share of `experiments` suites whose clustered CI at `level` covers the population's true rate a/(a+b). */
export function clusteredCoverage(rand: Rand, s: Suite, experiments: number, level = 0.95): Coverage {
  const truth = s.a / (s.a + s.b);
  let covered = 0;
  let missLow = 0;
  let missHigh = 0;
  let zeroWidth = 0;
  let width = 0;
  for (let e = 0; e < experiments; e++) {
    const r = clusteredRate(drawSuite(rand, s), level)!;
    if (r.high < truth) missLow++;
    else if (r.low > truth) missHigh++;
    else covered++;
    if (r.high - r.low <= 0) zeroWidth++;
    width += r.high - r.low;
  }
  return { coverage: covered / experiments, missLow: missLow / experiments, missHigh: missHigh / experiments, zeroWidth, meanWidth: width / experiments };
}
