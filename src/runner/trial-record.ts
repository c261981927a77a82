/** Builds the one trials.jsonl record of a trial, for every way a trial can end (a crash of our own included). */
import { errorMessage, oneLine } from '../common/errors.js';
import type { ActionRecord } from '../harness/trajectory.js';
import { retriesIn } from '../records/action-record.js';
import { addTokens, ZERO_TOKENS } from '../records/tokens.js';
import { outcomeStatus, rollUpReward, trialReason, type StepResult, type TrialError, type TrialIdentity, type TrialPhase, type TrialResult } from '../records/trial-result.js';

export const NO_PHASES: Readonly<Record<TrialPhase, number>> = Object.freeze({ build: 0, start: 0, setup: 0, agent: 0, verify: 0, teardown: 0 });

export interface TrialEnd {
  runId: string;
  id: TrialIdentity;
  steps: StepResult[];
  rewardStrategy: 'mean' | 'final';
  multiStep: boolean;
  actions: readonly ActionRecord[];
  error: TrialError | null;
  phases: Record<TrialPhase, number>;
  image: { ref: string; id: string } | null;
  verification?: 'shared' | 'separate';
  network?: TrialResult['network'];
  startedAt: Date;
  durationMs: number;
}

export function trialRecord(e: TrialEnd): TrialResult {
  const ran = e.steps.filter((s) => s.status !== 'skipped');
  const reward = e.error ? null : rollUpReward(e.steps.map((s) => s.reward), e.rewardStrategy);
  const timedOut = ran.some((s) => s.agentTimedOut || s.verifierTimedOut);
  let tokens = { ...ZERO_TOKENS };
  let costUsd = 0;
  let modelRetries = 0;
  for (const a of e.actions) {
    tokens = addTokens(tokens, a.tokens);
    costUsd += a.costUsd;
    modelRetries += retriesIn(a.events);
  }
  const status = outcomeStatus({ error: e.error !== null, reward, timedOut });
  const lastRewards = [...ran].reverse().find((s) => Object.keys(s.rewards).length)?.rewards ?? {};
  return {
    schema: 1,
    runId: e.runId,
    key: e.id.key,
    taskId: e.id.taskId,
    harness: e.id.harness,
    trial: e.id.trial,
    status,
    reward,
    rewards: e.multiStep ? (reward === null ? {} : { reward }) : lastRewards,
    steps: e.steps,
    actions: e.actions.length,
    actionsOk: e.actions.filter((a) => a.ok).length,
    tokens,
    costUsd,
    ...(modelRetries ? { modelRetries } : {}),
    error: e.error,
    reason: trialReason(status, e.steps),
    verification: e.verification ?? 'shared',
    tampering: ran.flatMap((s) => s.tampering ?? []),
    ...(e.network ? { network: e.network } : {}),
    phases: e.phases,
    image: e.image,
    startedAt: e.startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    durationMs: e.durationMs,
  };
}

/** The record of a trial whose own machinery crashed before it could record itself: one trial never stops a run. */
export function crashedTrialRecord(runId: string, id: TrialIdentity, startedAt: Date, err: unknown): TrialResult {
  return trialRecord({
    runId,
    id,
    steps: [],
    rewardStrategy: 'mean',
    multiStep: false,
    actions: [],
    error: { class: err instanceof Error ? err.name : 'Error', code: 'INTERNAL', message: oneLine(errorMessage(err)), phase: 'build' },
    phases: { ...NO_PHASES },
    image: null,
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
  });
}
