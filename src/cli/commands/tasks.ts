/**
 * `hbench tasks list [DIR]`: read and validate every task. `hbench tasks check [DIR]`: also build each image, run the
 * reference solution (must pass) and the no-op harness (must fail). Exit 1 when any task is broken.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import type { Argv } from 'yargs';
import { resolveHarness } from '../../harness/registry.js';
import { ResultsStore } from '../../runner/results-store.js';
import { trialKey, type TrialResult } from '../../runner/trial-result.js';
import { runTrial } from '../../runner/trial.js';
import { DockerSandboxProvider } from '../../sandbox/docker-provider.js';
import { formatTable } from '../../report/table.js';
import { loadSuite } from '../../tasks/loader.js';
import type { Task } from '../../tasks/task.js';
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
  const store = await ResultsStore.create(outDir);
  const provider = new DockerSandboxProvider({ runId: `check-${path.basename(outDir)}` });
  await provider.ping();
  await provider.sweep();
  const [oracle, nop] = await Promise.all([resolveHarness('oracle', { harnessDir: '/nonexistent' }), resolveHarness('nop', { harnessDir: '/nonexistent' })]);
  const interrupt = installInterruptHandler(() => process.stderr.write('\ninterrupted: cleaning up\n'));
  const limit = pLimit(Math.max(1, args.concurrency));
  type Row = { task: Task; oracle: TrialResult | null; nop: TrialResult | null };
  const rows: Row[] = [];
  try {
    await Promise.all(
      suite.tasks.map((task) =>
        limit(async () => {
          const deps = { runId: 'check', provider, store, signal: interrupt.signal, allowNetwork: false };
          const o = await runTrial({ key: trialKey(task.id, 'oracle', 1), task, harness: oracle, trial: 1 }, deps);
          const n = o && o.status !== 'error' ? await runTrial({ key: trialKey(task.id, 'nop', 1), task, harness: nop, trial: 1 }, deps) : null;
          rows.push({ task, oracle: o, nop: n });
          process.stderr.write(`${verdict(o, n) === 'ok' ? '✓' : '✗'} ${task.id}\n`);
        }),
      ),
    );
  } finally {
    await provider.close().catch(() => undefined);
    store.close();
    interrupt.dispose();
  }
  rows.sort((a, b) => a.task.id.localeCompare(b.task.id));
  const table: Array<Array<string | number>> = rows.map((r) => [
    r.task.id,
    r.task.format,
    r.task.steps.length,
    r.oracle?.phases.build !== undefined ? `${(r.oracle.phases.build / 1000).toFixed(1)}s` : '–',
    describe(r.oracle, 'passed'),
    describe(r.nop, 'failed'),
    verdict(r.oracle, r.nop),
  ]);
  for (const f of suite.failures) table.push([f.id, '?', '–', '–', '–', '–', 'INVALID']);
  print(`${formatTable(['task', 'format', 'steps', 'build', 'oracle (must pass)', 'nop (must fail)', 'verdict'], table)}\n`);
  for (const f of suite.failures) print(`${f.error.message}\n`);
  for (const r of rows) {
    const err = r.oracle?.error ?? r.nop?.error;
    if (err) print(`${r.task.id}: ${err.class}: ${err.message}\n`);
  }
  const broken = rows.filter((r) => verdict(r.oracle, r.nop) !== 'ok').length + suite.failures.length;
  print(`${rows.length + suite.failures.length - broken} ok, ${broken} broken; logs: ${outDir}\n`);
  if (interrupt.signal.aborted) return EXIT.interrupted;
  return broken ? EXIT.failed : EXIT.ok;
}

function describe(r: TrialResult | null, want: 'passed' | 'failed'): string {
  if (!r) return '–';
  const steps = r.steps.length > 1 ? ` (${r.steps.map((s) => s.reward ?? '-').join('/')})` : '';
  const ok = want === 'passed' ? r.status === 'passed' : r.status === 'failed' || r.status === 'timeout';
  return `${ok ? '' : '✗ '}${r.status}${steps}`;
}

function verdict(o: TrialResult | null, n: TrialResult | null): string {
  if (!o) return 'interrupted';
  if (o.status === 'error') return 'ERROR';
  if (o.status !== 'passed') return 'BROKEN: oracle fails';
  if (!n) return 'interrupted';
  if (n.status === 'error') return 'ERROR';
  if (n.status === 'passed') return 'BROKEN: nop passes';
  return 'ok';
}
