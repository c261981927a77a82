/**
 * `hbench run --engine swarm`: one run spread over a Docker Swarm. hbench does not schedule anything itself: it splits
 * the plan into N shards (the same split as `--shard I/N`), submits one replicated-job service of N workers (one per
 * slot: shard = `{{.Task.Slot}}` + 1, as Swarm counts a job's slots from 0), and lets Swarm place them, restart them when they die, and queue them when there
 * are more shards than room. Results reach the coordinator's shard hub as trials end; the caller merges the shard
 * folders into one results folder when every shard is complete.
 */
import path from 'node:path';
import { HbenchError, UsageError } from '../../common/errors.js';
import { LABEL } from '../../sandbox/docker-labels.js';
import { SwarmClient, type SwarmTask } from '../../sandbox/docker-swarm.js';
import { Lifecycle } from '../../runner/lifecycle.js';
import { planShards, prepareRun, type RunRequest } from '../../runner/prepare-run.js';
import type { ShardBy } from '../../runner/shard.js';
import { makeBundle } from './bundle.js';
import { ShardHub, type ShardProgress } from './hub.js';
import { ensureWorkerImage } from './worker-image.js';

export interface SwarmOptions {
  workers: number;
  by: ShardBy;
  durationsDir: string | null;
  /** A worker image every node has (or can pull); else it is built from this checkout and copied to `copyTo`. */
  workerImage: string | null;
  /** DOCKER_HOST values of further nodes to copy the built worker image to (no registry needed). */
  copyTo: string[];
  /** The address workers reach the hub on (default: the manager's swarm address). */
  hubAddress: string | null;
  maxPerNode: number;
  maxAttempts: number;
  /** Environment variables passed to every worker (e.g. the model API key): names, their values taken from here. */
  workerEnv: string[];
}

export interface SwarmHooks {
  signal: AbortSignal;
  log(line: string): void;
  /** Progress, called when it changes. */
  onProgress?(shards: ShardProgress[], tasks: SwarmTask[]): void;
}

export interface SwarmOutcome {
  runId: string;
  shardDirs: string[];
  interrupted: boolean;
  /** Worker tasks Swarm started in all (more than the shards when some were restarted). */
  workerTasks: number;
  nodes: string[];
}

export async function runOnSwarm(request: RunRequest, options: SwarmOptions, hooks: SwarmHooks): Promise<SwarmOutcome> {
  if (!Number.isInteger(options.workers) || options.workers < 1) throw new UsageError(`--workers must be a whole number ≥ 1 (got ${options.workers})`);
  if (!request.config) throw new UsageError('--engine swarm starts a run; to finish one, run the same command with the same --run-id (finished trials are kept)');
  const swarm = new SwarmClient();
  const state = await swarm.state();
  const total = options.workers;
  // Everything is checked here first, exactly as a local run checks it, before anything starts.
  // The whole plan is checked as a local run checks it; the split is computed once, here, and shipped to the workers.
  const prepared = await prepareRun({ ...request, shard: null });
  const { groups, balance } = await planShards({ spec: { index: 1, total }, by: options.by, durationsDir: options.durationsDir }, prepared.config, prepared.tasks, prepared.harnesses);
  const bundle = await makeBundle(prepared.config, request.harnessDir);
  const job = { runId: prepared.runId, total, by: options.by, groups, balance, config: bundle.config, harnessDir: bundle.harnessDir };
  const env: Record<string, string> = {};
  for (const name of options.workerEnv) {
    const value = process.env[name];
    if (value === undefined) throw new UsageError(`--worker-env ${name}: not set here; set it, or drop --worker-env ${name}`);
    env[name] = value;
  }

  const lifecycle = new Lifecycle();
  try {
    const swept = await swarm.sweep();
    if (swept) hooks.log(`removed ${swept} swarm service(s) left by killed runs`);
    const hub = await lifecycle.step('shard hub', () => ShardHub.start({ outDir: path.resolve(request.outDir), job, bundle: bundle.gz, host: options.hubAddress ?? state.nodeAddr, localConfig: prepared.config }), (h) => h.close());
    const image = options.workerImage ?? (await ensureWorkerImage(options.copyTo, hooks.log));
    const name = `hbench-${prepared.runId}`.slice(0, 63);
    // Torn down after the worker service is removed, on every path: a worker that died left its trial containers
    // running on its node, which its successor (placed on any node) cannot see.
    lifecycle.defer('containers left on the nodes', () => sweepNodes(swarm, { name: `${name.slice(0, 54)}-cleanup`, image, runId: prepared.runId }, hooks.log));
    const service = await lifecycle.step(
      'worker service',
      () =>
        swarm.createJob({
          name,
          image,
          args: ['swarm-worker'],
          env: { ...env, HBENCH_HUB: hub.url, HBENCH_HUB_TOKEN: hub.token, HBENCH_TASK_SLOT: '{{.Task.Slot}}', HBENCH_MACHINE: '{{.Node.Hostname}} ({{.Node.ID}})' },
          completions: total,
          maxConcurrent: total,
          maxPerNode: options.maxPerNode,
          maxAttempts: options.maxAttempts,
          // One name per slot: a worker restarted in a slot sweeps the containers its dead predecessor left.
          hostname: `${name.slice(0, 40)}-{{.Task.Slot}}`,
          labels: { [LABEL.run]: prepared.runId },
        }),
      (id) => swarm.removeService(id),
    );
    hooks.log(`submitted ${total} shard worker(s) to the swarm (${state.nodes.filter((n) => n.ready && n.active).length} node(s) ready): service ${name}, hub ${hub.url}`);
    const { interrupted, tasks } = await waitForJob(swarm, service, hub, total, options.maxAttempts, hooks);
    const nodes = [...new Set(tasks.map((t) => t.nodeId).filter((n): n is string => !!n))].map((id) => state.nodes.find((n) => n.id === id)?.hostname ?? id);
    return { runId: prepared.runId, shardDirs: Array.from({ length: total }, (_, i) => hub.shardDir(i + 1)), interrupted, workerTasks: tasks.length, nodes };
  } finally {
    await lifecycle.close();
  }
}

/** `hbench cleanup --run ID` on every node, as a global job: what the run's dead workers left behind. */
async function sweepNodes(swarm: SwarmClient, o: { name: string; image: string; runId: string }, log: (line: string) => void): Promise<void> {
  const service = await swarm.createJob({ name: o.name, image: o.image, args: ['cleanup', '--run', o.runId], env: {}, everyNode: true, completions: 0, maxConcurrent: 0, maxPerNode: 0, maxAttempts: 0, hostname: `${o.name.slice(0, 40)}-{{.Node.ID}}`, labels: { [LABEL.run]: `${o.runId}-cleanup` } });
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const tasks = await swarm.tasks(service);
      if (tasks.length > 0 && tasks.every((t) => ['complete', 'failed', 'rejected', 'shutdown'].includes(t.state))) {
        const failed = tasks.filter((t) => t.state !== 'complete');
        if (failed.length) log(`warning: cleaning up after the run failed on ${failed.length} node(s) (${failed[0]!.error || failed[0]!.message}); hbench cleanup --run ${o.runId} there removes what is left`);
        return;
      }
      if (Date.now() > deadline) {
        log(`warning: cleaning up after the run did not finish on every node within 120 s; hbench cleanup --run ${o.runId} on a node removes what is left there`);
        return;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await swarm.removeService(service);
  }
}

async function waitForJob(swarm: SwarmClient, service: string, hub: ShardHub, total: number, maxAttempts: number, hooks: SwarmHooks): Promise<{ interrupted: boolean; tasks: SwarmTask[] }> {
  let last = '';
  for (;;) {
    const tasks = await swarm.tasks(service);
    const shards = hub.progress();
    const key = JSON.stringify([shards, tasks.map((t) => [t.id, t.state])]);
    if (key !== last) hooks.onProgress?.(shards, tasks);
    last = key;
    if (shards.every((s) => s.status === 'completed' && s.done >= s.planned)) return { interrupted: false, tasks };
    // A slot Swarm has given up on: every attempt failed.
    for (let slot = 1; slot <= total; slot++) {
      const failed = tasks.filter((t) => t.slot === slot - 1 && (t.state === 'failed' || t.state === 'rejected'));
      if (failed.length > maxAttempts) {
        const why = failed.at(-1)!;
        throw new HbenchError('DOCKER_API', `shard ${slot}/${total}: its worker failed ${failed.length} time(s) (last: ${why.error || why.message || `exit code ${why.exitCode}`}); see docker service logs ${service}; finished trials are kept: run the same command again to finish`);
      }
    }
    if (hooks.signal.aborted) return { interrupted: true, tasks };
    await new Promise((r) => setTimeout(r, 1000));
  }
}
