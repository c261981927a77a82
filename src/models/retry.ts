/**
 * Retries for model calls: 429, 5xx, connection errors and timeouts are retried with exponential backoff and jitter,
 * honouring `retry-after-ms` / `retry-after` (seconds or an HTTP date). Retries are counted, never treated as agent
 * failures. Anything else (400, 401, 403, 404, …) fails at once with a ModelApiError that says how to fix it.
 */
import { ModelApiError } from './errors.js';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
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
      const t = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
    }),
  random: Math.random,
};

export interface HttpFailure {
  status: number | null;
  headers: Record<string, string | null | undefined>;
  message: string;
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
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(), retries: attempt - 1 };
    } catch (err) {
      if (signal?.aborted) throw err;
      const f = classify(err);
      if (!f) throw err;
      if (!isRetryable(f) || attempt >= policy.maxAttempts) {
        const why = isRetryable(f) ? `gave up after ${attempt} attempts` : (fix?.(f) ?? 'check the request');
        throw new ModelApiError(`${provider}: ${f.status ?? 'connection error'}: ${f.message} (${why})`, f.status);
      }
      await policy.sleep(retryDelayMs(f, attempt, policy), signal);
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
  return { status, headers, message: err.message.replace(/\s+/g, ' ').slice(0, 300) };
}
