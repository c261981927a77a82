/**
 * The record of one finished trial: one line of trials.jsonl, written once when the trial ends.
 * A failed or errored trial has the same shape as a passed one, plus `error`.
 */
import type { TokenUsage } from '../harness/trajectory.js';

export type TrialStatus = 'passed' | 'failed' | 'error' | 'timeout';
export const TRIAL_STATUSES: readonly TrialStatus[] = ['passed', 'failed', 'error', 'timeout'];

export type StepStatus = TrialStatus | 'skipped';

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
}

export type TrialPhase = 'build' | 'start' | 'setup' | 'agent' | 'verify' | 'teardown';

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
  error: TrialError | null;
  phases: Record<TrialPhase, number>;
  image: { ref: string; id: string } | null;
  startedAt: string;
  endedAt: string;
  durationMs: number;
}

export function trialKey(taskId: string, harness: string, trial: number): string {
  return `${taskId}__${harness}__${trial}`;
}
