/** `hbench run`: plan tasks × harnesses × trials, run them in fresh containers, record and summarise. */
import path from 'node:path';
import { createReporters } from '../../report/registry.js';
import { ReporterMux } from '../../runner/reporter.js';
import { prepareRun } from '../../runner/prepare-run.js';
import { executeRun } from '../../runner/run.js';
import { parseShard } from '../../runner/shard.js';
import { swarmRunCommand } from './swarm.js';
import { EXIT } from '../exit-codes.js';
import { displayPath } from '../display-path.js';
import { installInterruptHandler } from '../interrupt.js';
import { checkRunArgs, runConfigFromArgs, type RunArgs } from './run-options.js';

export { declareRun, type RunArgs } from './run-options.js';

export async function runCommand(args: RunArgs): Promise<number> {
  checkRunArgs(args);
  if (args.engine === 'swarm') return swarmRunCommand(args);
  // Everything that can be wrong with the input is checked before anything is written.
  const prepared = await prepareRun({
    config: args.resume ? null : runConfigFromArgs(args),
    resumeDir: args.resume ?? null,
    runId: args.runId ?? null,
    outDir: args.out,
    harnessDir: args.harnessDir,
    concurrency: args.concurrency,
    shard: args.shard ? { spec: parseShard(args.shard), by: args.shardBy, durationsDir: args.durations ?? null } : null,
  });
  for (const w of prepared.warnings) process.stderr.write(`warning: ${w}\n`);
  const names = [...args.reporter, ...(args.junit && !args.reporter.includes('junit') ? ['junit'] : [])];
  const reporter = new ReporterMux(
    createReporters(names, { outDir: prepared.dir, markdownFile: args.summaryMd ? path.resolve(args.summaryMd) : undefined, junitFile: args.junit ? path.resolve(args.junit) : undefined, displayPath }),
  );
  const interrupt = installInterruptHandler(() => reporter.onInterrupt());
  try {
    const outcome = await executeRun(prepared, {
      reporter,
      signal: interrupt.signal,
      errorsAsFailures: args.errorsAsFailures,
      displayPath,
      onSwept: (s) => process.stderr.write(`removed ${s.containers} leftover container(s) and ${s.networks} network(s) of killed runs\n`),
      onWarning: (m) => process.stderr.write(`${m}\n`),
    });
    if (outcome.stopReason) {
      process.stderr.write(`run stopped: ${outcome.stopReason}; ${outcome.all.length}/${outcome.record.counts.planned} trials recorded; once the engine is back, finish with: hbench run --resume ${displayPath(outcome.dir)}\n`);
      return EXIT.environment;
    }
    if (outcome.interrupted) {
      process.stderr.write(`run interrupted: ${outcome.all.length}/${outcome.record.counts.planned} trials recorded; finish with: hbench run --resume ${displayPath(outcome.dir)}\n`);
      return EXIT.interrupted;
    }
    return outcome.all.some((r) => r.status === 'error') ? EXIT.failed : EXIT.ok;
  } finally {
    interrupt.dispose();
  }
}
