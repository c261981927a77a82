/**
 * `npm run bench -- coverage`: the measured coverage of the clustered 95% CI on the suites of
 * scoring/coverage-suites.ts, as the Markdown table in the README (4000 simulated suites per row, fixed seeds).
 */
import { mulberry32 } from '../common/prng.js';
import { COVERAGE_SUITES } from '../scoring/coverage-suites.js';
import { clusteredCoverage } from '../scoring/simulation.js';

export async function coverageBench(experiments = 4000): Promise<string> {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const rows = COVERAGE_SUITES.map((s) => {
    const c = clusteredCoverage(mulberry32(1), s, experiments);
    return `| ${s.name} | Beta(${s.a}, ${s.b}) | ${pct(s.a / (s.a + s.b))} | ${s.tasks} × ${s.trials} | ${pct(c.coverage)} | ${pct(c.missLow)} / ${pct(c.missHigh)} | ${c.meanWidth.toFixed(3)} |`;
  });
  return [
    `Coverage of the nominal 95% CI (${experiments} simulated suites per row)`,
    '',
    '| suite | per-task p | true rate | tasks × trials | coverage | missed: CI below / above truth | mean width |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
