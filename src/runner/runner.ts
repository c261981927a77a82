/**
 * Runs a plan: one limiter for sandboxes (--concurrency), trials appended to trials.jsonl as each finishes.
 * On interrupt nothing new starts; running trials are stopped, cleaned up and left unrecorded for --resume.
 */
import pLimit from 'p-limit';
import { ResultsError, errorMessage, oneLine } from '../common/errors.js';
import type { Reporter } from '../report/reporter.js';
import type { PreparedImage, SandboxProvider } from '../sandbox/sandbox.js';
import type { Task } from '../tasks/task.js';
import type { ResultsStore } from './results-store.js';
import type { TrialResult } from './trial-result.js';
import { runTrial, type TrialDeps, type TrialSpec } from './trial.js';

export interface ExecuteOptions {
  runId: string;
  store: ResultsStore;
  provider: SandboxProvider;
  reporter: Reporter;
  concurrency: number;
  signal: AbortSignal;
  allowNetwork: boolean;
  onImage?(task: Task, image: PreparedImage): void;
  gateway?: TrialDeps['gateway'];
}

export async function executePlan(plan: TrialSpec[], o: ExecuteOptions): Promise<{ results: TrialResult[]; interrupted: boolean }> {
  const limit = pLimit(Math.max(1, o.concurrency));
  const results: TrialResult[] = [];
  // A result that cannot be written stops the run: going on would produce results nobody can see.
  let cannotRecord: Error | null = null;
  await Promise.all(
    plan.map((spec) =>
      limit(async () => {
        if (o.signal.aborted || cannotRecord) return;
        o.reporter.onTrialBegin?.(spec.key);
        const started = new Date();
        let result: TrialResult | null;
        try {
          result = await runTrial(spec, { runId: o.runId, provider: o.provider, store: o.store, signal: o.signal, allowNetwork: o.allowNetwork, onImage: o.onImage, gateway: o.gateway });
        } catch (err) {
          // runTrial records its own failures; this is the last line of defence so one trial never stops the run.
          result = crashedTrial(o.runId, spec, started, err);
        }
        if (!result) return;
        try {
          o.store.appendTrial(result);
        } catch (err) {
          cannotRecord ??= new ResultsError(`${o.store.trialsFile}: cannot append a trial (${errorMessage(err)}); fix the disk or permissions, then finish with --resume`);
          return;
        }
        results.push(result);
        o.reporter.onTrialEnd?.(result);
      }),
    ),
  );
  if (cannotRecord) throw cannotRecord;
  return { results, interrupted: o.signal.aborted };
}

function crashedTrial(runId: string, spec: TrialSpec, started: Date, err: unknown): TrialResult {
  return {
    schema: 1,
    runId,
    key: spec.key,
    taskId: spec.task.id,
    harness: spec.harness.descriptor.name,
    trial: spec.trial,
    status: 'error',
    reward: null,
    rewards: {},
    steps: [],
    actions: 0,
    actionsOk: 0,
    tokens: { input: 0, output: 0, cached: 0 },
    costUsd: 0,
    error: { class: err instanceof Error ? err.name : 'Error', code: 'INTERNAL', message: oneLine(errorMessage(err)), phase: 'build' },
    phases: { build: 0, start: 0, setup: 0, agent: 0, verify: 0, teardown: 0 },
    image: null,
    startedAt: started.toISOString(),
    endedAt: new Date().toISOString(),
    durationMs: Date.now() - started.getTime(),
  };
}
