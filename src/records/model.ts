/**
 * The pinned model of a run as every layer sees it: its configuration (run.json `config.model`), its sampling
 * parameters, and the record of what it resolved to (run.json `model`). The SIMULATED label lives here, once.
 */
export interface ModelParams {
  temperature: number | null;
  maxTokens: number;
  seed: number | null;
  reasoningEffort: 'low' | 'medium' | 'high' | null;
}

export const DEFAULT_MODEL_PARAMS: ModelParams = Object.freeze({ temperature: 0, maxTokens: 4096, seed: null, reasoningEffort: null });

/** `--model` and its options, fully resolved: what run.json keeps so a resume gets the same model. */
export interface ModelConfig {
  spec: string;
  baseUrl: string | null;
  apiKeyEnv: string | null;
  params: ModelParams;
  priceFile: string | null;
  concurrency: number;
  /** Simulated model only. */
  mistakeRate: number | null;
}

/** What a resolved model records about itself: the spec and the pinned parameters, never the key. */
export interface ModelRecord {
  id: string;
  simulated: boolean;
  label?: string;
  params: Record<string, unknown>;
  provider?: Record<string, unknown>;
}

export const SIMULATED_LABEL = 'SIMULATED model (not a real LLM)';
const SIMULATED_NOTE = 'SIMULATED model, not a real LLM';

/** `sim:default (SIMULATED model, not a real LLM)`, or just the id of a real model. */
export function modelText(model: { id: string; simulated: boolean }): string {
  return `${model.id}${model.simulated ? ` (${SIMULATED_NOTE})` : ''}`;
}

/** The same for Markdown: the model in code, the simulated warning in bold. */
export function modelMarkdown(model: { id: string; simulated: boolean }): string {
  return `\`${model.id}\`${model.simulated ? ` — **${SIMULATED_NOTE}**` : ''}`;
}
