/**
 * The live progress line: done/total, passed, failed, errors, ETA. On a terminal it redraws one line; elsewhere
 * (CI logs, pipes) it prints one line per finished trial.
 */
import type { TrialResult } from '../records/trial-result.js';
import type { Reporter, RunInfo } from '../runner/reporter.js';
import { duration } from './table.js';
import { modelText } from '../records/model.js';

const MARK: Record<TrialResult['status'], string> = { passed: '✓', failed: '✗', timeout: '⧗', error: '!' };

export class ProgressReporter implements Reporter {
  readonly name = 'progress';
  private total = 0;
  private done = 0;
  private counts = { passed: 0, failed: 0, timeout: 0, error: 0 };
  private started = 0;
  private running = new Set<string>();
  private readonly tty: boolean;
  private ticker: NodeJS.Timeout | null = null;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {
    this.tty = Boolean(out.isTTY) && !process.env.CI;
  }

  onBegin(info: RunInfo): void {
    this.total = info.planned;
    this.started = performance.now();
    const model = info.model ? ` · model ${modelText(info.model)}` : '';
    const resumed = info.alreadyDone ? ` · resuming: ${info.alreadyDone} already done` : '';
    this.out.write(`hbench run ${info.runId}: ${info.tasks} tasks × ${info.harnesses.length} harnesses (${info.harnesses.join(', ')}) × ${info.trials} trials = ${info.planned} to run${resumed}${model}\n`);
    this.out.write(`results: ${info.outDir}\n`);
    // Keep elapsed time and ETA moving between trial ends.
    if (this.tty) this.ticker = setInterval(() => this.redraw(), 1000).unref();
  }

  onTrialBegin(key: string): void {
    this.running.add(key);
    this.redraw();
  }

  onTrialEnd(r: TrialResult): void {
    this.running.delete(r.key);
    this.done++;
    this.counts[r.status]++;
    if (this.tty) this.redraw();
    else {
      const err = r.error ? `  ${r.error.class}: ${r.error.message}` : '';
      this.out.write(`[${this.done}/${this.total}] ${MARK[r.status]} ${r.status.padEnd(7)} ${r.key} (${duration(r.durationMs)})${err}\n`);
    }
    if (this.tty && r.error) this.clearThen(`! ${r.key}: ${r.error.class}: ${r.error.message}\n`);
  }

  onInterrupt(): void {
    this.clearThen('\nInterrupted: finishing nothing new, cleaning up and writing what is done (Ctrl+C again to exit at once)\n');
  }

  onEnd(): void {
    if (this.ticker) clearInterval(this.ticker);
    if (this.tty) this.out.write('\n');
  }

  line(): string {
    const elapsed = performance.now() - this.started;
    const eta = this.done > 0 && this.done < this.total ? ` · ETA ${duration((elapsed / this.done) * (this.total - this.done))}` : '';
    const c = this.counts;
    return `[${this.done}/${this.total}] ✓ ${c.passed} passed · ✗ ${c.failed} failed · ⧗ ${c.timeout} timeout · ! ${c.error} errors · ${duration(elapsed)}${eta} · running ${this.running.size}`;
  }

  private redraw(): void {
    if (!this.tty) return;
    this.out.write(`\r\x1b[2K${this.line().slice(0, (this.out.columns ?? 120) - 1)}`);
  }

  private clearThen(text: string): void {
    if (this.tty) this.out.write('\r\x1b[2K');
    this.out.write(text);
    this.redraw();
  }
}
