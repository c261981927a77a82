/**
 * `kind: agent` harness files: the schema of every dimension, its defaults, and `extends` resolution.
 *
 * A variant file may `extends: <name>` another file in the same folder (resolved recursively; cycles are an error).
 * The chain is merged root first: objects deep-merge, arrays and scalars (null included) replace. Each file is
 * validated on its own first, so a wrong field is reported against the file that holds it; the merged result is
 * then completed with the defaults below and validated again. The fully-defaulted definition is what a run records.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { HarnessError, errorMessage, oneLine } from '../../common/errors.js';

export type ConfirmCompletion = 'none' | 'single' | 'double';
export type OnMalformed = 'retry' | 'stop';
export type ContextStrategy = 'append' | 'truncate' | 'summarise';

export interface AgentDefinition {
  prompt: {
    /** System prompt template; `{{workdir}}` is replaced by the sandbox's working directory. */
    system: string;
    /** Before the first turn, run a few cheap commands and show their output as a user message. */
    bootstrap: boolean;
    /** Append a warning to the next observation once 75% of a turn/token/cost/time budget is used. */
    budgetWarnings: boolean;
  };
  tools: {
    shell: { enabled: boolean; showExitCode: boolean };
    /** read_file, write_file, edit_file. */
    files: boolean;
    finish: boolean;
    /** Bytes of an observation shown to the model (head + tail). */
    outputLimit: number;
    commandTimeoutSec: number;
  };
  loop: { maxTurns: number; confirmCompletion: ConfirmCompletion; onMalformed: OnMalformed };
  context: { strategy: ContextStrategy; maxTokens: number; keepLastTurns: number };
  verification: {
    checklist: boolean;
    checklistText: string;
    command: string | null;
    loopDetection: { repeats: number } | null;
  };
  /** Per task step; null = unlimited (turns are still capped by loop.maxTurns). */
  budgets: { turns: number | null; tokens: number | null; costUsd: number | null; wallSec: number | null };
}

export const DEFAULT_SYSTEM_PROMPT = `You are an autonomous software agent working in a Linux terminal inside a container. Your working directory is {{workdir}}.
Complete the task you are given by calling the tools you have: run shell commands and read, write and edit files.
Work step by step and read the result of every command before the next one: when something fails, fix it before moving on.
The shell keeps its working directory, variables and functions between calls. Nobody will answer questions, so act on your own.
When the task is complete, call the finish tool (or, without one, reply without calling a tool).`;

export const DEFAULT_CHECKLIST = `Before you finish, go through this checklist:
1. Re-read the task: is every requirement met (file names, formats, locations)?
2. Re-check your work with a command instead of assuming it worked, and look back at the outputs you got: did any command do something other than what you meant?
3. Fix anything that is not right.
Then call finish again.`;

export const AGENT_DEFAULTS: AgentDefinition = {
  prompt: { system: DEFAULT_SYSTEM_PROMPT, bootstrap: false, budgetWarnings: true },
  tools: { shell: { enabled: true, showExitCode: true }, files: true, finish: true, outputLimit: 16384, commandTimeoutSec: 60 },
  loop: { maxTurns: 40, confirmCompletion: 'none', onMalformed: 'retry' },
  context: { strategy: 'append', maxTokens: 24000, keepLastTurns: 6 },
  verification: { checklist: false, checklistText: DEFAULT_CHECKLIST, command: null, loopDetection: { repeats: 3 } },
  budgets: { turns: null, tokens: null, costUsd: null, wallSec: null },
};

const NAME = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected letters, digits, ".", "_" or "-"');
const PLACEHOLDERS = ['workdir'];

/** One schema for both uses: `partial` (a single file, every field optional) and complete (after defaults). */
function schema(partial: boolean) {
  const o = <T extends z.ZodType>(t: T) => (partial ? t.optional() : t);
  const int = (min: number) => z.number().int('expected a whole number').min(min, `expected a number ≥ ${min}`);
  const positive = z.number().positive('expected a number > 0');
  return z.strictObject({
    prompt: o(
      z.strictObject({
        system: o(
          z
            .string()
            .min(1, 'expected a non-empty prompt')
            .refine((s) => [...s.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].every((m) => PLACEHOLDERS.includes(m[1]!)), 'unknown placeholder (only {{workdir}} is replaced)'),
        ),
        bootstrap: o(z.boolean()),
        budgetWarnings: o(z.boolean()),
      }),
    ),
    tools: o(
      z.strictObject({
        shell: o(z.strictObject({ enabled: o(z.boolean()), showExitCode: o(z.boolean()) })),
        files: o(z.boolean()),
        finish: o(z.boolean()),
        outputLimit: o(int(64)),
        commandTimeoutSec: o(positive),
      }),
    ),
    loop: o(
      z.strictObject({
        maxTurns: o(int(1)),
        confirmCompletion: o(z.enum(['none', 'single', 'double'])),
        onMalformed: o(z.enum(['retry', 'stop'])),
      }),
    ),
    context: o(
      z.strictObject({
        strategy: o(z.enum(['append', 'truncate', 'summarise'])),
        maxTokens: o(int(100)),
        keepLastTurns: o(int(1)),
      }),
    ),
    verification: o(
      z.strictObject({
        checklist: o(z.boolean()),
        checklistText: o(z.string().min(1, 'expected a non-empty checklist')),
        command: o(z.string().min(1, 'expected a command, or null for none').nullable()),
        loopDetection: o(z.strictObject({ repeats: o(int(2)) }).nullable()),
      }),
    ),
    budgets: o(
      z.strictObject({
        turns: o(int(1).nullable()),
        tokens: o(int(1).nullable()),
        costUsd: o(positive.nullable()),
        wallSec: o(positive.nullable()),
      }),
    ),
  });
}

const FILE_KEYS = z.strictObject({
  name: NAME.optional(),
  kind: z.literal('agent', { error: 'a file that extends another must be kind: agent (or leave kind out)' }).optional(),
  extends: NAME.optional(),
  description: z.string().optional(),
});
const PARTIAL = schema(true);
const COMPLETE = schema(false);

export interface LoadedAgentFile {
  /** The harness name: `name:` or the file name. */
  name: string;
  /** The file, relative to the working directory. */
  source: string;
  description: string | null;
  /** Files of the `extends` chain, this one first. */
  chain: string[];
  definition: AgentDefinition;
}

/** Whether a parsed harness file is an agent variant (kind: agent, or an `extends` without a kind). */
export function isAgentFile(raw: unknown): boolean {
  return isPlainObject(raw) && (raw.kind === 'agent' || (raw.kind === undefined && raw.extends !== undefined));
}

/** Reads an agent file and every file it extends; returns the merged, fully defaulted definition. */
export async function loadAgentDefinition(file: string): Promise<LoadedAgentFile> {
  const chain: string[] = [];
  const layers: Array<Record<string, unknown>> = [];
  let current = path.resolve(file);
  let first: Record<string, unknown> | null = null;
  for (;;) {
    if (chain.includes(current)) {
      const cycle = [...chain.slice(chain.indexOf(current)), current].map((f) => path.basename(f)).join(' → ');
      throw new HarnessError('HARNESS_INVALID', `${rel(chain[chain.length - 1]!)}: extends: cycle ${cycle} (remove one of these extends)`);
    }
    chain.push(current);
    const raw = await readLayer(current, chain.length > 1);
    first ??= raw;
    const { name: _n, kind: _k, extends: parent, description: _d, ...body } = raw;
    layers.unshift(body);
    if (typeof parent !== 'string') break;
    const dir = path.dirname(current);
    const next = [`${parent}.yaml`, `${parent}.yml`].map((f) => path.join(dir, f)).find((f) => existsSync(f));
    if (!next) throw new HarnessError('HARNESS_INVALID', `${rel(current)}: extends: no ${parent}.yaml in ${rel(dir) || '.'} (extends names another harness file in the same folder)`);
    current = next;
  }
  let merged: unknown = structuredClone(AGENT_DEFAULTS);
  for (const layer of layers) merged = deepMerge(merged, layer);
  const parsed = COMPLETE.safeParse(merged);
  if (!parsed.success) throw invalid(rel(chain[0]!), parsed.error.issues, '(after merging the extends chain)');
  const top = first!;
  return {
    name: typeof top.name === 'string' ? top.name : path.basename(chain[0]!).replace(/\.ya?ml$/, ''),
    source: rel(chain[0]!) || chain[0]!,
    description: typeof top.description === 'string' ? top.description : null,
    chain: chain.map(rel),
    definition: parsed.data as AgentDefinition,
  };
}

async function readLayer(file: string, asParent: boolean): Promise<Record<string, unknown>> {
  let raw: unknown;
  try {
    raw = parseYaml(await readFile(file, 'utf8'));
  } catch (err) {
    throw new HarnessError('HARNESS_INVALID', `${rel(file)}: not valid YAML: ${oneLine(errorMessage(err))}`);
  }
  raw ??= {};
  if (!isPlainObject(raw)) throw new HarnessError('HARNESS_INVALID', `${rel(file)}: expected a mapping of fields (kind: agent, prompt:, tools:, …)`);
  if (asParent && raw.kind !== undefined && raw.kind !== 'agent') {
    throw new HarnessError('HARNESS_INVALID', `${rel(file)}: kind: only kind: agent files can be extended (this one is kind: ${String(raw.kind)})`);
  }
  const { name, kind, extends: ext, description, ...body } = raw;
  const head = FILE_KEYS.safeParse({ name, kind, extends: ext, description });
  if (!head.success) throw invalid(rel(file), head.error.issues);
  const checked = PARTIAL.safeParse(body);
  if (!checked.success) throw invalid(rel(file), checked.error.issues);
  return raw;
}

/** `<file>: <dotted.field>: <problem> (<fix>)` for the most useful issue (unknown fields first). */
function invalid(file: string, issues: z.core.$ZodIssue[], note = ''): HarnessError {
  const issue = [...issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'))[0]!;
  const at = issue.path.map(String);
  let field: string;
  let problem: string;
  let fix: string;
  if (issue.code === 'unrecognized_keys') {
    field = [...at, issue.keys[0]!].join('.');
    problem = 'unknown field';
    const known = knownFields(at);
    fix = `remove it or fix its spelling${known ? `; fields here: ${known.join(', ')}` : ''}`;
  } else {
    field = at.join('.') || '(top level)';
    problem = issue.code === 'invalid_value' ? `expected one of ${issue.values.map(String).join(', ')}` : issue.message.replace(/^Invalid input: /, '');
    const def = defaultAt(at);
    fix = def === undefined ? 'see harnesses/baseline.yaml' : `default: ${JSON.stringify(def)}`;
  }
  return new HarnessError('HARNESS_INVALID', `${file}: ${field}: ${problem} (${fix})${note ? ` ${note}` : ''}`);
}

function knownFields(at: string[]): string[] | null {
  if (at.length === 0) return ['name', 'kind', 'extends', 'description', ...Object.keys(AGENT_DEFAULTS)];
  const v = defaultAt(at);
  if (at.length === 2 && at[0] === 'verification' && at[1] === 'loopDetection') return ['repeats'];
  return isPlainObject(v) ? Object.keys(v) : null;
}

function defaultAt(at: string[]): unknown {
  let v: unknown = AGENT_DEFAULTS;
  for (const k of at) {
    if (!isPlainObject(v)) return undefined;
    v = v[k];
  }
  return v;
}

/** Objects deep-merge; anything else in `over` (arrays, scalars, null) replaces. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
    return out;
  }
  return structuredClone(over);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function rel(file: string): string {
  return path.relative(process.cwd(), file) || file;
}
