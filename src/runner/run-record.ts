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
  model: { id: string; simulated: boolean; params: Record<string, unknown> } | null;
  git: { commit: string; dirty: boolean } | null;
  images: Record<string, { ref: string; id: string }>;
  startedAt: string;
  endedAt: string | null;
  /** Times the run was resumed. */
  resumes: string[];
  counts: { planned: number; finished: number };
}
