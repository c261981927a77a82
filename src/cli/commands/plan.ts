/**
 * `hbench plan`: how many tasks and trials a comparison needs to detect a difference δ with power 1−β at α, from a
 * pair of result sides (their per-task variance and correlation) or from stated numbers; and the minimum detectable
 * effect of the run at hand.
 */
import type { Argv } from 'yargs';
import { UsageError } from '../../common/errors.js';
import { designText } from '../../report/design-report.js';
import { num } from '../../report/format.js';
import { pct } from '../../report/table.js';
import { loadSide } from '../../runner/load-results.js';
import { diffSd, estimateDesign, minimumDetectableEffect, designTable, type DesignInputs } from '../../scoring/power.js';
import type { CurrentDesign } from '../../report/design-report.js';
import { taskTallies } from '../../scoring/summary.js';
import { EXIT } from '../exit-codes.js';

export interface PlanArgs {
  sides: string[];
  delta: number;
  power: number;
  alpha: number;
  pBase?: number;
  tau: number;
  taskSd: number;
  format: 'table' | 'json';
}

export function declarePlan(y: Argv): Argv<PlanArgs> {
  return y
    .positional('sides', { type: 'string', array: true, default: [] as string[], describe: 'BASELINE CANDIDATE result sides (results/<run>#<harness>), or none with --p-base' })
    .option('delta', { type: 'number', default: 0.1, describe: 'Difference in pass rate to detect (0–1)' })
    .option('power', { type: 'number', default: 0.8, describe: 'Power 1−β' })
    .option('alpha', { type: 'number', default: 0.05, describe: 'Significance level' })
    .option('p-base', { type: 'number', describe: 'Baseline pass rate, when planning from stated numbers' })
    .option('tau', { type: 'number', default: 0.1, describe: 'Between-task SD of the true differences, when planning from stated numbers' })
    .option('task-sd', { type: 'number', default: 0, describe: 'Between-task SD of the baseline\'s true per-task pass rates, when planning from stated numbers (0: the most trial noise possible, a conservative plan)' })
    .option('format', { choices: ['table', 'json'] as const, default: 'table' as const }) as unknown as Argv<PlanArgs>;
}

export async function planCommand(args: PlanArgs, print: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  if (!(args.delta > 0 && args.delta < 1)) throw new UsageError(`--delta must be between 0 and 1 (got ${args.delta})`);
  if (!(args.power > 0 && args.power < 1)) throw new UsageError(`--power must be between 0 and 1 (got ${args.power})`);
  if (!(args.alpha > 0 && args.alpha < 1)) throw new UsageError(`--alpha must be between 0 and 1 (got ${args.alpha})`);
  let inputs: DesignInputs;
  let current: CurrentDesign | null = null;
  let source: string;
  if (args.sides.length === 2) {
    const [a, b] = await Promise.all(args.sides.map(loadSide));
    const est = estimateDesign(taskTallies(a!.trials), taskTallies(b!.trials));
    if (est.tasks < 2) throw new UsageError('the two sides share fewer than 2 tasks: plan from stated numbers instead (--p-base, --tau)');
    inputs = { pBase: est.pBase, pCand: Math.min(1, est.pBase + args.delta), tau: est.tau, taskSd: est.taskSd };
    // The MDE uses the design's SD at the run's own trial count (τ plus binomial noise), not the raw observed SD,
    // which is 0 when every task moved the same way.
    const sd = diffSd({ pBase: est.pBase, pCand: est.pBase, tau: est.tau, taskSd: est.taskSd }, est.trialsPerTask);
    current = { tasks: est.tasks, trialsPerTask: est.trialsPerTask, mde: minimumDetectableEffect(sd, est.tasks, args.power, args.alpha), observedSdDiff: est.observedSdDiff };
    source = `${a!.label} vs ${b!.label}: baseline ${pct(est.pBase)}, between-task SD of differences τ = ${num(est.tau, 3)} (observed per-task SD ${num(est.observedSdDiff, 3)} minus binomial noise), between-task SD of baseline rates σ = ${num(est.taskSd, 3)}`;
  } else if (args.sides.length === 0 && args.pBase !== undefined) {
    if (!(args.pBase >= 0 && args.pBase <= 1)) throw new UsageError(`--p-base must be between 0 and 1 (got ${args.pBase})`);
    // σ² can be at most p̄(1−p̄) (every task at 0 or 1); beyond that the stated numbers contradict each other.
    if (!(args.taskSd >= 0 && args.taskSd ** 2 <= args.pBase * (1 - args.pBase))) throw new UsageError(`--task-sd must be between 0 and √(p(1−p)) = ${num(Math.sqrt(args.pBase * (1 - args.pBase)), 3)} for --p-base ${args.pBase} (got ${args.taskSd})`);
    inputs = { pBase: args.pBase, pCand: Math.min(1, args.pBase + args.delta), tau: args.tau, taskSd: args.taskSd };
    source = `stated: baseline ${pct(args.pBase)}, τ = ${args.tau}, σ = ${args.taskSd}`;
  } else {
    throw new UsageError('give two result sides (hbench plan results/A#h1 results/B#h2) or stated numbers (--p-base 0.5 [--tau 0.1])');
  }
  const rows = designTable(args.delta, inputs, args.power, args.alpha);
  if (args.format === 'json') print(`${JSON.stringify({ delta: args.delta, power: args.power, alpha: args.alpha, inputs, rows, current }, null, 2)}\n`);
  else print(designText({ delta: args.delta, power: args.power, alpha: args.alpha, inputs, rows, current, source }));
  return EXIT.ok;
}
