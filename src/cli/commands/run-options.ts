/** `hbench run`'s options, declared once, and the run configuration they resolve to. */
import path from 'node:path';
import type { Argv } from 'yargs';
import { UsageError } from '../../common/errors.js';
import type { RunConfig } from '../../records/run-record.js';
import { DEFAULT_REPORTERS, REPORTERS } from '../../report/registry.js';
import { DEFAULT_MAX_MODEL_FAILURES } from '../../runner/circuit-breaker.js';
import { DEFAULT_ENGINE_WAIT_SEC, DEFAULT_RETRIES, DEFAULT_RETRY_INCLUDE, RETRY_CLASSES, retryConfig } from '../../runner/retry-policy.js';

export interface RunArgs {
  tasks: string;
  harness: string[];
  trials: number;
  concurrency: number;
  task: string[];
  exclude: string[];
  out: string;
  runId?: string;
  resume?: string;
  allowNetwork: boolean;
  verifier: 'shared' | 'separate';
  artifact: string[];
  harnessDir: string;
  summaryMd?: string;
  errorsAsFailures: boolean;
  reporter: string[];
  junit?: string;
  model?: string;
  baseUrl?: string;
  apiKeyEnv?: string;
  temperature?: number;
  maxTokens: number;
  seed?: number;
  reasoningEffort?: 'low' | 'medium' | 'high';
  priceFile?: string;
  modelConcurrency: number;
  maxModelFailures: number;
  simMistakeRate?: number;
  shard?: string;
  shardBy: 'task' | 'trial';
  durations?: string;
  engine: 'local' | 'swarm';
  workers: number;
  workerImage?: string;
  copyWorkerTo: string[];
  hubAddress?: string;
  maxWorkersPerNode: number;
  workerAttempts: number;
  workerEnv: string[];
  retries?: number;
  retryInclude: string[];
  retryExclude: string[];
  engineWait?: number;
}

export function declareRun(y: Argv): Argv<RunArgs> {
  return y
    .option('tasks', { type: 'string', default: 'tasks', describe: 'Folder of task folders (Harbor task.toml or Terminal-Bench task.yaml)' })
    .option('harness', { type: 'string', array: true, default: [] as string[], describe: 'Harness name (built-in or harnesses/<name>.yaml) or path; repeat for A/B' })
    .option('trials', { type: 'number', default: 1, describe: 'Trials per task and harness' })
    .option('concurrency', { type: 'number', default: 4, describe: 'Trials (containers) at once' })
    .option('task', { type: 'string', array: true, default: [] as string[], describe: 'Only tasks whose folder name matches this glob (repeatable)' })
    .option('exclude', { type: 'string', array: true, default: [] as string[], describe: 'Skip tasks whose folder name matches this glob (repeatable)' })
    .option('out', { type: 'string', default: 'results', describe: 'Folder that receives results/<run-id>/' })
    .option('run-id', { type: 'string', describe: 'Name of the run folder (default: a timestamp)' })
    .option('resume', { type: 'string', describe: 'Finish an interrupted run: results/<run-id>' })
    .option('allow-network', { type: 'boolean', default: false, describe: 'Give every task network access (by default only tasks that ask for it get any)' })
    .option('verifier', { choices: ['shared', 'separate'] as const, default: 'shared' as const, describe: "Verify in the agent's container (shared) or in a fresh one holding only the agent's working directory (separate: nothing else the agent did can reach the reward)" })
    .option('artifact', { type: 'string', array: true, default: [] as string[], describe: 'Also copy this container path out of every trial after the agent ran (repeatable; into trials/<key>/artifacts/)' })
    .option('harness-dir', { type: 'string', default: 'harnesses', describe: 'Folder of harness definition files' })
    .option('summary-md', { type: 'string', describe: 'Also write the summary as Markdown to this file (e.g. $GITHUB_STEP_SUMMARY)' })
    .option('errors-as-failures', { type: 'boolean', default: false, describe: 'Count infrastructure errors as failures in pass rates (default: leave them out)' })
    .option('reporter', { type: 'string', array: true, default: DEFAULT_REPORTERS, describe: 'Reporters to use (repeatable): progress, summary, html (report.html), junit, harbor (Harbor job layout in <results>/harbor/)' })
    .option('junit', { type: 'string', describe: 'Also write the run as JUnit XML to this file (a testsuite per harness, a testcase per task × trial)' })
    .option('model', { type: 'string', describe: 'The one model every harness uses: provider:name (openai:gpt-4.1-mini, anthropic:claude-sonnet-4-6) or sim (the built-in SIMULATED model)' })
    .option('base-url', { type: 'string', describe: 'Base URL of an OpenAI-compatible server (vLLM, Ollama, llama.cpp, LiteLLM, OpenRouter) or an Anthropic endpoint' })
    .option('api-key-env', { type: 'string', describe: 'Environment variable holding the API key (default OPENAI_API_KEY / ANTHROPIC_API_KEY)' })
    .option('temperature', { type: 'number', describe: 'Pinned sampling temperature (default 0)' })
    .option('max-tokens', { type: 'number', default: 4096, describe: 'Pinned max output tokens per call' })
    .option('seed', { type: 'number', describe: 'Pinned sampling seed (and the simulated model\'s seed)' })
    .option('reasoning-effort', { choices: ['low', 'medium', 'high'] as const, describe: 'Pinned reasoning effort' })
    .option('price-file', { type: 'string', describe: 'YAML/JSON price table: model → { input, output, cached } USD per million tokens' })
    .option('model-concurrency', { type: 'number', default: 8, describe: 'Model calls in flight at once' })
    .option('max-model-failures', { type: 'number', default: DEFAULT_MAX_MODEL_FAILURES, describe: 'Stop the run (exit 3; finish later with --resume) after this many trials in a row end with the model unreachable (429, 5xx, timeouts, resets after every retry); 0: never stop' })
    .option('shard', { type: 'string', describe: 'Run only part I of N of the plan (e.g. 2/4), the same part on every machine; needs --run-id; merge the shards with hbench merge' })
    .option('shard-by', { choices: ['task', 'trial'] as const, default: 'task' as const, describe: "What --shard keeps on one machine: all trials of a task (each shard builds only its own images) or single trials" })
    .option('durations', { type: 'string', describe: 'With --shard: balance shards by the trial durations of this earlier run (results/<run>), else by trial count' })
    .option('engine', { choices: ['local', 'swarm'] as const, default: 'local' as const, describe: 'Where trials run: this machine\'s Docker engine, or a Docker Swarm (DOCKER_HOST a manager) as --workers shard workers, merged at the end' })
    .option('workers', { type: 'number', default: 2, describe: '--engine swarm: shard workers (one shard each; Swarm places them and restarts the ones that die)' })
    .option('worker-image', { type: 'string', describe: '--engine swarm: a worker image every node has or can pull (default: built here from this checkout, copied to every --copy-worker-to engine)' })
    .option('copy-worker-to', { type: 'string', array: true, default: [] as string[], describe: '--engine swarm: copy the worker image built here to this node\'s engine (unix:///… or tcp://HOST:PORT; repeatable) — where there is no registry' })
    .option('hub-address', { type: 'string', describe: "--engine swarm: the address workers reach this machine on (default: the manager's swarm address)" })
    .option('max-workers-per-node', { type: 'number', default: 1, describe: '--engine swarm: workers on one node at once (each runs --concurrency trials)' })
    .option('worker-attempts', { type: 'number', default: 3, describe: '--engine swarm: restarts of a worker that died before its shard is given up' })
    .option('worker-env', { type: 'string', array: true, default: [] as string[], describe: '--engine swarm: pass this environment variable (e.g. OPENAI_API_KEY) to every worker (repeatable)' })
    .option('retries', { type: 'number', describe: `Try a trial that ended as an infrastructure error up to N more times (default ${DEFAULT_RETRIES}); each attempt's files kept in trials/<key>/attempts/<n>/. Failures and timeouts are the agent's own and never retried` })
    .option('retry-include', { type: 'string', array: true, default: [] as string[], describe: `Retry only these error classes (repeatable; default ${DEFAULT_RETRY_INCLUDE.join(', ')}; any of ${Object.keys(RETRY_CLASSES).join(', ')})` })
    .option('retry-exclude', { type: 'string', array: true, default: [] as string[], describe: 'Never retry this error class, even when included (repeatable)' })
    .option('engine-wait', { type: 'number', describe: `Seconds to wait for a Docker engine that stopped answering mid-run before the run stops, resumable (default ${DEFAULT_ENGINE_WAIT_SEC})` })
    .option('sim-mistake-rate', { type: 'number', describe: 'Simulated model: chance of a mistake per command (default 0.15)' }) as unknown as Argv<RunArgs>;
}

/** The configuration of a new run, from its options (a resume takes its configuration from run.json instead). */
export function runConfigFromArgs(args: RunArgs): RunConfig {
  if (args.harness.length === 0) throw new UsageError('name at least one harness: --harness oracle --harness nop (or a file in harnesses/)');
  return {
    tasksDir: path.resolve(args.tasks),
    include: args.task,
    exclude: args.exclude,
    harnessSpecs: args.harness,
    trials: args.trials,
    concurrency: args.concurrency,
    allowNetwork: args.allowNetwork,
    ...(args.verifier === 'separate' ? { verifier: 'separate' as const } : {}),
    ...(args.artifact.length ? { artifacts: args.artifact } : {}),
    model: args.model
      ? {
          spec: args.model,
          baseUrl: args.baseUrl ?? null,
          apiKeyEnv: args.apiKeyEnv ?? null,
          params: { temperature: args.temperature ?? 0, maxTokens: args.maxTokens, seed: args.seed ?? null, reasoningEffort: args.reasoningEffort ?? null },
          priceFile: args.priceFile ? path.resolve(args.priceFile) : null,
          concurrency: args.modelConcurrency,
          mistakeRate: args.simMistakeRate ?? null,
        }
      : null,
    seed: String(args.seed ?? 1),
    retry: retryConfig({ retries: args.retries ?? DEFAULT_RETRIES, include: args.retryInclude, exclude: args.retryExclude }),
    engineWaitSec: args.engineWait ?? DEFAULT_ENGINE_WAIT_SEC,
  };
}

export function checkRunArgs(args: RunArgs): void {
  if (!Number.isInteger(args.trials) || args.trials < 1) throw new UsageError(`--trials must be a whole number ≥ 1 (got ${args.trials})`);
  for (const a of args.artifact) if (!a.startsWith('/')) throw new UsageError(`--artifact ${a}: give an absolute path in the container, e.g. --artifact /app/output`);
  if (!Number.isInteger(args.concurrency) || args.concurrency < 1) throw new UsageError(`--concurrency must be a whole number ≥ 1 (got ${args.concurrency})`);
  if (!Number.isInteger(args.maxModelFailures) || args.maxModelFailures < 0) throw new UsageError(`--max-model-failures must be a whole number ≥ 0 (0: never stop; got ${args.maxModelFailures})`);
  // Bad values fail here, before anything runs (runConfigFromArgs builds the same configuration again).
  retryConfig({ retries: args.retries ?? DEFAULT_RETRIES, include: args.retryInclude, exclude: args.retryExclude });
  if (args.engineWait !== undefined && !(Number.isFinite(args.engineWait) && args.engineWait >= 0)) throw new UsageError(`--engine-wait must be a number of seconds ≥ 0 (got ${args.engineWait})`);
  if (args.resume && (args.retries !== undefined || args.retryInclude.length || args.retryExclude.length || args.engineWait !== undefined)) {
    throw new UsageError('--resume keeps the retry settings of the run it resumes (run.json config.retry, config.engineWaitSec); drop --retries/--retry-include/--retry-exclude/--engine-wait');
  }
  if (!Number.isInteger(args.modelConcurrency) || args.modelConcurrency < 1) throw new UsageError(`--model-concurrency must be a whole number ≥ 1 (got ${args.modelConcurrency})`);
  if (!Number.isInteger(args.maxTokens) || args.maxTokens < 1) throw new UsageError(`--max-tokens must be a whole number ≥ 1 (got ${args.maxTokens})`);
  if (args.temperature !== undefined && !(args.temperature >= 0 && args.temperature <= 2)) throw new UsageError(`--temperature must be between 0 and 2 (got ${args.temperature})`);
  if (args.seed !== undefined && !Number.isSafeInteger(args.seed)) throw new UsageError(`--seed must be a whole number (got ${args.seed})`);
  if (args.simMistakeRate !== undefined && !(args.simMistakeRate >= 0 && args.simMistakeRate <= 1)) throw new UsageError(`--sim-mistake-rate is a chance between 0 and 1 (got ${args.simMistakeRate})`);
  for (const r of args.reporter) if (!(r in REPORTERS)) throw new UsageError(`--reporter ${r}: unknown reporter (known: ${Object.keys(REPORTERS).join(', ')})`);
  if (args.durations && !args.shard) throw new UsageError('--durations balances shards: give it with --shard I/N');
  if (args.resume && args.shard) throw new UsageError('--resume takes the shard from the folder it resumes; drop --shard');
  if (args.resume && (args.harness.length || args.runId || args.task.length || args.exclude.length)) {
    throw new UsageError('--resume takes tasks, harnesses, filters and trials from the run it resumes; drop --harness/--task/--exclude/--run-id');
  }
}
