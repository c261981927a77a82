/**
 * `hbench tasks list [DIR]`: read and validate every task. `hbench tasks check [DIR]`: also build each image, run the
 * reference solution (must pass) and the no-op harness (must fail). Exit 1 when any task is broken.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Argv } from 'yargs';
import { checkReport } from '../../report/tasks-check-report.js';
import { formatTable } from '../../report/table.js';
import { checkTasks, checkVerdict } from '../../runner/tasks-check.js';
import { loadSuite } from '../../tasks/loader.js';
import { EXIT } from '../exit-codes.js';
import { installInterruptHandler } from '../interrupt.js';

export interface TasksArgs {
  dir: string;
  concurrency: number;
  task: string[];
  exclude: string[];
}

export function declareTasks(y: Argv): Argv<TasksArgs> {
  return y
    .positional('dir', { type: 'string', default: 'tasks', describe: 'Folder of task folders' })
    .option('task', { type: 'string', array: true, default: [] as string[], describe: 'Only tasks matching this glob' })
    .option('exclude', { type: 'string', array: true, default: [] as string[], describe: 'Skip tasks matching this glob' })
    .option('concurrency', { type: 'number', default: 4, describe: 'Tasks checked at once' }) as unknown as Argv<TasksArgs>;
}

export async function tasksListCommand(args: TasksArgs, print: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const suite = await loadSuite(args.dir, { include: args.task, exclude: args.exclude });
  const rows: Array<Array<string | number>> = suite.tasks.map((t) => [t.id, t.format, t.steps.length, t.environment.network === 'none' ? 'off' : 'on', `${t.steps.reduce((a, s) => a + s.agentTimeoutSec, 0)}s`, 'ok']);
  for (const f of suite.failures) rows.push([f.id, '?', '–', '–', '–', 'INVALID']);
  rows.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  print(`${formatTable(['task', 'format', 'steps', 'network', 'agent timeout', 'status'], rows)}\n`);
  for (const f of suite.failures) print(`${f.error.message}\n`);
  print(`${suite.tasks.length} valid, ${suite.failures.length} invalid\n`);
  return suite.failures.length ? EXIT.failed : EXIT.ok;
}

export async function tasksCheckCommand(args: TasksArgs, print: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const suite = await loadSuite(args.dir, { include: args.task, exclude: args.exclude });
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'hbench-check-'));
  const interrupt = installInterruptHandler(() => process.stderr.write('\ninterrupted: cleaning up\n'));
  let rows;
  try {
    rows = await checkTasks(suite.tasks, {
      outDir,
      concurrency: Math.max(1, args.concurrency),
      signal: interrupt.signal,
      onTask: (c) => process.stderr.write(`${checkVerdict(c.oracle, c.nop) === 'ok' ? '✓' : '✗'} ${c.task.id}\n`),
    });
  } finally {
    interrupt.dispose();
  }
  const { text, broken } = checkReport(rows, suite.failures, outDir);
  print(text);
  if (interrupt.signal.aborted) return EXIT.interrupted;
  return broken ? EXIT.failed : EXIT.ok;
}
