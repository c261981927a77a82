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
  timeoutMs?: number;
}
