/** `hbench compare BASELINE CANDIDATE`: a paired A/B verdict over the tasks both sides ran; the CI gate. */
import path from 'node:path';
import type { Argv } from 'yargs';
import { renderCompareReport } from '../../report/html/compare-html.js';
import { writeFileAtomic } from '../../report/junit-reporter.js';
import { compareJunit, compareMarkdown, compareText } from '../../report/compare-report.js';
import { compareSides } from '../../runner/compare-sides.js';
import { EXIT } from '../exit-codes.js';

export interface CompareArgs {
  baseline: string;
  candidate: string;
  alpha: number;
  minEffect: number;
  failOnRegression: boolean;
  format: 'table' | 'json' | 'md' | 'junit' | 'html';
  out?: string;
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
    .option('format', { choices: ['table', 'json', 'md', 'junit', 'html'] as const, default: 'table' as const, describe: 'Output format (html: the A/B page)' })
    .option('out', { type: 'string', describe: 'Write the output to this file instead of stdout' })
    .option('allow-model-change', { type: 'boolean', default: false, describe: 'Compare runs made with different models' })
    .option('errors-as-failures', { type: 'boolean', default: false, describe: 'Count infrastructure errors as failures' }) as unknown as Argv<CompareArgs>;
}

export async function compareCommand(args: CompareArgs, stdout: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const { result, context: ctx, modelChange, baseline, candidate } = await compareSides(args.baseline, args.candidate, args);
  let output = '';
  const print = args.out ? (s: string) => void (output += s) : stdout;
  // The warning stays out of a file or a page; on the terminal it heads the output.
  const warn = args.out || args.format === 'html' ? (t: string) => process.stderr.write(t) : print;
  if (modelChange) warn(`warning: comparing across models (${modelChange.from ?? 'none'} → ${modelChange.to ?? 'none'}): the difference is not the harness's alone\n`);
  if (args.format === 'json') print(`${JSON.stringify({ baseline: ctx.baseline, candidate: ctx.candidate, model: ctx.model, simulated: ctx.simulated, ...result }, null, 2)}\n`);
  else if (args.format === 'md') print(compareMarkdown(result, ctx));
  else if (args.format === 'junit') print(compareJunit(result, ctx));
  else if (args.format === 'html') print(await renderCompareReport(baseline, candidate, { alpha: args.alpha, errorsAsFailures: args.errorsAsFailures }));
  else print(compareText(result, ctx));
  if (args.out) {
    await writeFileAtomic(path.resolve(args.out), output);
    stdout(`wrote ${args.out}\n`);
  }
  return args.failOnRegression && result.verdict === 'regressed' ? EXIT.failed : EXIT.ok;
}
