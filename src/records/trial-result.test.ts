import { describe, expect, it } from 'vitest';
import { outcomeStatus, rewardPasses, rollUpReward, trialIdentity, trialReason, type StepResult } from './trial-result.js';

describe('rollUpReward', () => {
  it('mean counts skipped steps as 0; final takes the last step', () => {
    expect(rollUpReward([1, 1, null], 'mean')).toBeCloseTo(2 / 3);
    expect(rollUpReward([0, 1], 'final')).toBe(1);
    expect(rollUpReward([1, null], 'final')).toBe(0);
    expect(rollUpReward([], 'mean')).toBeNull();
  });
});

describe('the status rule', () => {
  it('error wins, then a passing reward (even after a timeout), then timeout, then failed', () => {
    expect(outcomeStatus({ error: true, reward: 1, timedOut: false })).toBe('error');
    expect(outcomeStatus({ error: false, reward: 1, timedOut: true })).toBe('passed');
    expect(outcomeStatus({ error: false, reward: 0.5, timedOut: true })).toBe('timeout');
    expect(outcomeStatus({ error: false, reward: null, timedOut: false })).toBe('failed');
    expect(rewardPasses(1 - 1e-12)).toBe(true);
    expect(rewardPasses(0.99)).toBe(false);
  });

  it('a trial identity carries its key', () => {
    expect(trialIdentity('t', 'h', 2)).toEqual({ key: 't__h__2', taskId: 't', harness: 'h', trial: 2 });
  });
});

describe('the reason rule', () => {
  const step = (fields: Partial<StepResult>): StepResult => ({ name: 'main', status: 'failed', reward: 0, rewards: {}, agentTimedOut: false, verifierTimedOut: false, actions: 1, actionsOk: 0, agentMs: 1, verifyMs: 1, ...fields });

  it('names the limit that stopped the agent first, then one that only cut output, then a missing reward', () => {
    expect(trialReason('failed', [step({ limits: ['output-capped', 'oom-killed'] })])).toBe('oom-killed');
    expect(trialReason('failed', [step({ limits: ['oom-killed'] }), step({ limits: ['disk-limit'] })])).toBe('disk-limit');
    expect(trialReason('failed', [step({ limits: ['output-capped'], rewardProblem: 'none written' })])).toBe('output-capped');
    expect(trialReason('failed', [step({ rewardProblem: 'none written' })])).toBe('no-reward');
    expect(trialReason('timeout', [step({ limits: ['pids-limit'] })])).toBe('pids-limit');
    expect(trialReason('failed', [step({ limits: [] })])).toBeNull();
  });

  it('an error has no reason; a passed trial names no limit; skipped steps do not count', () => {
    expect(trialReason('error', [step({ limits: ['oom-killed'] })])).toBeNull();
    expect(trialReason('passed', [step({ status: 'passed', reward: 1, limits: ['output-capped'] })])).toBeNull();
    expect(trialReason('failed', [step({}), step({ status: 'skipped', limits: ['disk-limit'] })])).toBeNull();
  });
});
