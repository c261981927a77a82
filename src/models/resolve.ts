/**
 * `--model provider:name` → a ModelProvider with pinned parameters. API keys come from the environment only and are
 * never returned for recording (settings() holds no secrets).
 */
import { UsageError } from '../common/errors.js';
import { DEFAULT_MODEL_PARAMS, SIMULATED_LABEL, type ModelConfig, type ModelParams, type ModelRecord } from '../records/model.js';
import { AnthropicProvider } from './anthropic-provider.js';
import { OpenAIProvider } from './openai-provider.js';
import { ReplayProvider } from './replay-provider.js';
import { loadPrices } from './pricing.js';
import type { ModelProvider } from './provider.js';
import { SimulatedModel, type ReferenceSolutions } from './simulated/simulated-model.js';

/** The parts of a ModelConfig a provider is built from (all optional here), plus what is not recorded. */
export type ModelSpecOptions = { [K in 'baseUrl' | 'apiKeyEnv' | 'priceFile' | 'mistakeRate']?: NonNullable<ModelConfig[K]> } & {
  params?: Partial<ModelParams>;
  env?: NodeJS.ProcessEnv;
  /** Simulated model only: the run's seed and the reference solutions it plays from. */
  simulation?: { runSeed: string; solutions: ReferenceSolutions };
};

export interface ResolvedModel {
  provider: ModelProvider;
  /** What run.json records: the spec and the pinned parameters, never the key. */
  record: ModelRecord;
}

type Factory = (name: string, options: ModelSpecOptions, params: ModelParams) => Promise<ModelProvider>;

function apiKey(envVar: string, env: NodeJS.ProcessEnv, provider: string): string {
  const key = env[envVar];
  if (!key) throw new UsageError(`--model ${provider}:…: no API key: set ${envVar} in the environment (keys are never read from files or written to results)`);
  return key;
}

export const PROVIDERS: Record<string, Factory> = {
  sim: async (name, options, params) =>
    new SimulatedModel({ profile: name || 'default', mistakeRate: options.mistakeRate, runSeed: options.simulation?.runSeed, solutions: options.simulation?.solutions }, params),
  openai: async (name, options, params) => {
    const envVar = options.apiKeyEnv ?? 'OPENAI_API_KEY';
    const env = options.env ?? process.env;
    // Local OpenAI-compatible servers (vLLM, Ollama, llama.cpp) often need no key: allow none when a base URL is given.
    const key = options.baseUrl && !env[envVar] ? 'no-key' : apiKey(envVar, env, 'openai');
    return new OpenAIProvider({ model: name, apiKey: key, apiKeyEnv: envVar, baseUrl: options.baseUrl, params, prices: await loadPrices(options.priceFile, name) });
  },
  anthropic: async (name, options, params) => {
    const envVar = options.apiKeyEnv ?? 'ANTHROPIC_API_KEY';
    return new AnthropicProvider({ model: name, apiKey: apiKey(envVar, options.env ?? process.env, 'anthropic'), apiKeyEnv: envVar, baseUrl: options.baseUrl, params, prices: await loadPrices(options.priceFile, name) });
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
  const params: ModelParams = { ...DEFAULT_MODEL_PARAMS, ...options.params };
  const provider = await factory(name, options, params);
  const label = provider.simulated ? SIMULATED_LABEL : undefined;
  return { provider, record: { id: provider.id, simulated: provider.simulated, params: { ...provider.params }, provider: provider.settings?.() ?? {}, ...(label ? { label } : {}) } };
}

/** A run's model configuration (run.json `config.model`) → the provider. */
export function resolveModelConfig(config: ModelConfig, extra: Pick<ModelSpecOptions, 'env' | 'simulation'> = {}): Promise<ResolvedModel> {
  return resolveModel(config.spec, {
    baseUrl: config.baseUrl ?? undefined,
    apiKeyEnv: config.apiKeyEnv ?? undefined,
    params: config.params,
    priceFile: config.priceFile ?? undefined,
    mistakeRate: config.mistakeRate ?? undefined,
    ...extra,
  });
}
