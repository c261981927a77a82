/** Small runs built in code for report tests: a run record and its trials, with outcomes given per task. */
import type { RunRecord } from '../records/run-record.js';
import type { StepResult, TrialResult, TrialStatus } from '../records/trial-result.js';
import { trialKey } from '../records/trial-result.js';

export interface FixtureRunSpec {
  runId: string;
  /** Task id → content hash. */
  tasks: Record<string, string>;
  /** Harness → task → one status per trial. */
  outcomes: Record<string, Record<string, TrialStatus[]>>;
  model?: { id: string; simulated: boolean } | null;
  trialsPlanned?: number;
  status?: RunRecord['status'];
  startedAt?: string;
  /** Multi-step tasks: task id → step names. */
  steps?: Record<string, string[]>;
}

export function fixtureRun(spec: FixtureRunSpec): { dir: string; record: RunRecord; trials: TrialResult[] } {
  const harnesses = Object.keys(spec.outcomes);
  const perTask = Math.max(0, ...Object.values(spec.outcomes).flatMap((byTask) => Object.values(byTask).map((s) => s.length)));
  const record: RunRecord = {
    schema: 1,
    runId: spec.runId,
    status: spec.status ?? 'completed',
    tool: { name: 'harness-bench', version: '0.0.0-test', node: 'v20.0.0' },
    config: { tasksDir: '/suite', include: [], exclude: [], harnessSpecs: harnesses, trials: spec.trialsPlanned ?? perTask, concurrency: 1, allowNetwork: false, model: null, seed: 's' },
    tasks: Object.entries(spec.tasks).map(([id, contentHash]) => ({ id, format: 'harbor', configFile: `/suite/${id}/task.toml`, contentHash, steps: spec.steps?.[id] ?? ['main'] })),
    harnesses: harnesses.map((name) => ({ name, kind: 'builtin', source: 'built-in', definition: {}, hash: `hash-${name}` })),
    model: spec.model === undefined ? { id: 'sim', simulated: true, params: {} } : spec.model && { ...spec.model, params: {} },
    git: null,
    images: {},
    startedAt: spec.startedAt ?? '2025-01-02T03:04:05.000Z',
    endedAt: null,
    resumes: [],
    counts: { planned: 0, finished: 0 },
  };
  let n = 0;
  const trials = harnesses.flatMap((harness) =>
    Object.entries(spec.outcomes[harness]!).flatMap(([taskId, statuses]) =>
      statuses.map((status, i) => fixtureTrial({ runId: spec.runId, taskId, harness, trial: i + 1, status, durationMs: 1000 + 250 * n++, steps: spec.steps?.[taskId] })),
    ),
  );
  return { dir: `/results/${spec.runId}`, record, trials };
}

export function fixtureTrial(o: { runId: string; taskId: string; harness: string; trial: number; status: TrialStatus; durationMs?: number; steps?: string[] }): TrialResult {
  const passed = o.status === 'passed';
  const names = o.steps ?? ['main'];
  const steps: StepResult[] = names.map((name, i) => {
    const last = i === names.length - 1;
    const status = last ? o.status : 'passed';
    return { name, status, reward: status === 'error' ? null : status === 'passed' ? 1 : 0, rewards: {}, agentTimedOut: status === 'timeout', verifierTimedOut: false, actions: 2, actionsOk: 2, agentMs: 10, verifyMs: 5 };
  });
  return {
    schema: 1,
    runId: o.runId,
    key: trialKey(o.taskId, o.harness, o.trial),
    taskId: o.taskId,
    harness: o.harness,
    trial: o.trial,
    status: o.status,
    reward: o.status === 'error' ? null : passed ? 1 : 0,
    rewards: {},
    steps,
    actions: 2,
    actionsOk: 2,
    tokens: { input: 100 * o.trial, output: 10, cached: 0 },
    costUsd: 0.001 * o.trial,
    error: o.status === 'error' ? { class: 'DockerApiError', code: 'DOCKER_API', message: `Docker API error while starting <${o.taskId}> & "friends"`, phase: 'start' } : null,
    phases: { build: 0, start: 0, setup: 0, agent: 0, verify: 0, teardown: 0 },
    image: null,
    startedAt: '2025-01-02T03:04:05.000Z',
    endedAt: '2025-01-02T03:04:06.000Z',
    durationMs: o.durationMs ?? 1000,
  };
}
