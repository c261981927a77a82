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
  /** Harness events around this action: `summarised`, `loop_detected`, `checklist`, `timeout`, … */
  events: string[];
  /** Whether the action succeeded, and the rule that decided it. */
  ok: boolean;
  okRule: string;
}

export type NewActionRecord = Omit<ActionRecord, 'index' | 'taskStep' | 'tokens' | 'costUsd' | 'events' | 'modelReply' | 'observation' | 'bytesCut'> &
  Partial<Pick<ActionRecord, 'tokens' | 'costUsd' | 'events' | 'modelReply' | 'observation' | 'bytesCut'>>;
