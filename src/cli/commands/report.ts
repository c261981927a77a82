/**
 * `hbench report RESULTS... [--out FILE] [--format html|junit]`: the self-contained HTML report of a run (what
 * `hbench run` writes as report.html), or its JUnit XML. `hbench view RESULTS...` serves the same page on localhost
 * and loads every trial's files on demand.
 */
import path from 'node:path';
import type { Argv } from 'yargs';
import { UsageError } from '../../common/errors.js';
import { startViewServer } from '../../report/html/view-server.js';
import { writeRunReport } from '../../report/html/write-report.js';
import { junitOfRun, writeFileAtomic } from '../../report/junit-reporter.js';
import { ResultsStore } from '../../runner/results-store.js';
import { displayPath } from '../display-path.js';
import { EXIT } from '../exit-codes.js';

export interface ReportArgs {
  results: string[];
  out?: string;
  format: 'html' | 'junit';
  baseline?: string;
  errorsAsFailures: boolean;
}

export function declareReport(y: Argv): Argv<ReportArgs> {
  return y
    .positional('results', { type: 'string', array: true, demandOption: true, describe: 'Results folders (results/<run>)' })
    .option('out', { type: 'string', describe: 'Write here (one results folder); default <run>/report.html (or stdout for junit)' })
    .option('format', { choices: ['html', 'junit'] as const, default: 'html' as const })
    .option('baseline', { type: 'string', describe: 'Harness the others are compared with (default: the first)' })
    .option('errors-as-failures', { type: 'boolean', default: false, describe: 'Count infrastructure errors as failures' }) as unknown as Argv<ReportArgs>;
}

export async function reportCommand(args: ReportArgs, print: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  if (args.out && args.results.length > 1) throw new UsageError(`--out names one file: give one results folder (got ${args.results.length})`);
  for (const dir of args.results) await ResultsStore.open(path.resolve(dir), 'give a results folder made by hbench run (results/<run-id>)');
  for (const dir of args.results.map((d) => path.resolve(d))) {
    if (args.format === 'junit') {
      const xml = await junitOfRun(dir);
      if (args.out) await writeFileAtomic(path.resolve(args.out), xml);
      else print(xml);
      continue;
    }
    const file = await writeRunReport(dir, { baseline: args.baseline, errorsAsFailures: args.errorsAsFailures, file: args.out ? path.resolve(args.out) : undefined });
    print(`wrote ${displayPath(file)}\n`);
  }
  return EXIT.ok;
}

export interface ViewArgs {
  results: string[];
  port: number;
  host: string;
}

export function declareView(y: Argv): Argv<ViewArgs> {
  return y
    .positional('results', { type: 'string', array: true, demandOption: true, describe: 'Results folders (results/<run>)' })
    .option('port', { type: 'number', default: 0, describe: 'Port to listen on (default: any free one)' })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on' }) as unknown as Argv<ViewArgs>;
}

export async function viewCommand(args: ViewArgs, print: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  for (const dir of args.results) await ResultsStore.open(path.resolve(dir), 'give a results folder made by hbench run (results/<run-id>)');
  const server = await startViewServer(args.results.map((d) => path.resolve(d)), { port: args.port, host: args.host });
  print(`hbench view: ${server.url}\n(Ctrl+C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return EXIT.ok;
}
