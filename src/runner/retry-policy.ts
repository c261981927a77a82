/**
 * Which trials are tried again (`--retries`, `--retry-include`, `--retry-exclude`), after Harbor's RetryConfig: a
 * maximum number of retries, an include list and an exclude list of error classes, the exclude list winning.
 *
 * Only a trial whose status is `error` is ever retried: a failure or a timeout is the agent's own outcome and stands.
 * Errors are left out of pass rates, so retrying them biases nothing; it gives back a sample an outage took away (and
 * trials hit by outages are not a random draw: long ones are hit more often).
 * Retried by default are the engine's errors, whose cause lies outside the trial and usually passes: DOCKER_API and
 * DOCKER_UNAVAILABLE (the engine restarted, was overloaded or dropped a connection) — but never a request the engine
 * refused as bad (HTTP 400: a task whose service cannot start). Not by default, each can be
 * included: MODEL_API (the provider layer already retried rate limits and 5xx itself; what reaches a trial is mostly
 * a bad key, an unknown model or an endpoint the gateway refuses, which fail the same way again, after a whole agent
 * run), IMAGE_BUILD and VERIFIER (a broken Dockerfile or test script fails the same way again), HEALTHCHECK (mostly a
 * broken task; include it for flaky services), HARNESS (the harness itself crashed), INTERNAL (a bug of hbench, which a
 * retry would hide).
 */
import { UsageError } from '../common/errors.js';
import type { RetryConfig } from '../records/run-record.js';
import type { TrialError } from '../records/trial-result.js';

/** Error codes a trial's error can carry, each with the error class that carries it (accepted as a name too). */
export const RETRY_CLASSES: Readonly<Record<string, string | null>> = Object.freeze({
  DOCKER_API: 'DockerApiError',
  DOCKER_UNAVAILABLE: 'DockerUnavailableError',
  MODEL_API: 'ModelApiError',
  IMAGE_BUILD: 'ImageBuildError',
  HEALTHCHECK: 'HealthcheckError',
  VERIFIER: 'VerifierError',
  HARNESS: null,
  INTERNAL: null,
});

export const DEFAULT_RETRY_INCLUDE: readonly string[] = Object.freeze(['DOCKER_API', 'DOCKER_UNAVAILABLE']);
export const DEFAULT_RETRIES = 2;
/** How long an unreachable engine is waited for before the run stops (seconds). */
export const DEFAULT_ENGINE_WAIT_SEC = 300;

export const NO_RETRIES: RetryConfig = Object.freeze({ maxRetries: 0, include: [], exclude: [] }) as RetryConfig;

/** The error code a name given on the command line stands for (a code or its class name, any case); throws a UsageError. */
export function retryClass(name: string, flag: string): string {
  const wanted = name.trim().toLowerCase();
  for (const [code, cls] of Object.entries(RETRY_CLASSES)) {
    if (code.toLowerCase() === wanted || cls?.toLowerCase() === wanted) return code;
  }
  throw new UsageError(`${flag} ${name}: not an error class; use one of ${Object.keys(RETRY_CLASSES).join(', ')} (or the class names ${Object.values(RETRY_CLASSES).filter(Boolean).join(', ')})`);
}

/** The retry configuration from the options: include (replacing the default set when given) minus exclude. */
export function retryConfig(o: { retries: number; include: string[]; exclude: string[] }): RetryConfig {
  if (!Number.isInteger(o.retries) || o.retries < 0) throw new UsageError(`--retries must be a whole number ≥ 0 (got ${o.retries})`);
  const include = o.include.length ? unique(o.include.map((n) => retryClass(n, '--retry-include'))) : [...DEFAULT_RETRY_INCLUDE];
  const exclude = unique(o.exclude.map((n) => retryClass(n, '--retry-exclude')));
  return { maxRetries: o.retries, include, exclude };
}

/**
 * Whether a trial that ended as `error` after attempt `attempt` (1-based) is tried again. `engineDown`: the engine
 * could not be reached right after it ended, whatever the error says (the attempt then counts as DOCKER_UNAVAILABLE too).
 */
export function shouldRetry(policy: RetryConfig, error: TrialError | null, attempt: number, engineDown = false): boolean {
  if (!error || attempt > policy.maxRetries) return false;
  if (refusedByEngine(error) && !engineDown) return false;
  const codes = [error.code, ...(engineDown || lostEngine(error) ? ['DOCKER_UNAVAILABLE'] : [])];
  if (codes.some((c) => policy.exclude.includes(c))) return false;
  return codes.some((c) => policy.include.includes(c));
}

/** What a lost connection to the Docker engine looks like, whichever layer wrapped it. */
const ENGINE_GONE = /ECONNREFUSED|ECONNRESET|EPIPE|socket hang up|connect ENOENT|docker\.sock|no Docker engine is reachable|Cannot connect to the Docker daemon/i;

/** An error that says the connection to the engine was lost, whatever class carries it (DOCKER_UNAVAILABLE for the policy). */
export function lostEngine(error: TrialError): boolean {
  // A model API's own reset connection (ECONNRESET from the model's host) says nothing about the engine.
  return error.code === 'DOCKER_UNAVAILABLE' || (error.code !== 'MODEL_API' && ENGINE_GONE.test(error.message));
}

/**
 * A request the engine answered with 400 Bad Request: a container or service it cannot create or start as asked (a
 * command that does not exist, a bad mount). The engine was there and will refuse it again: never retried, whatever
 * the lists say. (404 and 409 are not: after a restart a container may be gone or stopped under its trial.)
 */
export function refusedByEngine(error: TrialError): boolean {
  return error.code === 'DOCKER_API' && /\(HTTP code 400\)/.test(error.message);
}

/** An error that may mean the engine is going away: worth a ping, and another a moment later, before a retry. */
export function isEngineError(error: TrialError): boolean {
  return (error.code === 'DOCKER_API' && !refusedByEngine(error)) || lostEngine(error);
}

/** Wait before retry `retry` (1-based): 1 s, 2 s, 4 s … up to 30 s, as Harbor's exponential wait. */
export function retryWaitMs(retry: number, baseMs = 1000, maxMs = 30_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1));
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
