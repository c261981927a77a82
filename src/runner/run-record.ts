/** run.json: the fully resolved configuration of a run and what it ran on. */
import { ResumeMismatchError } from '../common/errors.js';
import { TOOL_VERSION } from '../common/version.js';
import type { Harness, HarnessDescriptor } from '../harness/harness.js';
import type { Task } from '../tasks/task.js';

export interface RunConfig {
  /** Absolute path of the task suite. */
  tasksDir: string;
  include: string[];
  exclude: string[];
  /** The --harness values as given (names or paths). */
  harnessSpecs: string[];
  trials: number;
  concurrency: number;
  /** Give every task network access, whatever it asks for. */
  allowNetwork: boolean;
  /** The pinned model (one for every harness of the run); null when no harness needs one. */
  model: ModelConfig | null;
  /** Seed of the run: mixed into the simulated model's draws, the same for every harness. */
  seed: string;
}

export interface ModelConfig {
  spec: string;
  baseUrl: string | null;
  apiKeyEnv: string | null;
  params: { temperature: number | null; maxTokens: number; seed: number | null; reasoningEffort: 'low' | 'medium' | 'high' | null };
  priceFile: string | null;
  concurrency: number;
  /** Simulated model only. */
  mistakeRate: number | null;
}

export interface RunRecord {
  schema: 1;
  runId: string;
  status: 'running' | 'completed' | 'interrupted' | 'failed';
  tool: { name: string; version: string; node: string };
  config: RunConfig;
  tasks: Array<{ id: string; format: string; configFile: string; contentHash: string; steps: string[] }>;
  harnesses: HarnessDescriptor[];
  /** The pinned model; null for runs whose harnesses use none (oracle, nop, command without a gateway). */
  model: { id: string; simulated: boolean; label?: string; params: Record<string, unknown>; provider?: Record<string, unknown> } | null;
  git: { commit: string; dirty: boolean } | null;
  images: Record<string, { ref: string; id: string }>;
  startedAt: string;
  endedAt: string | null;
  /** Times the run was resumed. */
  resumes: string[];
  counts: { planned: number; finished: number };
}

/** A resumed run must see the same tasks and harnesses it started with. */
export function checkUnchanged(record: RunRecord, tasks: Task[], harnesses: Harness[], runFile: string): void {
  const before = new Map(record.tasks.map((t) => [t.id, t.contentHash]));
  const now = new Map(tasks.map((t) => [t.id, t.contentHash]));
  const changed: string[] = [];
  for (const [id, hash] of before) {
    if (!now.has(id)) changed.push(`task ${id} is gone`);
    else if (now.get(id) !== hash) changed.push(`task ${id} changed`);
  }
  for (const id of now.keys()) if (!before.has(id)) changed.push(`task ${id} is new`);
  const hBefore = new Map(record.harnesses.map((h) => [h.name, h.hash]));
  for (const h of harnesses) {
    if (hBefore.get(h.descriptor.name) !== h.descriptor.hash) changed.push(`harness ${h.descriptor.name} changed`);
  }
  if (changed.length) {
    throw new ResumeMismatchError(`${runFile}: cannot resume: ${changed.join('; ')} since the run started (restore them, or start a new run)`);
  }
}

export function taskEntry(t: Task): RunRecord['tasks'][number] {
  return { id: t.id, format: t.format, configFile: t.configFile, contentHash: t.contentHash, steps: t.steps.map((s) => s.name) };
}

export function newRecord(runId: string, config: RunConfig): RunRecord {
  return {
    schema: 1,
    runId,
    status: 'running',
    tool: { name: 'harness-bench', version: TOOL_VERSION, node: process.version },
    config,
    tasks: [],
    harnesses: [],
    model: null,
    git: null,
    images: {},
    startedAt: new Date().toISOString(),
    endedAt: null,
    resumes: [],
    counts: { planned: 0, finished: 0 },
  };
}

export function defaultRunId(): string {
  const stamp = new Date().toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
  return `${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}
