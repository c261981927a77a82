/**
 * The models layer's contract: chat with tool calls. Only implementations in src/models speak to model vendors.
 */
import type { TokenUsage } from '../harness/trajectory.js';

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface ToolCall {
  id: string;
  name: string;
  /** Parsed arguments; `null` with `rawArguments` kept when the model sent malformed JSON. */
  arguments: Record<string, unknown> | null;
  rawArguments: string;
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; name: string; content: string };

/** Parameters pinned for a whole run and recorded in run.json. */
export interface ModelParams {
  temperature: number | null;
  maxTokens: number;
  seed: number | null;
  reasoningEffort: 'low' | 'medium' | 'high' | null;
}

export interface ChatRequest {
  messages: ChatMessage[];
  tools: ToolSpec[];
  signal?: AbortSignal;
  /**
   * Only for the simulated model, and only filled in when the provider is simulated: the task's reference solution and
   * the trial's seed. Never shown to a model as text; real providers ignore it.
   */
  simulation?: SimulationHints;
  /** `<trial key>/<task step>/<turn>`: names the call, so a recorded run can be replayed call for call. */
  replayKey?: string;
}

/** One line of a trial's model-traffic.jsonl. */
export interface ModelCallRecord {
  time: string;
  replayKey: string | null;
  model: string;
  request: { messages: ChatMessage[]; tools: ToolSpec[] };
  response: ChatResponse;
  durationMs: number;
}

export interface SimulationHints {
  /** `<run seed>:<task>:<trial>:<step>`: the same for every harness, so variants face the same random draws. */
  seed: string;
  taskId: string;
  stepName: string;
  solution: { commands: string[]; files: Array<{ path: string; content: string }> } | null;
}

export interface ChatResponse {
  text: string;
  toolCalls: ToolCall[];
  stopReason: 'stop' | 'tool_calls' | 'length' | 'other';
  usage: TokenUsage;
  costUsd: number;
  /** The model name the server reported. */
  model: string;
  /** Retries that happened before this answer (429, 5xx, timeouts): not agent failures. */
  retries: number;
}

export interface ModelProvider {
  /** `provider:name`, e.g. `openai:gpt-4.1`, `sim:seeded`. */
  readonly id: string;
  readonly params: ModelParams;
  /** True for the built-in simulated model: every report must say so. */
  readonly simulated: boolean;
  chat(request: ChatRequest): Promise<ChatResponse>;
}
