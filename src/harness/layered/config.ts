/**
 * The layered agent's definition: six dimensions that swap independently. A harness file sets any subset; everything
 * else takes the defaults below (or the values of the file it `extends`).
 */
import { z } from 'zod';

export const DEFAULT_SYSTEM_PROMPT = `You are an autonomous agent working in a Linux container. Your working directory is {{workdir}}.
Complete the task you are given by calling tools. Run shell commands with the shell tool; each call starts a fresh
shell in the working directory, so chain commands that depend on each other (cd dir && make). Inspect results
before moving on. When the task is complete, call finish.`;

const Prompt = z.strictObject({
  system: z.string().min(1).default(DEFAULT_SYSTEM_PROMPT),
  bootstrap: z.boolean().default(false),
  budgetWarnings: z.boolean().default(true),
});
const Tools = z.strictObject({
  shell: z.strictObject({ showExitCode: z.boolean().default(true), timeoutSec: z.number().positive().default(60) }).prefault({}),
  files: z.boolean().default(true),
  outputLimit: z.number().int().min(64, 'expected at least 64 bytes').default(16384),
});
const Loop = z.strictObject({
  maxTurns: z.number().int().positive().default(40),
  confirmCompletion: z.enum(['none', 'single', 'double']).default('none'),
  onMalformed: z.enum(['retry', 'stop']).default('retry'),
});
const Context = z.strictObject({
  strategy: z.enum(['append', 'truncate', 'summarise']).default('append'),
  maxTokens: z.number().int().positive().default(24000),
  keepLastTurns: z.number().int().positive().default(6),
});
const Verification = z.strictObject({
  checklist: z.boolean().default(false),
  command: z.string().min(1).nullable().default(null),
  maxVerifications: z.number().int().positive().default(3),
  loopDetection: z.number().int().min(2, 'expected at least 2 repeats').nullable().default(null),
});
const Budgets = z.strictObject({
  tokens: z.number().int().positive().nullable().default(null),
  costUsd: z.number().positive().nullable().default(null),
  wallSec: z.number().positive().nullable().default(null),
});

export const AgentDefinition = z.strictObject({
  prompt: Prompt.prefault({}),
  tools: Tools.prefault({}),
  loop: Loop.prefault({}),
  context: Context.prefault({}),
  verification: Verification.prefault({}),
  budgets: Budgets.prefault({}),
});
export type AgentDefinition = z.infer<typeof AgentDefinition>;

/** The YAML file: the definition plus bookkeeping fields. */
export const AgentFile = AgentDefinition.partial().extend({
  kind: z.literal('agent'),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/).optional(),
  description: z.string().optional(),
  extends: z.string().min(1).optional(),
});

/** Deep merge for `extends`: objects merge key by key; arrays and scalars are replaced. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : v;
    return out;
  }
  return over === undefined ? base : over;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
