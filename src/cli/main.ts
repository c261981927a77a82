/** The hbench command line: each command is a declaration (options) over a plain async action. */
import yargs from 'yargs';
import { errorMessage, oneLine } from '../common/errors.js';
import { TOOL_VERSION } from '../common/version.js';
import { cleanupCommand, declareCleanup } from './commands/cleanup.js';
import { compareCommand, declareCompare } from './commands/compare.js';
import { declareExport, exportCommand } from './commands/export.js';
import { declareLeaderboard, leaderboardCommand } from './commands/leaderboard.js';
import { declarePlan, planCommand } from './commands/plan.js';
import { declareReport, declareView, reportCommand, viewCommand } from './commands/report.js';
import { declareK8sJob, k8sJobCommand } from './commands/k8s-job.js';
import { declareRun, runCommand } from './commands/run.js';
import { declareMerge, mergeCommand } from './commands/merge.js';
import { declareStatus, statusCommand } from './commands/status.js';
import { declareSwarmWorker, swarmWorkerCommand } from './commands/swarm.js';
import { declareTasks, tasksCheckCommand, tasksListCommand } from './commands/tasks.js';
import { EXIT, exitCodeFor } from './exit-codes.js';

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const set = (p: Promise<number>) => p.then((c) => void (code = c));
  const cli = yargs(argv)
    .scriptName('hbench')
    .version(TOOL_VERSION)
    .strict()
    .command('run', 'Run tasks × harnesses × trials in fresh Docker containers', declareRun, (a) => set(runCommand(a)))
    .command('tasks', 'Validate and check benchmark tasks', (y) =>
      y
        .command('list [dir]', 'Read and validate every task', declareTasks, (a) => set(tasksListCommand(a)))
        .command('check [dir]', 'Build, run the reference solution (must pass) and a no-op (must fail)', declareTasks, (a) => set(tasksCheckCommand(a)))
        .demandCommand(1, 'name a subcommand: hbench tasks list | check'),
    )
    .command('compare <baseline> <candidate>', 'Paired A/B comparison of two harnesses (results/<run>[#harness]); the CI gate', declareCompare, (a) => set(compareCommand(a)))
    .command('plan [sides..]', 'Trials and tasks needed to detect a difference; minimum detectable effect of a run', declarePlan, (a) => set(planCommand(a)))
    .command('report <results..>', 'Write the self-contained HTML report of a run (or its JUnit XML)', declareReport, (a) => set(reportCommand(a)))
    .command('view <results..>', 'Serve the report on localhost, every trial loaded on demand', declareView, (a) => set(viewCommand(a)))
    .command('export <results>', 'Write a results folder in another tool\'s layout (--format harbor: Harbor job folder, ATIF trajectories)', declareExport, (a) => set(exportCommand(a)))
    .command('leaderboard <results..>', 'Many runs → one leaderboard (HTML, Markdown, JSON); runs on different task suites are ranked apart', declareLeaderboard, (a) => set(leaderboardCommand(a)))
    .command('merge <shards..>', 'Merge the shard folders of one run (hbench run --shard I/N) into one results folder', declareMerge, (a) => set(mergeCommand(a)))
    .command('status <results..>', 'Done/total per run or shard folder and overall (works while they run)', declareStatus, (a) => set(statusCommand(a)))
    .command('k8s-job', 'Write the Kubernetes manifest of a sharded run: an Indexed Job of shards (each with its own Docker engine) and the merge Job', declareK8sJob, (a) => set(k8sJobCommand(a)))
    // The worker image's command (hbench run --engine swarm starts it on every node); not for direct use.
    .command('swarm-worker', false, declareSwarmWorker, () => set(swarmWorkerCommand()))
    .command('cleanup', 'Remove containers left by hbench runs that were killed', declareCleanup, (a) => set(cleanupCommand(a)))
    .demandCommand(1, 'name a command; see hbench --help')
    .fail((msg, err) => {
      throw err ?? new UsageFailure(msg);
    })
    .help();
  try {
    await cli.parseAsync();
    return code;
  } catch (err) {
    if (err instanceof UsageFailure) {
      // yargs writes some messages over several lines ("Invalid values:\n  Argument: …"): one line, like every error.
      process.stderr.write(`hbench: ${oneLine(err.message)} (see hbench --help)\n`);
      return EXIT.usage;
    }
    process.stderr.write(`hbench: ${oneLine(errorMessage(err), 2000)}\n`);
    return exitCodeFor(err);
  }
}

class UsageFailure extends Error {}
