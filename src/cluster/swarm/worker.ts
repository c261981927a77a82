/**
 * One swarm worker (`hbench swarm-worker`, the worker image's command): runs the shard of its Swarm slot on
 * this node's Docker engine, as `hbench run --shard` would, and sends every finished trial to the hub. A worker that
 * starts where an earlier one died (Swarm restarts the slot, on any node) gets the shard's folder back from the hub
 * and resumes it: nothing finished is repeated.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HbenchError, UsageError, errorMessage } from '../../common/errors.js';
import type { RunRecord } from '../../records/run-record.js';
import type { TrialResult } from '../../records/trial-result.js';
import { ProgressReporter } from '../../report/progress.js';
import { prepareRun } from '../../runner/prepare-run.js';
import { ReporterMux, type Reporter } from '../../runner/reporter.js';
import { executeRun } from '../../runner/run.js';
import { shardFolderName } from '../../runner/shard.js';
import { rebase } from './bundle.js';
import { HubClient } from './hub-client.js';

export interface WorkerEnv {
  hub: string;
  token: string;
  /** The shard this worker runs (1-based). */
  slot: number;
  /** Where the bundle and the shard folder go (in the worker container: /work). */
  root: string;
}

export function workerEnv(env: NodeJS.ProcessEnv): WorkerEnv {
  // Swarm numbers a replicated job's slots from 0, and a restarted task keeps its slot; shards count from 1. Swarm's
  // template renders slot 0 as the node's id (as for a global service), so a value that is not a number is slot 0.
  const raw = env.HBENCH_TASK_SLOT;
  const slot = raw !== undefined && raw !== '' && !/^\d+$/.test(raw) ? 0 : Number(raw);
  if (!env.HBENCH_HUB || !env.HBENCH_HUB_TOKEN || raw === undefined || raw === '' || !Number.isInteger(slot) || slot < 0) {
    throw new UsageError('swarm-worker runs inside the worker image, started by hbench run --engine swarm: it needs HBENCH_HUB, HBENCH_HUB_TOKEN and HBENCH_TASK_SLOT (Swarm\'s {{.Task.Slot}}, from 0)');
  }
  return { hub: env.HBENCH_HUB, token: env.HBENCH_HUB_TOKEN, slot: slot + 1, root: env.HBENCH_WORKER_DIR ?? '/work' };
}

export async function runWorker(env: WorkerEnv, signal: AbortSignal, log: (line: string) => void): Promise<'completed' | 'interrupted'> {
  const hub = new HubClient(env.hub, env.token);
  const job = await hub.job();
  if (env.slot > job.total) throw new UsageError(`HBENCH_TASK_SLOT: shard ${env.slot}, but the run has ${job.total} shards`);
  const bundleDir = path.join(env.root, 'bundle');
  await hub.bundle(bundleDir);
  // Relative harness paths in the bundle resolve against it, the same on every worker.
  process.chdir(bundleDir);
  const outDir = path.join(env.root, 'results');
  const dir = path.join(outDir, shardFolderName(job.runId, { index: env.slot, total: job.total }));
  const config = rebase(job.config, bundleDir);
  const resuming = await hub.shard(env.slot, dir);
  if (resuming) {
    // The shard was started by a worker that died: its record points into that worker's bundle.
    const record = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8')) as RunRecord;
    await writeFile(path.join(dir, 'run.json'), JSON.stringify({ ...record, config: { ...record.config, tasksDir: config.tasksDir, harnessSpecs: config.harnessSpecs, model: config.model } }, null, 2));
    log(`shard ${env.slot}/${job.total}: resuming (${(await readFile(path.join(dir, 'trials.jsonl'), 'utf8').catch(() => '')).split('\n').filter(Boolean).length} trial(s) already recorded)`);
  } else {
    await mkdir(outDir, { recursive: true });
    log(`shard ${env.slot}/${job.total}: starting`);
  }
  const prepared = await prepareRun({
    config: resuming ? null : config,
    resumeDir: resuming ? dir : null,
    runId: job.runId,
    outDir,
    harnessDir: path.join(bundleDir, job.harnessDir),
    concurrency: config.concurrency,
    shard: resuming ? null : { spec: { index: env.slot, total: job.total }, by: job.by, durationsDir: null, assigned: { groups: job.groups, balance: job.balance } },
  });
  const sync = new HubSync(hub, env.slot, prepared.dir);
  const reporter = new ReporterMux([new ProgressReporter(), sync]);
  const outcome = await executeRun(prepared, { reporter, signal: AbortSignal.any([signal, sync.failed]), errorsAsFailures: false, displayPath: (p) => p });
  await sync.flush();
  await hub.putRun(env.slot, outcome.record);
  return outcome.interrupted ? 'interrupted' : 'completed';
}

/** Sends run.json when the shard starts and each trial as it ends, in order; a send that fails for good stops the run. */
class HubSync implements Reporter {
  readonly name = 'hub';
  private chain: Promise<void> = Promise.resolve();
  private error: unknown = null;
  private readonly abort = new AbortController();

  constructor(
    private readonly hub: HubClient,
    private readonly slot: number,
    private readonly dir: string,
  ) {}

  get failed(): AbortSignal {
    return this.abort.signal;
  }

  onBegin(): void {
    this.enqueue(async () => this.hub.putRun(this.slot, JSON.parse(await readFile(path.join(this.dir, 'run.json'), 'utf8')) as RunRecord));
  }

  onTrialEnd(result: TrialResult): void {
    this.enqueue(() => this.hub.putTrial(this.slot, this.dir, result));
  }

  async flush(): Promise<void> {
    await this.chain;
    if (this.error) throw new HbenchError('RESULTS', `could not send results to the shard hub: ${errorMessage(this.error)}`);
  }

  private enqueue(send: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.error) return;
      try {
        await send();
      } catch (err) {
        this.error = err;
        this.abort.abort();
      }
    });
  }
}

