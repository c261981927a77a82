/**
 * One line of trajectory.jsonl: one agent action (a tool call, a solution script, a model turn). "Step" is kept for
 * task steps; what an agent does is an action.
 * Field names follow Harbor's ATIF trajectory where they overlap (step_id → index, timestamp → startedAt,
 * observation, metrics.prompt_tokens/completion_tokens/cached_tokens → tokens).
 */
import type { TokenUsage } from './tokens.js';

export interface ToolUse {
  /** Tool name: `shell`, `read_file`, `write_file`, `edit_file`, `finish`, `solution`, `model_call`, … */
  tool: string;
  /** The command line for shell-like tools. */
  command?: string;
  /** Other tool arguments. */
  args?: Record<string, unknown>;
}

export interface ActionRecord {
  /** 0-based, across the whole trial. */
  index: number;
  /** Name of the task step (multi-step tasks) the action belongs to. */
  taskStep: string;
  startedAt: string;
  durationMs: number;
  /** What the model said (text), when a model produced the action. */
  modelReply: string | null;
  action: ToolUse | null;
  exitCode: number | null;
  /** The observation as shown to the agent (after truncation). */
  observation: string | null;
  bytesCut: number;
  tokens: TokenUsage;
  costUsd: number;
  /**
   * Harness events around this action: `summarised`, `loop_detected`, `checklist`, `timeout`, `retried:N` (the model's
   * answer came after N retries: 429, 5xx, timeouts, broken answers), …
   */
  events: string[];
  /** Whether the action succeeded, and the rule that decided it. */
  ok: boolean;
  okRule: string;
}

export type NewActionRecord = Omit<ActionRecord, 'index' | 'taskStep' | 'tokens' | 'costUsd' | 'events' | 'modelReply' | 'observation' | 'bytesCut'> &
  Partial<Pick<ActionRecord, 'tokens' | 'costUsd' | 'events' | 'modelReply' | 'observation' | 'bytesCut'>>;

/** The event of an action whose model answer needed retries (never an agent failure: it is counted, not judged). */
export function retriedEvent(retries: number): string {
  return `retried:${retries}`;
}

/** Retries of the model calls behind these events (`retried:N`). */
export function retriesIn(events: readonly string[]): number {
  let n = 0;
  for (const e of events) if (e.startsWith('retried:')) n += Number(e.slice(8)) || 0;
  return n;
}
