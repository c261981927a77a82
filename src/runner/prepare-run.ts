/**
 * Everything that can be wrong with a run's input is found here, before anything is written: the task suite, the
 * model, the harnesses (distinct names), for a resume that nothing changed since the run started, and that no other
 * process is writing the results folder.
 */
import path from 'node:path';
import { HbenchError, UsageError } from '../common/errors.js';
import type { Harness } from '../harness/harness.js';
import { resolveHarness } from '../harness/registry.js';
import { limitConcurrency } from '../models/limited.js';
import type { ModelProvider } from '../models/provider.js';
import { resolveModelConfig, type ResolvedModel } from '../models/resolve.js';
import type { RunConfig, RunRecord } from '../records/run-record.js';
import { loadSuite } from '../tasks/loader.js';
import type { Task } from '../tasks/task.js';
import { referenceSolutions } from './reference-solutions.js';
import { ResultsStore } from './results-store.js';
import { assertUnlocked } from './run-lock.js';
import { checkUnchanged, defaultRunId, taskEntry } from './run-record.js';
import { buildPlan } from './plan.js';
import { assignGroups, durationEstimates, runDigests, shardFolderName, shardRecord, type ShardBy, type ShardSpec } from './shard.js';
import type { ShardRecord } from '../records/run-record.js';
import { TOOL_VERSION } from '../common/version.js';

export interface RunRequest {
  /** A new run's configuration; null when resuming. */
  config: RunConfig | null;
  /** The results folder of the run to finish. */
  resumeDir: string | null;
  runId: string | null;
  /** Where `<run-id>/` goes for a new run. */
  outDir: string;
  harnessDir: string;
  /** Trials at once (a resume may change it). */
  concurrency: number;
  /** Run only this part of the plan (`--shard I/N`); a resumed shard keeps its own. */
  shard?: { spec: ShardSpec; by: ShardBy; durationsDir: string | null; assigned?: { groups: string[][]; balance: ShardRecord['balance'] } } | null;
}

export interface PreparedRun {
  config: RunConfig;
  runId: string;
  /** The run's results folder. */
  dir: string;
  tasks: Task[];
  harnesses: Harness[];
  model: ResolvedModel | null;
  /** The model as harnesses call it: with the run's limit on calls in flight. */
  provider: ModelProvider | null;
  /** The part of the plan this machine runs (`--shard`), or null for the whole plan. */
  shard: ShardRecord | null;
  /** The run being resumed. */
  existing: { store: ResultsStore; record: RunRecord } | null;
  /** Said once per run: task fields read but not honoured, each with the tasks that have it. */
  warnings: string[];
}

export async function prepareRun(request: RunRequest): Promise<PreparedRun> {
  let config: RunConfig;
  let existing: PreparedRun['existing'] = null;
  if (request.resumeDir) {
    const store = await ResultsStore.open(path.resolve(request.resumeDir));
    // Refused at once if a runner is still on it (executeRun takes the lock; this only saves the preparation).
    await assertUnlocked(store.dir);
    existing = { store, record: await store.readRun() };
    // Its trials are read now, so a damaged trials.jsonl stops the resume before anything is started or written.
    await store.readTrials();
    config = { ...existing.record.config, concurrency: request.concurrency };
  } else if (request.config) {
    config = request.config;
  } else {
    throw new UsageError('give a run configuration or --resume DIR');
  }
  if (request.shard && !existing && !request.runId) {
    throw new UsageError('--shard needs --run-id: every shard of a run must carry the same run id (e.g. --run-id nightly-42 on every machine)');
  }
  const runId = existing?.record.runId ?? request.runId ?? defaultRunId();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(runId)) throw new UsageError(`--run-id "${runId}": use letters, digits, ".", "_" and "-"`);

  const tasks = await loadTasks(config);
  const model = config.model ? await resolveModelConfig(config.model, { simulation: { runSeed: config.seed, solutions: referenceSolutions(tasks) } }) : null;
  const provider = model ? limitConcurrency(model.provider, config.model!.concurrency) : null;
  const harnesses = await Promise.all(config.harnessSpecs.map((spec) => resolveHarness(spec, { harnessDir: request.harnessDir, model: provider })));
  const names = harnesses.map((h) => h.descriptor.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new UsageError(`harness "${dup}" is named twice; give each harness a distinct name`);
  if (existing) checkUnchanged(existing.record, tasks, harnesses, existing.store.runFile);
  // Host-side preparation (a known agent's package installed into the cache) before anything is written.
  for (const h of harnesses) await h.prepareHost?.();
  const shard = existing ? (existing.record.shard ?? null) : request.shard ? await planShard(request.shard, config, tasks, harnesses) : null;
  const dir = existing?.store.dir ?? path.resolve(request.outDir, shard ? shardFolderName(runId, shard) : runId);
  if (!existing) await assertUnlocked(dir);
  return { config, runId, dir, tasks, harnesses, model, provider, shard, existing, warnings: unhonouredWarnings(tasks) };
}

async function loadTasks(config: RunConfig): Promise<Task[]> {
  const suite = await loadSuite(config.tasksDir, { include: config.include, exclude: config.exclude });
  if (suite.failures.length) {
    // One line: the first broken task's own message (file, field, fix); `tasks list` shows every one.
    const [first, ...more] = suite.failures;
    const rest = more.length
      ? `; ${more.length} more task(s) cannot be read (hbench tasks list ${config.tasksDir} shows each), or leave them out with --exclude`
      : `; or leave the task out with --exclude ${first!.id}`;
    throw new HbenchError('TASK_INVALID', `${first!.error.message}${rest}`);
  }
  if (suite.tasks.length === 0) throw new UsageError(`${config.tasksDir}: no tasks found (a task folder holds task.toml or task.yaml), or --task/--exclude left none`);
  return suite.tasks;
}

export function unhonouredWarnings(tasks: Task[]): string[] {
  const byField = new Map<string, string[]>();
  for (const t of tasks) for (const f of t.unhonoured) byField.set(f, [...(byField.get(f) ?? []), t.id]);
  return [...byField].map(([field, ids]) => {
    const list = ids.length > 5 ? `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more` : ids.join(', ');
    return `${field} is read but not honoured (task${ids.length > 1 ? 's' : ''} ${list})`;
  });
}

/** This machine's part of the plan: the same on every machine for the same inputs (and the same --durations run). */
async function planShard(request: NonNullable<RunRequest['shard']>, config: RunConfig, tasks: Task[], harnesses: Harness[]): Promise<ShardRecord> {
  const { groups, balance } = request.assigned ?? (await planShards(request, config, tasks, harnesses));
  const digests = runDigests({ tasks: tasks.map(taskEntry), harnesses: harnesses.map((h) => h.descriptor), config, tool: { version: TOOL_VERSION } });
  return { ...shardRecord(request.spec, request.by, groups[request.spec.index - 1]!, null, digests), balance };
}

/** Every shard's groups (index 0 = shard 1), and how they were weighed. */
export async function planShards(request: Pick<NonNullable<RunRequest['shard']>, 'spec' | 'by' | 'durationsDir'>, config: RunConfig, tasks: Task[], harnesses: Harness[]): Promise<{ groups: string[][]; balance: ShardRecord['balance'] }> {
  let durations = null;
  if (request.durationsDir) {
    const store = await ResultsStore.open(path.resolve(request.durationsDir), '--durations takes an earlier results folder (results/<run>) to weigh shards by its trial durations');
    const earlier = await store.readRun();
    durations = durationEstimates(earlier.runId, await store.readTrials());
  }
  const groups = assignGroups(buildPlan(tasks, harnesses, config.trials), request.spec.total, request.by, durations);
  return { groups, balance: durations ? { by: 'durations', source: durations.source } : { by: 'count' } };
}
