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
import type { RetryPolicy } from './retry.js';
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

/**
 * How patient a run is with a model API, from the environment (not part of the run's configuration: a resume or
 * another machine may be more or less patient without changing what the run measures; run.json records what was used).
 * HBENCH_MODEL_TIMEOUT_SEC: one attempt's limit (default 600); HBENCH_MODEL_MAX_ATTEMPTS: attempts per call (default
 * 6); HBENCH_MODEL_RETRY_BASE_MS: the first backoff (default 1000, doubled each time, with jitter);
 * HBENCH_MODEL_RETRY_MAX_MS: the longest wait, retry-after included (default 60000).
 */
export function patienceFromEnv(env: NodeJS.ProcessEnv): { timeoutMs?: number; retry: Partial<RetryPolicy> } {
  const read = (name: string, min: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new UsageError(`${name}=${raw}: give a number ≥ ${min}, or unset it for the default`);
    return n;
  };
  const timeoutSec = read('HBENCH_MODEL_TIMEOUT_SEC', 0.001);
  const maxAttempts = read('HBENCH_MODEL_MAX_ATTEMPTS', 1);
  if (maxAttempts !== undefined && !Number.isInteger(maxAttempts)) throw new UsageError(`HBENCH_MODEL_MAX_ATTEMPTS=${maxAttempts}: give a whole number ≥ 1`);
  const baseDelayMs = read('HBENCH_MODEL_RETRY_BASE_MS', 0);
  const maxDelayMs = read('HBENCH_MODEL_RETRY_MAX_MS', 0);
  return {
    ...(timeoutSec !== undefined ? { timeoutMs: Math.round(timeoutSec * 1000) } : {}),
    retry: { ...(maxAttempts !== undefined ? { maxAttempts } : {}), ...(baseDelayMs !== undefined ? { baseDelayMs } : {}), ...(maxDelayMs !== undefined ? { maxDelayMs } : {}) },
  };
}

export const PROVIDERS: Record<string, Factory> = {
  sim: async (name, options, params) =>
    new SimulatedModel({ profile: name || 'default', mistakeRate: options.mistakeRate, runSeed: options.simulation?.runSeed, solutions: options.simulation?.solutions }, params),
  openai: async (name, options, params) => {
    const envVar = options.apiKeyEnv ?? 'OPENAI_API_KEY';
    const env = options.env ?? process.env;
    // Local OpenAI-compatible servers (vLLM, Ollama, llama.cpp) often need no key: allow none when a base URL is given.
    const key = options.baseUrl && !env[envVar] ? 'no-key' : apiKey(envVar, env, 'openai');
    return new OpenAIProvider({ model: name, apiKey: key, apiKeyEnv: envVar, baseUrl: options.baseUrl, params, prices: await loadPrices(options.priceFile, name), ...patienceFromEnv(env) });
  },
  anthropic: async (name, options, params) => {
    const envVar = options.apiKeyEnv ?? 'ANTHROPIC_API_KEY';
    const env = options.env ?? process.env;
    return new AnthropicProvider({ model: name, apiKey: apiKey(envVar, env, 'anthropic'), apiKeyEnv: envVar, baseUrl: options.baseUrl, params, prices: await loadPrices(options.priceFile, name), ...patienceFromEnv(env) });
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
