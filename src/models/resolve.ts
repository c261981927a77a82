/**
 * `--model provider:name` → a ModelProvider with pinned parameters. API keys come from the environment only and are
 * never returned for recording (describe() holds no secrets).
 */
import { UsageError } from '../common/errors.js';
import { AnthropicProvider } from './anthropic-provider.js';
import { OpenAIProvider } from './openai-provider.js';
import { ReplayProvider } from './replay-provider.js';
import { loadPrices } from './pricing.js';
import type { ModelParams, ModelProvider } from './provider.js';
import { SimulatedModel } from './simulated/simulated-model.js';

export interface ModelSpecOptions {
  baseUrl?: string;
  apiKeyEnv?: string;
  params?: Partial<ModelParams>;
  priceFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Simulated model only. */
  mistakeRate?: number;
}

export interface ResolvedModel {
  provider: ModelProvider & { describe(): Record<string, unknown> };
  /** What run.json records: the spec and the pinned parameters, never the key. */
  record: { id: string; simulated: boolean; params: Record<string, unknown>; provider: Record<string, unknown> };
}

type Factory = (name: string, options: ModelSpecOptions, params: ModelParams) => Promise<ResolvedModel['provider']>;

const DEFAULT_PARAMS: ModelParams = { temperature: 0, maxTokens: 4096, seed: null, reasoningEffort: null };

function apiKey(envVar: string, env: NodeJS.ProcessEnv, provider: string): string {
  const key = env[envVar];
  if (!key) throw new UsageError(`--model ${provider}:…: no API key: set ${envVar} in the environment (keys are never read from files or written to results)`);
  return key;
}

export const PROVIDERS: Record<string, Factory> = {
  sim: async (name, options, params) => new SimulatedModel({ profile: name || 'default', mistakeRate: options.mistakeRate }, params),
  openai: async (name, options, params) => {
    const envVar = options.apiKeyEnv ?? 'OPENAI_API_KEY';
    const env = options.env ?? process.env;
    // Local OpenAI-compatible servers (vLLM, Ollama, llama.cpp) often need no key: allow none when a base URL is given.
    const key = options.baseUrl && !env[envVar] ? 'no-key' : apiKey(envVar, env, 'openai');
    return new OpenAIProvider({ model: name, apiKey: key, apiKeyEnv: envVar, baseUrl: options.baseUrl, params, prices: await loadPrices(options.priceFile) });
  },
  anthropic: async (name, options, params) => {
    const envVar = options.apiKeyEnv ?? 'ANTHROPIC_API_KEY';
    return new AnthropicProvider({ model: name, apiKey: apiKey(envVar, options.env ?? process.env, 'anthropic'), apiKeyEnv: envVar, baseUrl: options.baseUrl, params, prices: await loadPrices(options.priceFile) });
  },
  replay: async (name) => ReplayProvider.open(name),
};

export async function resolveModel(spec: string, options: ModelSpecOptions = {}): Promise<ResolvedModel> {
  const colon = spec.indexOf(':');
  const providerName = colon >= 0 ? spec.slice(0, colon) : spec;
  const name = colon >= 0 ? spec.slice(colon + 1) : '';
  const factory = PROVIDERS[providerName];
  if (!factory) throw new UsageError(`--model ${spec}: unknown provider "${providerName}" (known: ${Object.keys(PROVIDERS).join(', ')}; e.g. openai:gpt-4.1-mini, anthropic:claude-sonnet-4-6, sim)`);
  if (providerName === 'replay' && !name) throw new UsageError(`--model ${spec}: name the recorded run, e.g. replay:results/<run-id>`);
  if (providerName !== 'sim' && !name) throw new UsageError(`--model ${spec}: name the model, e.g. ${providerName}:${providerName === 'openai' ? 'gpt-4.1-mini' : 'claude-sonnet-4-6'}`);
  const params: ModelParams = { ...DEFAULT_PARAMS, ...options.params };
  const provider = await factory(name, options, params);
  return { provider, record: { id: provider.id, simulated: provider.simulated, params: { ...provider.params }, provider: provider.describe() } };
}
