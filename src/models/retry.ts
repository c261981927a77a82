/**
 * Retries for model calls: 429, 5xx, connection errors, timeouts and broken answers (a body that is not JSON, a stream
 * cut off before its end) are retried with exponential backoff and jitter, honouring `retry-after-ms` / `retry-after`
 * (seconds or an HTTP date). Retries are counted, never treated as agent failures; when they run out the call fails
 * with a ModelUnreachableError. Anything else (400, 401, 403, 404, …) fails at once with a ModelApiError that says how
 * to fix it.
 */
import { oneLine } from '../common/errors.js';
import { ModelApiError, ModelUnreachableError } from './errors.js';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  /** Also caps a server's retry-after. */
  maxDelayMs: number;
  /** Injectable for tests. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
    }),
  random: Math.random,
};

export interface HttpFailure {
  /** null: no HTTP answer (connection refused or reset, a timeout, a malformed or cut-off answer). */
  status: number | null;
  headers: Record<string, string | null | undefined>;
  message: string;
  /** What a failure without a status was, for messages: `connection error` (default), `timeout`, `malformed answer`. */
  label?: string;
}

export function isRetryable(f: HttpFailure): boolean {
  return f.status === null || f.status === 408 || f.status === 409 || f.status === 429 || f.status >= 500;
}

/** Delay before the next attempt: the server's retry-after when given, else exponential backoff with jitter. */
export function retryDelayMs(f: HttpFailure, attempt: number, policy: RetryPolicy): number {
  const ms = f.headers['retry-after-ms'];
  if (ms && Number.isFinite(Number(ms))) return Math.min(Number(ms), policy.maxDelayMs);
  const after = f.headers['retry-after'];
  if (after) {
    const secs = Number(after);
    if (Number.isFinite(secs)) return Math.min(secs * 1000, policy.maxDelayMs);
    const date = Date.parse(after);
    if (Number.isFinite(date)) return Math.min(Math.max(0, date - Date.now()), policy.maxDelayMs);
  }
  const exp = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return exp / 2 + (policy.random() * exp) / 2;
}

export async function withRetries<T>(
  provider: string,
  fn: () => Promise<T>,
  classify: (err: unknown) => HttpFailure | null,
  policy: RetryPolicy,
  signal?: AbortSignal,
  fix?: (f: HttpFailure) => string,
): Promise<{ value: T; retries: number }> {
  const what = (f: HttpFailure) => `${provider}: ${f.status ?? f.label ?? 'connection error'}: ${f.message}`;
  let last: HttpFailure | null = null;
  // Stopped (the agent's timeout) while the model was failing: the model was unreachable, not slow. Stopped during a
  // first attempt that had not failed: nothing is known about the model, so the abort passes through.
  const stopped = (attempt: number, err: unknown): unknown =>
    last ? new ModelUnreachableError(`${what(last)} (the call was stopped after ${attempt} failed attempt${attempt === 1 ? '' : 's'}: the model API was failing)`, last.status) : err;
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(), retries: attempt - 1 };
    } catch (err) {
      if (signal?.aborted) throw stopped(attempt - 1, err);
      const f = classify(err);
      if (!f) throw err;
      if (!isRetryable(f)) throw new ModelApiError(`${what(f)} (${fix?.(f) ?? 'check the request'})`, f.status);
      if (attempt >= policy.maxAttempts) throw new ModelUnreachableError(`${what(f)} (gave up after ${attempt} attempts: the model API is unreachable or overloaded; retries are set by HBENCH_MODEL_MAX_ATTEMPTS)`, f.status);
      last = f;
      try {
        await policy.sleep(retryDelayMs(f, attempt, policy), signal);
      } catch (abort) {
        throw stopped(attempt, abort);
      }
    }
  }
}

export function fixFor(envVar: string): (f: HttpFailure) => string {
  return (f) =>
    f.status === 401 || f.status === 403
      ? `check ${envVar}`
      : f.status === 404
        ? 'check the model name and --base-url'
        : 'the request was refused; see the message';
}

/**
 * Both official SDKs throw errors of one shape (status, headers, message) with a user-abort subclass; an abort is
 * not an HTTP failure and is passed through.
 */
export function failureFromSdkError(err: unknown): HttpFailure | null {
  if (!(err instanceof Error) || err.name === 'APIUserAbortError' || !('status' in err) || !('headers' in err)) return null;
  const headers: Record<string, string | null> = {};
  (err.headers as { forEach?(cb: (v: string, k: string) => void): void } | undefined)?.forEach?.((v: string, k: string) => (headers[k.toLowerCase()] = v));
  const status = typeof err.status === 'number' ? err.status : null;
  const label = status === null && err.constructor.name === 'APIConnectionTimeoutError' ? 'timeout' : undefined;
  return { status, headers, message: oneLine(err.message, 300), ...(label ? { label } : {}) };
}

/** An answer with HTTP 200 that is not what the API promises (no choices, no content): the server's fault. */
export class MalformedAnswerError extends Error {
  override name = 'MalformedAnswerError';
}

/**
 * failureFromSdkError, plus broken answers: a body that is not JSON (SyntaxError), a connection closed while the body
 * was read (undici's `terminated`), or a MalformedAnswerError (an answer without what the API promises, a stream that
 * broke off). Retried like a connection error: a proxy or server hiccup, not something wrong with the request.
 */
export function classifyFailure(err: unknown): HttpFailure | null {
  const http = failureFromSdkError(err);
  if (http) return http;
  if (err instanceof SyntaxError || err instanceof MalformedAnswerError || (err instanceof TypeError && err.message === 'terminated')) {
    return { status: null, headers: {}, message: oneLine(err.message, 300), label: 'malformed answer' };
  }
  return null;
}

/**
 * Reads an SDK stream. The SDK's own errors without an HTTP status, raised while reading, mean the answer broke off
 * (`terminated`, a stream that ended before its last event) or a line of it was not JSON.
 */
export async function readingStream<T>(sdkBaseError: abstract new (...args: never[]) => Error, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof sdkBaseError && !('status' in err)) throw new MalformedAnswerError(`the answer stream broke off or was not JSON: ${err.message}`);
    throw err;
  }
}
