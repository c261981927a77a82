/** `hbench compare BASELINE CANDIDATE`: a paired A/B verdict over the tasks both sides ran; the CI gate. */
import type { Argv } from 'yargs';
import { UsageError } from '../../common/errors.js';
import { compareJunit, compareMarkdown, compareText } from '../../report/compare-report.js';
import { loadSide } from '../../runner/load-results.js';
import { pairedComparison } from '../../scoring/paired.js';
import { taskTallies } from '../../scoring/summary.js';
import { EXIT } from '../exit-codes.js';

export interface CompareArgs {
  baseline: string;
  candidate: string;
  alpha: number;
  minEffect: number;
  failOnRegression: boolean;
  format: 'table' | 'json' | 'md' | 'junit';
  allowModelChange: boolean;
  errorsAsFailures: boolean;
}

export function declareCompare(y: Argv): Argv<CompareArgs> {
  return y
    .positional('baseline', { type: 'string', demandOption: true, describe: 'results/<run> or results/<run>#<harness>' })
    .positional('candidate', { type: 'string', demandOption: true, describe: 'results/<run> or results/<run>#<harness>' })
    .option('alpha', { type: 'number', default: 0.05, describe: 'Significance level' })
    .option('min-effect', { type: 'number', default: 0, describe: 'Smallest difference in pass rate (0–1) that counts as a change' })
    .option('fail-on-regression', { type: 'boolean', default: false, describe: 'Exit 1 when the candidate regressed (the CI gate)' })
    .option('format', { choices: ['table', 'json', 'md', 'junit'] as const, default: 'table' as const, describe: 'Output format' })
    .option('allow-model-change', { type: 'boolean', default: false, describe: 'Compare runs made with different models' })
    .option('errors-as-failures', { type: 'boolean', default: false, describe: 'Count infrastructure errors as failures' }) as unknown as Argv<CompareArgs>;
}

export async function compareCommand(args: CompareArgs, print: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  if (!(args.alpha > 0 && args.alpha < 1)) throw new UsageError(`--alpha must be between 0 and 1 (got ${args.alpha})`);
  if (!(args.minEffect >= 0 && args.minEffect < 1)) throw new UsageError(`--min-effect is a difference in pass rate between 0 and 1 (got ${args.minEffect})`);
  const [base, cand] = await Promise.all([loadSide(args.baseline), loadSide(args.candidate)]);
  const modelA = base.record.model?.id ?? null;
  const modelB = cand.record.model?.id ?? null;
  if (modelA !== modelB && !args.allowModelChange) {
    throw new UsageError(`the sides were run with different models (${modelA ?? 'none'} vs ${modelB ?? 'none'}): a harness comparison needs one pinned model; pass --allow-model-change to compare anyway`);
  }
  const options = { errorsAsFailures: args.errorsAsFailures };
  const result = pairedComparison(taskTallies(base.trials, options), taskTallies(cand.trials, options), { alpha: args.alpha, minEffect: args.minEffect });
  if (result.tasks === 0) throw new UsageError(`${base.label} and ${cand.label} share no tasks: nothing to compare`);
  const ctx = { baseline: base.label, candidate: cand.label, model: modelB, simulated: Boolean(cand.record.model?.simulated) };
  if (modelA !== modelB) print(`warning: comparing across models (${modelA ?? 'none'} → ${modelB ?? 'none'}): the difference is not the harness's alone\n`);
  if (args.format === 'json') print(`${JSON.stringify({ baseline: ctx.baseline, candidate: ctx.candidate, model: ctx.model, simulated: ctx.simulated, ...result }, null, 2)}\n`);
  else if (args.format === 'md') print(compareMarkdown(result, ctx));
  else if (args.format === 'junit') print(compareJunit(result, ctx));
  else print(compareText(result, ctx));
  return args.failOnRegression && result.verdict === 'regressed' ? EXIT.failed : EXIT.ok;
}
