/** run.json: the fully resolved configuration of a run and what it ran on. */
import type { ModelConfig, ModelRecord } from './model.js';

/** `shared`: the verifier runs in the agent's container; `separate`: in a fresh one holding the agent's workdir. */
export type VerificationMode = 'shared' | 'separate';

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
  /** Where steps are verified: in the agent's container (Harbor's default) or a fresh one. Absent in older runs: shared. */
  verifier?: VerificationMode;
  /** Extra artifacts collected from every trial (`--artifact PATH`); absent in older runs. */
  artifacts?: string[];
  /** The pinned model (one for every harness of the run); null when no harness needs one. */
  model: ModelConfig | null;
  /** Which infrastructure errors are retried, and how often (`--retries`); absent in older runs: no retries. */
  retry?: RetryConfig;
  /** How long an unreachable Docker engine is waited for before the run stops (`--engine-wait`, seconds); absent in older runs: 300. */
  engineWaitSec?: number;
  /** Seed of the run: mixed into the simulated model's draws, the same for every harness. */
  seed: string;
}

/**
 * Retries of trials that ended with an infrastructure error (Harbor's RetryConfig: max_retries, include and exclude
 * lists). Only `error` trials are ever retried: a failure or a timeout is the agent's own outcome.
 */
export interface RetryConfig {
  /** Retries after the first attempt (0: none). */
  maxRetries: number;
  /** Error codes retried (e.g. DOCKER_API): the `code` of a trial's error. */
  include: string[];
  /** Error codes never retried, even when included. */
  exclude: string[];
}

/** What a run records about a harness and what resume compares. */
export interface HarnessDescriptor {
  name: string;
  kind: string;
  /** The file it came from, or `built-in`. */
  source: string;
  /** The fully resolved definition: changing it changes the harness. */
  definition: Record<string, unknown>;
  /** Hash of `definition`. */
  hash: string;
}

export interface TaskEntry {
  id: string;
  format: string;
  configFile: string;
  contentHash: string;
  steps: string[];
}

export type RunStatus = 'running' | 'completed' | 'interrupted' | 'failed';

/** Why a run stopped on its own; `--resume` finishes it once the cause is gone. */
export interface RunStop {
  reason: 'model-unreachable' | 'engine-unreachable';
  message: string;
  at: string;
  trials: string[];
}

export interface RunRecord {
  schema: 1;
  runId: string;
  status: RunStatus;
  tool: { name: string; version: string; node: string };
  config: RunConfig;
  tasks: TaskEntry[];
  harnesses: HarnessDescriptor[];
  /** The pinned model; null for runs whose harnesses use none (oracle, nop, command without a gateway). */
  model: ModelRecord | null;
  git: { commit: string; dirty: boolean } | null;
  /**
   * Each task's environment image, and the images its Dockerfile starts FROM with their ids (the image is reused only
   * while those ids are unchanged).
   */
  images: Record<string, { ref: string; id: string; bases?: Array<{ ref: string; id: string }> }>;
  startedAt: string;
  endedAt: string | null;
  /** Times the run was resumed. */
  resumes: string[];
  counts: { planned: number; finished: number };
  /**
   * Why the run stopped on its own before its plan was done (status `interrupted`): the circuit breaker saw the model
   * unreachable trial after trial (`trials`: the keys of the trials that tripped it), or the Docker engine stayed away
   * past --engine-wait. Cleared when the run is resumed.
   */
  stopped?: RunStop;
  /**
   * For runs with an internal network (the model gateway, the egress proxy): whether host firewall rules let its
   * containers reach only the served ports (`enforced`), or why not — then other host ports were reachable too.
   */
  hostIsolation?: { enforced: boolean; ports?: number[]; reason?: string };
  /**
   * Tasks whose gateway-harness containers also had the public internet (the task or --allow-network asked for it):
   * model calls in those trials could have bypassed the gateway.
   */
  gatewayBypassable?: string[];
  /** Set on a shard's results folder (`hbench run --shard I/N`): which part of the run it holds. */
  shard?: ShardRecord;
  /** Set on a merged results folder (`hbench merge`): the shards it was made from. */
  shards?: MergedShard[];
}

/** One shard of a run spread over machines: the same run id and digests on every shard. */
export interface ShardRecord {
  /** 1-based. */
  index: number;
  total: number;
  /** The unit kept on one machine: all trials of a task (default), or single trials. */
  by: 'task' | 'trial';
  /** How groups were weighed: by trial count, or by the mean durations of an earlier run (its run id). */
  balance: { by: 'count' } | { by: 'durations'; source: string };
  /** The groups (task ids, or trial keys) this shard runs: a resume runs exactly these. */
  groups: string[];
  /** Hashes of what must be equal across shards of one run. */
  digests: { suite: string; harnesses: string; model: string; plan: string; tool: string };
  /** The machine that started it. */
  host: string;
}

export interface MergedShard {
  index: number;
  /** The shard folder as given to merge. */
  dir: string;
  host: string;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  resumes: string[];
  trials: number;
}
