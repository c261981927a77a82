/**
 * At the end of a run: the summary on stdout, and summary.csv, summary.json (and, when asked, a Markdown summary for
 * CI) in the results folder.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { TrialResult } from '../records/trial-result.js';
import type { RunSummary } from '../scoring/summary.js';
import type { Reporter, RunInfo } from '../runner/reporter.js';
import { summaryMarkdown, summaryText } from './summary-text.js';
import { modelText } from '../records/model.js';
import { storageFaultOf } from '../common/errors.js';
import { writeFileAtomic } from './junit-reporter.js';

export interface SummaryReporterOptions {
  outDir: string;
  /** Also write the Markdown summary here (e.g. $GITHUB_STEP_SUMMARY). */
  markdownFile?: string;
  print?: (text: string) => void;
}

export class SummaryReporter implements Reporter {
  readonly name = 'summary';
  private model: RunInfo['model'] = null;
  constructor(private readonly options: SummaryReporterOptions) {}

  onBegin(info: RunInfo): void {
    this.model = info.model;
  }

  async onEnd(summary: RunSummary, _all: TrialResult[], interrupted: boolean): Promise<void> {
    const print = this.options.print ?? ((t: string) => process.stdout.write(t));
    const title = interrupted ? 'Partial results (run interrupted; finish it with --resume)' : 'Results';
    const model = this.model ? `model ${modelText(this.model)}\n` : '';
    print(`\n${title}: ${summary.runId}\n${model}${summaryText(summary)}\nresults: ${this.options.outDir}\n`);
    const csv = stringify(
      summary.harnesses.map((h) => ({
        harness: h.harness,
        tasks: h.tasks,
        trials: h.trials,
        passed: h.passed,
        failed: h.failed,
        timeout: h.timeouts,
        error: h.errors,
        pass_rate: h.passRate?.rate ?? '',
        ci_low: h.passRate?.low ?? '',
        ci_high: h.passRate?.high ?? '',
        se: h.passRate?.se ?? '',
        ci_method: h.passRate?.method ?? '',
        mean_reward: h.meanReward ?? '',
        k: h.passK.at(-1)?.k ?? '',
        pass_at_k: h.passK.at(-1)?.passAtK ?? '',
        pass_hat_k: h.passK.at(-1)?.passHatK ?? '',
        mean_duration_ms: h.meanDurationMs,
      })),
      { header: true, columns: ['harness', 'tasks', 'trials', 'passed', 'failed', 'timeout', 'error', 'pass_rate', 'ci_low', 'ci_high', 'se', 'ci_method', 'mean_reward', 'k', 'pass_at_k', 'pass_hat_k', 'mean_duration_ms'] },
    );
    // Each file whole or not at all; a disk that refuses one is a one-line warning naming it and the fix (a later
    // `--resume` of the finished run writes them again).
    const write = (file: string, content: string) => writeFileAtomic(file, content).catch((err: unknown) => Promise.reject(storageFaultOf(err, this.options.outDir, file) ?? err));
    await write(path.join(this.options.outDir, 'summary.csv'), csv);
    await write(path.join(this.options.outDir, 'summary.json'), `${JSON.stringify({ ...summary, model: this.model, interrupted }, null, 2)}\n`);
    if (this.options.markdownFile) await writeFile(this.options.markdownFile, summaryMarkdown(summary, this.model));
  }
}
