/** run.json: the fully resolved configuration of a run and what it ran on. */
import type { HarnessDescriptor } from '../harness/harness.js';

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
