import type { PriceTable } from './pricing.js';
import type { ModelParams } from './provider.js';
import type { RetryPolicy } from './retry.js';

/** What the providers built on an official SDK (OpenAI, Anthropic) are made from. */
export interface SdkProviderOptions {
  model: string;
  apiKey: string;
  /** Named in error messages ("check OPENAI_API_KEY"); the key itself is never shown or recorded. */
  apiKeyEnv: string;
  baseUrl?: string;
  params: ModelParams;
  prices: PriceTable;
  retry?: Partial<RetryPolicy>;
  /** One attempt's limit (the SDK's `timeout`); an attempt that runs out is retried like a connection error. */
  timeoutMs?: number;
}

/** The SDKs' own default: long non-streaming answers can take minutes. HBENCH_MODEL_TIMEOUT_SEC changes it. */
export const DEFAULT_TIMEOUT_MS = 600_000;

/** What run.json records about retries and timeouts (so a run's record says how patient it was with the model). */
export function patienceSettings(timeoutMs: number, retry: RetryPolicy): Record<string, unknown> {
  return { timeoutMs, retry: { maxAttempts: retry.maxAttempts, baseDelayMs: retry.baseDelayMs, maxDelayMs: retry.maxDelayMs } };
}
