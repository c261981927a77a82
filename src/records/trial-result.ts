/**
 * The record of one finished trial: one line of trials.jsonl, written once when the trial ends.
 * A failed or errored trial has the same shape as a passed one, plus `error`.
 */
import type { TokenUsage } from './tokens.js';

export type TrialStatus = 'passed' | 'failed' | 'error' | 'timeout';
export const TRIAL_STATUSES: readonly TrialStatus[] = ['passed', 'failed', 'error', 'timeout'];

export type StepStatus = TrialStatus | 'skipped';

/**
 * A limit of the sandbox the agent ran into, which hbench contained (never an infrastructure error: the agent did it):
 * - `oom-killed`: the kernel killed a process of the sandbox at its memory limit ([environment] memory_mb);
 * - `pids-limit`: a fork was refused at its process limit (pids_limit); the agent phase is stopped when the sandbox
 *   stays at the limit, and every process in it is killed;
 * - `disk-limit`: the sandbox's own filesystem passed its storage cap (storage_mb); the agent phase is stopped and
 *   every process in it is killed;
 * - `output-capped`: the agent printed more than hbench keeps on disk (the head and the tail of each stream are kept).
 */
export type ContainedLimit = 'oom-killed' | 'pids-limit' | 'disk-limit' | 'output-capped';
/** The order `reason` picks from: the limit that stopped the agent first, the one that merely cut its output last. */
export const CONTAINED_LIMITS: readonly ContainedLimit[] = ['disk-limit', 'pids-limit', 'oom-killed', 'output-capped'];

export interface StepResult {
  name: string;
  status: StepStatus;
  /** null when the verifier produced no reward (error) or the step was skipped. */
  reward: number | null;
  /** Every number the verifier reported (reward.json), or `{ reward }`. */
  rewards: Record<string, number>;
  agentTimedOut: boolean;
  verifierTimedOut: boolean;
  actions: number;
  actionsOk: number;
  agentMs: number;
  verifyMs: number;
  /** Why the step has no reward although the agent ran (none written, or unreadable): it counts as 0. */
  rewardProblem?: string | null;
  /** What the agent left that could have forged this step's reward (discarded before the verifier ran). */
  tampering?: string[];
  /** Limits of the sandbox the agent ran into in this step (absent in older records: none). */
  limits?: ContainedLimit[];
}

export type TrialPhase = 'build' | 'start' | 'setup' | 'agent' | 'verify' | 'teardown';

/** One phase of a trial behind the egress proxy: its network mode and what the proxy let through or refused. */
export interface NetworkPhaseRecord {
  /** `setup`, `agent` or `verifier` (`<step>/agent`, `<step>/verifier` in a multi-step task). */
  phase: string;
  mode: 'none' | 'public' | 'allowlist';
  /** The allowlist in force (mode allowlist only). */
  allowedHosts?: string[];
  /** Requests the proxy forwarded and refused in this phase. */
  allowed: number;
  denied: number;
  /** Hosts refused, each once, in the order first seen. */
  deniedHosts: string[];
}

export interface TrialError {
  /** Error class (e.g. ImageBuildError, DockerApiError, VerifierError, AgentTimeout). */
  class: string;
  /** Stable code (HbenchError codes). */
  code: string;
  message: string;
  phase: TrialPhase;
}

export interface TrialResult {
  schema: 1;
  runId: string;
  /** `<task>__<harness>__<n>`: also the trial's folder name. */
  key: string;
  taskId: string;
  harness: string;
  /** 1-based trial number. */
  trial: number;
  status: TrialStatus;
  /** End-to-end reward (rolled up over steps); null when none could be computed. */
  reward: number | null;
  rewards: Record<string, number>;
  steps: StepResult[];
  actions: number;
  actionsOk: number;
  tokens: TokenUsage;
  costUsd: number;
  /** Retries of the trial's model calls that were answered in the end (429, 5xx, timeouts): absent when none. */
  modelRetries?: number;
  error: TrialError | null;
  /**
   * Why a trial that did not pass went wrong beyond its tests' judgement: a limit the agent ran into (see
   * ContainedLimit; the first in CONTAINED_LIMITS order across steps), else `no-reward` when a verifier wrote no usable
   * reward after the agent ran (counted as reward 0). null for an error or a plain failure (and limits are not named
   * for a passed trial; its steps still list them). Neither
   * makes a trial an excluded error: what the agent did is the agent's failure.
   */
  reason?: TrialReason | null;
  /** Where the trial was verified (absent in records older than the option: shared). */
  verification?: 'shared' | 'separate';
  /** Forgery attempts found before verification (a planted reward file), across steps. */
  tampering?: string[];
  /** Network policy per phase and the egress proxy's counts, for trials of tasks with an allowlist (absent otherwise). */
  network?: { phases: NetworkPhaseRecord[] };
  phases: Record<TrialPhase, number>;
  image: { ref: string; id: string } | null;
  /**
   * Attempts this trial took (`--retries`): 1 unless an infrastructure error was retried. Absent in records older than
   * the option: 1. The evidence of each earlier attempt is kept in `trials/<key>/attempts/<n>/`.
   */
  attempts?: number;
  /** Why each earlier attempt was not kept as the trial's outcome, oldest first (absent when it took one attempt). */
  earlierAttempts?: EarlierAttempt[];
  startedAt: string;
  endedAt: string;
  durationMs: number;
}

export type TrialReason = ContainedLimit | 'no-reward';

/** The reason of a trial (see TrialResult.reason) from its status and steps. */
export function trialReason(status: TrialStatus, steps: readonly StepResult[]): TrialReason | null {
  if (status === 'error') return null;
  const ran = steps.filter((s) => s.status !== 'skipped');
  const hit = status === 'passed' ? undefined : CONTAINED_LIMITS.find((l) => ran.some((s) => s.limits?.includes(l)));
  if (hit) return hit;
  return ran.some((s) => s.rewardProblem) ? 'no-reward' : null;
}

/** An attempt of a trial that ended with a retried infrastructure error. */
export interface EarlierAttempt {
  /** 1-based attempt number; its files are in `trials/<key>/attempts/<attempt>/`. */
  attempt: number;
  error: TrialError;
  /** The engine could not be reached right after it ended (a Docker engine restart or outage). */
  engineDown?: boolean;
  startedAt: string;
  durationMs: number;
}

/** Who a trial is: travels as data to everything that needs it, never parsed back out of a folder name. */
export interface TrialIdentity {
  /** `<task>__<harness>__<n>`: also the trial's folder name. */
  key: string;
  taskId: string;
  harness: string;
  /** 1-based trial number. */
  trial: number;
}

export function trialIdentity(taskId: string, harness: string, trial: number): TrialIdentity {
  return { key: trialKey(taskId, harness, trial), taskId, harness, trial };
}

export function trialKey(taskId: string, harness: string, trial: number): string {
  return `${taskId}__${harness}__${trial}`;
}

/** A trial (or step) passes when its reward reaches this value (binary tasks reward 0 or 1). */
export const PASS_REWARD = 1;

export function rewardPasses(reward: number | null): boolean {
  return reward !== null && reward >= PASS_REWARD - 1e-9;
}

/**
 * The status rule, the one place it is written: an infrastructure error wins; else a reward that reaches 1 passes
 * (even after a timeout, as in Harbor); else a timeout of the agent or verifier; else a failure.
 */
export function outcomeStatus(o: { error: boolean; reward: number | null; timedOut: boolean }): TrialStatus {
  if (o.error) return 'error';
  if (rewardPasses(o.reward)) return 'passed';
  return o.timedOut ? 'timeout' : 'failed';
}

/** The trial reward from its step rewards (skipped steps count as 0). */
export function rollUpReward(stepRewards: Array<number | null>, strategy: 'mean' | 'final'): number | null {
  if (stepRewards.length === 0) return null;
  const values = stepRewards.map((r) => r ?? 0);
  if (strategy === 'final') return values[values.length - 1]!;
  return values.reduce((a, b) => a + b, 0) / values.length;
}
