import { describe, expect, it } from 'vitest';
import { UsageError } from '../common/errors.js';
import type { TrialError } from '../records/trial-result.js';
import { DEFAULT_RETRY_INCLUDE, isEngineError, retryConfig, retryWaitMs, shouldRetry } from './retry-policy.js';

const err = (code: string, message = 'boom'): TrialError => ({ class: 'X', code, message, phase: 'agent' });

describe('retry policy', () => {
  it('by default retries the engine’s errors, twice, and nothing else', () => {
    const policy = retryConfig({ retries: 2, include: [], exclude: [] });
    expect(policy).toEqual({ maxRetries: 2, include: [...DEFAULT_RETRY_INCLUDE], exclude: [] });
    for (const code of ['DOCKER_API', 'DOCKER_UNAVAILABLE']) expect(shouldRetry(policy, err(code), 1)).toBe(true);
    for (const code of ['MODEL_API', 'IMAGE_BUILD', 'VERIFIER', 'HEALTHCHECK', 'HARNESS', 'INTERNAL']) expect(shouldRetry(policy, err(code), 1)).toBe(false);
    expect(shouldRetry(policy, err('DOCKER_API'), 2)).toBe(true);
    expect(shouldRetry(policy, err('DOCKER_API'), 3)).toBe(false);
  });

  it('never retries a trial without an error: failures and timeouts are the agent’s own', () => {
    const everything = retryConfig({ retries: 5, include: ['HARNESS', 'INTERNAL', 'VERIFIER'], exclude: [] });
    expect(shouldRetry(everything, null, 1)).toBe(false);
    expect(shouldRetry(everything, null, 1, true)).toBe(false);
  });

  it('--retry-include replaces the default set (Harbor’s include list); --retry-exclude wins over it', () => {
    const builds = retryConfig({ retries: 1, include: ['ImageBuildError', 'healthcheck'], exclude: [] });
    expect(builds.include).toEqual(['IMAGE_BUILD', 'HEALTHCHECK']);
    expect(shouldRetry(builds, err('IMAGE_BUILD'), 1)).toBe(true);
    expect(shouldRetry(builds, err('DOCKER_API'), 1)).toBe(false);
    const noApi = retryConfig({ retries: 1, include: [], exclude: ['DockerApiError'] });
    expect(shouldRetry(noApi, err('DOCKER_API', 'HTTP 400 bad parameter'), 1)).toBe(false);
    expect(shouldRetry(noApi, err('DOCKER_UNAVAILABLE'), 1)).toBe(true);
    const both = retryConfig({ retries: 1, include: ['VERIFIER'], exclude: ['VerifierError'] });
    expect(shouldRetry(both, err('VERIFIER'), 1)).toBe(false);
  });

  it('an error while the engine was down, or one that reads like a lost engine connection, counts as DOCKER_UNAVAILABLE', () => {
    const policy = retryConfig({ retries: 1, include: [], exclude: [] });
    expect(shouldRetry(policy, err('VERIFIER'), 1, true)).toBe(true);
    expect(shouldRetry(policy, err('HARNESS', 'connect ECONNREFUSED /var/run/docker.sock'), 1)).toBe(true);
    expect(isEngineError(err('INTERNAL', 'socket hang up'))).toBe(true);
    expect(isEngineError(err('VERIFIER', 'no reward written'))).toBe(false);
    // The model's host resetting a connection is the model's outage (the circuit breaker's), not the engine's.
    expect(shouldRetry(policy, err('MODEL_API', 'openai: connection error: read ECONNRESET (gave up after 6 attempts)'), 1)).toBe(false);
    const noEngine = retryConfig({ retries: 1, include: [], exclude: ['DOCKER_UNAVAILABLE'] });
    expect(shouldRetry(noEngine, err('VERIFIER'), 1, true)).toBe(false);
  });

  it('never retries a request the engine refused as bad (HTTP 400): the task’s service cannot start, and will not', () => {
    const policy = retryConfig({ retries: 2, include: [], exclude: [] });
    const refused = err('DOCKER_API', 'Docker API error while starting service "db": (HTTP code 400) unexpected - OCI runtime create failed: exec: "/no/such": no such file');
    expect(isEngineError(refused)).toBe(false);
    expect(shouldRetry(policy, refused, 1)).toBe(false);
    expect(shouldRetry(retryConfig({ retries: 2, include: ['DOCKER_API'], exclude: [] }), refused, 1)).toBe(false);
    // …unless the engine was found down right after it.
    expect(shouldRetry(policy, refused, 1, true)).toBe(true);
    // A container stopped or removed under its trial (409, 404, or 500 on older engines) may be a restart's doing.
    for (const status of [404, 409, 500]) expect(shouldRetry(policy, err('DOCKER_API', `(HTTP code ${status}) container not running`), 1)).toBe(true);
  });

  it('rejects bad values with one line naming the flag and the valid classes', () => {
    expect(() => retryConfig({ retries: -1, include: [], exclude: [] })).toThrow(new UsageError('--retries must be a whole number ≥ 0 (got -1)'));
    expect(() => retryConfig({ retries: 1.5, include: [], exclude: [] })).toThrow(UsageError);
    expect(() => retryConfig({ retries: 1, include: ['TIMEOUT'], exclude: [] })).toThrow(/^--retry-include TIMEOUT: not an error class; use one of DOCKER_API, DOCKER_UNAVAILABLE, MODEL_API, IMAGE_BUILD, HEALTHCHECK, VERIFIER, HARNESS, INTERNAL/);
    expect(() => retryConfig({ retries: 1, include: [], exclude: ['agent'] })).toThrow(/^--retry-exclude agent: not an error class/);
  });

  it('waits exponentially between retries, capped', () => {
    expect([1, 2, 3, 4].map((n) => retryWaitMs(n))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryWaitMs(10)).toBe(30_000);
    expect(retryWaitMs(3, 0)).toBe(0);
  });
});
