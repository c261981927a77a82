/** At the end of every run (and resume): `results/<run>/report.html`, the self-contained page (see html/). */
import type { Reporter } from '../runner/reporter.js';
import { writeRunReport } from './html/write-report.js';

export class HtmlReporter implements Reporter {
  readonly name = 'html';
  constructor(private readonly options: { outDir: string; print?: (text: string) => void; displayPath?: (p: string) => string }) {}

  async onEnd(): Promise<void> {
    const file = await writeRunReport(this.options.outDir);
    const print = this.options.print ?? ((t: string) => process.stdout.write(t));
    print(`report: ${this.options.displayPath?.(file) ?? file}\n`);
  }
}
