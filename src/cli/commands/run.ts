/** `hbench run`: plan tasks × harnesses × trials, run them in fresh containers, record and summarise. */
import path from 'node:path';
import type { Argv } from 'yargs';
import { TaskError, UsageError } from '../../common/errors.js';
import { gitState } from '../../common/git.js';
import { resolveHarness } from '../../harness/registry.js';
import { ModelGateway } from '../../models/gateway.js';
import { limitConcurrency } from '../../models/limited.js';
import type { IsolatedNetwork } from '../../sandbox/sandbox.js';
import { resolveModel } from '../../models/resolve.js';
import { ProgressReporter } from '../../report/progress.js';
import { ReporterMux, type Reporter } from '../../report/reporter.js';
import { SummaryReporter } from '../../report/summary-reporter.js';
import { buildPlan } from '../../runner/plan.js';
import { ResultsStore } from '../../runner/results-store.js';
import { checkUnchanged, defaultRunId, newRecord, taskEntry, type RunConfig, type RunRecord } from '../../runner/run-record.js';
import { executePlan } from '../../runner/runner.js';
import { DockerSandboxProvider } from '../../sandbox/docker-provider.js';
import { summarise } from '../../scoring/summary.js';
import { loadSuite } from '../../tasks/loader.js';
import type { Task } from '../../tasks/task.js';
import { EXIT } from '../exit-codes.js';
import { installInterruptHandler } from '../interrupt.js';

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
  harnessDir: string;
  summaryMd?: string;
  errorsAsFailures: boolean;
  model?: string;
  baseUrl?: string;
  apiKeyEnv?: string;
  temperature?: number;
  maxTokens: number;
  seed?: number;
  reasoningEffort?: 'low' | 'medium' | 'high';
  priceFile?: string;
  modelConcurrency: number;
  simMistakeRate?: number;
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
    .option('harness-dir', { type: 'string', default: 'harnesses', describe: 'Folder of harness definition files' })
    .option('summary-md', { type: 'string', describe: 'Also write the summary as Markdown to this file (e.g. $GITHUB_STEP_SUMMARY)' })
    .option('errors-as-failures', { type: 'boolean', default: false, describe: 'Count infrastructure errors as failures in pass rates (default: leave them out)' })
    .option('model', { type: 'string', describe: 'The one model every harness uses: provider:name (openai:gpt-4.1-mini, anthropic:claude-sonnet-4-6) or sim (the built-in SIMULATED model)' })
    .option('base-url', { type: 'string', describe: 'Base URL of an OpenAI-compatible server (vLLM, Ollama, llama.cpp, LiteLLM, OpenRouter) or an Anthropic endpoint' })
    .option('api-key-env', { type: 'string', describe: 'Environment variable holding the API key (default OPENAI_API_KEY / ANTHROPIC_API_KEY)' })
    .option('temperature', { type: 'number', describe: 'Pinned sampling temperature (default 0)' })
    .option('max-tokens', { type: 'number', default: 4096, describe: 'Pinned max output tokens per call' })
    .option('seed', { type: 'number', describe: 'Pinned sampling seed (and the simulated model\'s seed)' })
    .option('reasoning-effort', { choices: ['low', 'medium', 'high'] as const, describe: 'Pinned reasoning effort' })
    .option('price-file', { type: 'string', describe: 'YAML/JSON price table: model → { input, output, cached } USD per million tokens' })
    .option('model-concurrency', { type: 'number', default: 8, describe: 'Model calls in flight at once' })
    .option('sim-mistake-rate', { type: 'number', describe: 'Simulated model: chance of a mistake per command (default 0.15)' }) as unknown as Argv<RunArgs>;
}

export async function runCommand(args: RunArgs): Promise<number> {
  if (!Number.isInteger(args.trials) || args.trials < 1) throw new UsageError(`--trials must be a whole number ≥ 1 (got ${args.trials})`);
  if (!Number.isInteger(args.concurrency) || args.concurrency < 1) throw new UsageError(`--concurrency must be a whole number ≥ 1 (got ${args.concurrency})`);

  // Everything that can be wrong with the input is checked before anything is written.
  let config: RunConfig;
  let existing: { store: ResultsStore; record: RunRecord } | null = null;
  if (args.resume) {
    if (args.harness.length || args.runId || args.task.length || args.exclude.length) {
      throw new UsageError('--resume takes tasks, harnesses, filters and trials from the run it resumes; drop --harness/--task/--exclude/--run-id');
    }
    const store = await ResultsStore.open(path.resolve(args.resume));
    existing = { store, record: await store.readRun() };
    config = { ...existing.record.config, concurrency: args.concurrency };
  } else {
    if (args.harness.length === 0) throw new UsageError('name at least one harness: --harness oracle --harness nop (or a file in harnesses/)');
    config = {
      tasksDir: path.resolve(args.tasks),
      include: args.task,
      exclude: args.exclude,
      harnessSpecs: args.harness,
      trials: args.trials,
      concurrency: args.concurrency,
      allowNetwork: args.allowNetwork,
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
    };
  }
  const runId = existing?.record.runId ?? args.runId ?? defaultRunId();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(runId)) throw new UsageError(`--run-id "${runId}": use letters, digits, ".", "_" and "-"`);

  const tasks = await loadTasks(config);
  const model = config.model ? await resolveModel(config.model.spec, {
    baseUrl: config.model.baseUrl ?? undefined,
    apiKeyEnv: config.model.apiKeyEnv ?? undefined,
    params: config.model.params,
    priceFile: config.model.priceFile ?? undefined,
    mistakeRate: config.model.mistakeRate ?? undefined,
  }) : null;
  const provider = model ? limitConcurrency(model.provider, config.model!.concurrency) : null;
  const harnesses = await Promise.all(config.harnessSpecs.map((spec) => resolveHarness(spec, { harnessDir: args.harnessDir, model: provider, runSeed: config.seed })));
  const names = harnesses.map((h) => h.descriptor.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new UsageError(`harness "${dup}" is named twice; give each harness a distinct name`);
  if (existing) checkUnchanged(existing.record, tasks, harnesses, existing.store.runFile);

  const sandboxes = new DockerSandboxProvider({ runId });
  await sandboxes.ping();

  let store: ResultsStore;
  let record: RunRecord;
  if (existing) {
    ({ store, record } = existing);
  } else {
    store = await ResultsStore.create(path.resolve(args.out, runId));
    record = newRecord(runId, config);
    record.tasks = tasks.map(taskEntry);
    record.harnesses = harnesses.map((h) => h.descriptor);
    record.git = await gitState(process.cwd());
    record.model = model ? { ...model.record, label: model.provider.simulated ? 'SIMULATED model (not a real LLM)' : undefined } : null;
  }

  // Leftovers of runs that were killed (kill -9, a second Ctrl+C) are removed before anything starts.
  const swept = await sandboxes.sweep();
  if (swept.containers || swept.networks) process.stderr.write(`removed ${swept.containers} leftover container(s) and ${swept.networks} network(s) of killed runs\n`);

  const previous = await store.readTrials();
  const done = new Set(previous.map((r) => r.key));
  const plan = buildPlan(tasks, harnesses, config.trials).filter((s) => !done.has(s.key));
  if (existing) record.resumes.push(new Date().toISOString());
  record.status = 'running';
  record.counts = { planned: buildPlan(tasks, harnesses, config.trials).length, finished: previous.length };
  await store.writeRun(record);

  const progress = new ProgressReporter();
  const reporters: Reporter[] = [progress, new SummaryReporter({ outDir: store.dir, markdownFile: args.summaryMd ? path.resolve(args.summaryMd) : undefined })];
  const reporter = new ReporterMux(reporters);
  reporter.onBegin({ runId: record.runId, outDir: displayPath(store.dir), planned: plan.length, alreadyDone: previous.length, harnesses: names, tasks: tasks.length, trials: config.trials, model: record.model });

  const interrupt = installInterruptHandler(() => reporter.onInterrupt());
  let outcome: Awaited<ReturnType<typeof executePlan>>;
  // External agents reach the pinned model only through the gateway, on a network that leads nowhere else.
  let gateway: ModelGateway | null = null;
  let network: IsolatedNetwork | null = null;
  try {
    if (harnesses.some((h) => h.gateway)) {
      network = await sandboxes.createIsolatedNetwork(`hbench-${record.runId}-${process.pid}`);
      gateway = new ModelGateway(provider!);
      await gateway.listen(network.hostAddress, 0);
    }
    outcome = await executePlan(plan, {
      runId: record.runId,
      store,
      provider: sandboxes,
      reporter,
      concurrency: config.concurrency,
      signal: interrupt.signal,
      allowNetwork: config.allowNetwork,
      onImage: (task, image) => (record.images[task.id] = { ref: image.ref, id: image.id }),
      gateway: gateway && network ? { gateway, network } : undefined,
    });
  } catch (err) {
    // Say in run.json that the run stopped; what trials.jsonl holds stays valid for --resume.
    record.status = 'failed';
    record.endedAt = new Date().toISOString();
    await store.writeRun(record).catch(() => undefined);
    throw err;
  } finally {
    await sandboxes.close().catch(() => undefined);
    await gateway?.close();
    if (network) await sandboxes.removeNetwork(network).catch(() => undefined);
    store.close();
    interrupt.dispose();
  }

  const all = [...previous, ...outcome.results];
  record.status = outcome.interrupted ? 'interrupted' : 'completed';
  record.endedAt = new Date().toISOString();
  record.counts.finished = all.length;
  await store.writeRun(record);
  await reporter.onEnd(summarise(record.runId, all, names, { errorsAsFailures: args.errorsAsFailures }), all, outcome.interrupted);
  if (outcome.interrupted) {
    process.stderr.write(`run interrupted: ${all.length}/${record.counts.planned} trials recorded; finish with: hbench run --resume ${displayPath(store.dir)}\n`);
    return EXIT.interrupted;
  }
  return all.some((r) => r.status === 'error') ? EXIT.failed : EXIT.ok;
}

async function loadTasks(config: RunConfig): Promise<Task[]> {
  const suite = await loadSuite(config.tasksDir, { include: config.include, exclude: config.exclude });
  if (suite.failures.length) {
    const lines = suite.failures.map((f) => f.error.message).join('\n');
    throw new TaskError(config.tasksDir, undefined, `${suite.failures.length} task(s) cannot be read:\n${lines}\n(fix them, or leave them out with --exclude)`);
  }
  if (suite.tasks.length === 0) throw new UsageError(`${config.tasksDir}: no tasks found (a task folder holds task.toml or task.yaml), or --task/--exclude left none`);
  return suite.tasks;
}

/** A path relative to the working directory when it is inside it, else absolute. */
function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
}
