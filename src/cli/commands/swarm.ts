/**
 * `hbench run --engine swarm`: the run spread over a Docker Swarm (cluster/swarm), then merged into one results folder
 * as `hbench merge` does; and `hbench swarm-worker`, the command the worker image runs on each node.
 */
import path from 'node:path';
import type { Argv } from 'yargs';
import { UsageError } from '../../common/errors.js';
import { runOnSwarm } from '../../cluster/swarm/coordinator.js';
import { runWorker, workerEnv } from '../../cluster/swarm/worker.js';
import { EXIT } from '../exit-codes.js';
import { installInterruptHandler } from '../interrupt.js';
import { mergeCommand } from './merge.js';
import { runConfigFromArgs, type RunArgs } from './run-options.js';

export async function swarmRunCommand(args: RunArgs, print: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  if (args.resume) throw new UsageError('--engine swarm: to finish a swarm run, run the same command again with the same --run-id (finished trials are kept); --resume is for local folders');
  if (args.shard) throw new UsageError('--engine swarm splits the run itself (--workers N): drop --shard');
  const interrupt = installInterruptHandler(() => process.stderr.write('\nstopping: removing the swarm workers; finished trials are kept\n'));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  try {
    const outcome = await runOnSwarm(
      { config: runConfigFromArgs(args), resumeDir: null, runId: args.runId ?? null, outDir: args.out, harnessDir: args.harnessDir, concurrency: args.concurrency },
      {
        workers: args.workers,
        by: args.shardBy,
        durationsDir: args.durations ?? null,
        workerImage: args.workerImage ?? null,
        copyTo: args.copyWorkerTo,
        hubAddress: args.hubAddress ?? null,
        maxPerNode: args.maxWorkersPerNode,
        maxAttempts: args.workerAttempts,
        workerEnv: args.workerEnv,
      },
      {
        signal: interrupt.signal,
        log,
        onProgress: (shards, tasks) => {
          const done = shards.reduce((n, s) => n + s.done, 0);
          const planned = shards.reduce((n, s) => n + s.planned, 0);
          const running = tasks.filter((t) => t.state === 'running').length;
          const restarted = tasks.length - new Set(tasks.map((t) => t.slot)).size;
          const per = shards.map((s) => `${s.index}:${s.done}/${s.planned || '?'}`).join(' ');
          log(`swarm: ${done}/${planned || '?'} trials; shards ${per}; workers running ${running}${restarted ? `, restarted ${restarted}` : ''}`);
        },
      },
    );
    if (outcome.interrupted) {
      log(`run interrupted; the shard folders keep every finished trial: run the same command again (same --run-id ${outcome.runId}) to finish`);
      return EXIT.interrupted;
    }
    log(`all ${outcome.shardDirs.length} shard(s) complete on ${outcome.nodes.length} node(s) (${outcome.nodes.join(', ')}); ${outcome.workerTasks} worker task(s) in all`);
    return await mergeCommand({ shards: outcome.shardDirs, out: path.join(args.out, outcome.runId), allowIncomplete: false, errorsAsFailures: args.errorsAsFailures, summaryMd: args.summaryMd }, print);
  } finally {
    interrupt.dispose();
  }
}

export function declareSwarmWorker(y: Argv): Argv {
  return y;
}

export async function swarmWorkerCommand(): Promise<number> {
  const env = workerEnv(process.env);
  const interrupt = installInterruptHandler(() => undefined);
  try {
    const result = await runWorker(env, interrupt.signal, (line) => process.stdout.write(`${line}\n`));
    return result === 'completed' ? EXIT.ok : EXIT.interrupted;
  } finally {
    interrupt.dispose();
  }
}
