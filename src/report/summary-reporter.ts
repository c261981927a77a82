/** At the end of a run: the harness × pass-rate table on stdout and summary.csv in the results folder. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { TrialResult } from '../runner/trial-result.js';
import type { RunSummary } from '../scoring/summary.js';
import type { Reporter } from './reporter.js';
import { duration, formatTable, pct } from './table.js';

export class SummaryReporter implements Reporter {
  readonly name = 'summary';
  constructor(
    private readonly outDir: string,
    private readonly print: (text: string) => void = (t) => process.stdout.write(t),
  ) {}

  async onEnd(summary: RunSummary, _all: TrialResult[], interrupted: boolean): Promise<void> {
    const rows = summary.harnesses.map((h) => [h.harness, h.trials, h.passed, h.failed, h.timeouts, h.errors, pct(h.passRate), duration(h.meanDurationMs)]);
    const title = interrupted ? 'Partial results (run interrupted; finish it with --resume)' : 'Results';
    this.print(`\n${title}: ${summary.runId}\n${formatTable(['harness', 'trials', 'passed', 'failed', 'timeout', 'errors', 'pass rate', 'mean time'], rows)}\n`);
    this.print('pass rate = passed / (trials − errors); infrastructure errors are left out, timeouts count as failures\n');
    this.print(`results: ${this.outDir}\n`);
    const csv = stringify(
      summary.harnesses.map((h) => ({
        harness: h.harness,
        tasks: h.tasks,
        trials: h.trials,
        passed: h.passed,
        failed: h.failed,
        timeout: h.timeouts,
        error: h.errors,
        pass_rate: h.passRate ?? '',
        mean_reward: h.meanReward ?? '',
        mean_duration_ms: h.meanDurationMs,
      })),
      { header: true },
    );
    await writeFile(path.join(this.outDir, 'summary.csv'), csv);
  }
}
