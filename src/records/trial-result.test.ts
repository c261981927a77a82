import { describe, expect, it } from 'vitest';
import { outcomeStatus, rewardPasses, rollUpReward, trialIdentity } from './trial-result.js';

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
