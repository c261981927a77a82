/** The suites the CI's coverage is checked on (stats.coverage.test.ts) and reported for (README, `npm run bench`). */
import type { Suite } from './simulation.js';

const POPULATIONS: Array<Pick<Suite, 'name' | 'a' | 'b'>> = [
  { name: 'hard', a: 0.5, b: 4 },
  { name: 'very hard', a: 0.3, b: 3 },
  { name: 'easy', a: 4, b: 0.5 },
  { name: 'bimodal', a: 0.3, b: 0.3 },
  { name: 'mid-range', a: 2, b: 2 },
];

const DESIGNS: Array<Pick<Suite, 'tasks' | 'trials'>> = [
  { tasks: 10, trials: 3 },
  { tasks: 20, trials: 5 },
  { tasks: 30, trials: 5 },
  { tasks: 89, trials: 3 },
];

export const COVERAGE_SUITES: Suite[] = POPULATIONS.flatMap((p) => DESIGNS.map((d) => ({ ...p, ...d })));
