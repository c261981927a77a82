/** `hbench compare BASELINE CANDIDATE`: a paired A/B verdict over the tasks both sides ran; the CI gate. */
import type { Argv } from 'yargs';
import { compareJunit, compareMarkdown, compareText } from '../../report/compare-report.js';
import { compareSides } from '../../runner/compare-sides.js';
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
  const { result, context: ctx, modelChange } = await compareSides(args.baseline, args.candidate, args);
  if (modelChange) print(`warning: comparing across models (${modelChange.from ?? 'none'} → ${modelChange.to ?? 'none'}): the difference is not the harness's alone\n`);
  if (args.format === 'json') print(`${JSON.stringify({ baseline: ctx.baseline, candidate: ctx.candidate, model: ctx.model, simulated: ctx.simulated, ...result }, null, 2)}\n`);
  else if (args.format === 'md') print(compareMarkdown(result, ctx));
  else if (args.format === 'junit') print(compareJunit(result, ctx));
  else print(compareText(result, ctx));
  return args.failOnRegression && result.verdict === 'regressed' ? EXIT.failed : EXIT.ok;
}
