/**
 * Resolves `--harness NAME|PATH` into a Harness: built-ins (oracle, nop), `harnesses/<name>.yaml`, or a file path.
 * Harness files are validated with zod; a wrong field stops the command with the file, the field and the fix.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { HarnessError } from '../common/errors.js';
import type { ModelProvider } from '../models/provider.js';
import { stableHash } from '../common/stable-hash.js';
import { CommandHarness } from './builtin/command.js';
import { NopHarness } from './builtin/nop.js';
import { OracleHarness } from './builtin/oracle.js';
import type { Harness, HarnessDescriptor } from './harness.js';
import { LayeredAgent, requireModel } from './layered/agent.js';
import { loadAgentFile, readYaml, zodHarnessError } from './layered/load.js';

const NAME = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected letters, digits, ".", "_" or "-"');

const HarnessFile = z.discriminatedUnion('kind', [
  z.strictObject({ name: NAME.optional(), kind: z.literal('oracle'), description: z.string().optional() }),
  z.strictObject({ name: NAME.optional(), kind: z.literal('nop'), description: z.string().optional() }),
  z.strictObject({
    name: NAME.optional(),
    kind: z.literal('command'),
    description: z.string().optional(),
    install: z.string().optional(),
    run: z.string().min(1, 'expected the command that runs the agent'),
    env: z.record(z.string(), z.string()).optional(),
    user: z.string().optional(),
    model: z
      .union([z.literal(true), z.strictObject({ tokens: z.number().int().positive().optional(), costUsd: z.number().positive().optional() })])
      .optional(),
  }),
]);

export const BUILT_IN = ['oracle', 'nop'] as const;

export interface ResolveOptions {
  /** Folder of harness files; default `harnesses/` under the working directory. */
  harnessDir?: string;
  /** The run's pinned model, for harnesses that need one (kind: agent). */
  model?: ModelProvider | null;
}

export async function resolveHarness(spec: string, options: ResolveOptions = {}): Promise<Harness> {
  const dir = path.resolve(options.harnessDir ?? 'harnesses');
  const looksLikePath = spec.includes('/') || /\.ya?ml$/.test(spec);
  const candidates = looksLikePath ? [path.resolve(spec)] : [path.join(dir, `${spec}.yaml`), path.join(dir, `${spec}.yml`)];
  const file = candidates.find((f) => existsSync(f));
  if (!file) {
    if (!looksLikePath && (BUILT_IN as readonly string[]).includes(spec)) return builtIn(spec as (typeof BUILT_IN)[number], 'built-in');
    const known = [...BUILT_IN, ...(await listHarnessFiles(dir))].join(', ');
    throw new HarnessError('HARNESS_NOT_FOUND', `unknown harness "${spec}": not built in and no ${looksLikePath ? spec : path.relative(process.cwd(), candidates[0]!)} (known: ${known})`);
  }
  return loadHarnessFile(file, options);
}

export async function loadHarnessFile(file: string, options: ResolveOptions = {}): Promise<Harness> {
  const raw = await readYaml(file);
  const source = path.relative(process.cwd(), file) || file;
  if ((raw as { kind?: unknown }).kind === 'agent') {
    const agent = await loadAgentFile(file);
    const model = requireModel(agent.name, options.model);
    const definition = { ...agent.definition, extends: agent.chain.slice(1).map((f) => path.basename(f)) };
    return new LayeredAgent(descriptor(agent.name, 'agent', source, definition), agent.definition, model);
  }
  const parsed = HarnessFile.safeParse(raw);
  if (!parsed.success) {
    const err = zodHarnessError(file, parsed.error);
    throw err.message.endsWith(': kind: Invalid input') || /: kind: /.test(err.message)
      ? new HarnessError('HARNESS_INVALID', `${file}: kind: expected one of oracle, nop, command, agent`)
      : err;
  }
  const def = parsed.data;
  const name = def.name ?? path.basename(file).replace(/\.ya?ml$/, '');
  switch (def.kind) {
    case 'oracle':
    case 'nop':
      return builtIn(def.kind, source, name);
    case 'command': {
      const model = def.model === undefined ? null : def.model === true ? { tokens: null, costUsd: null } : { tokens: def.model.tokens ?? null, costUsd: def.model.costUsd ?? null };
      if (model) requireModel(name, options.model);
      const resolved = { install: def.install ?? null, run: def.run, env: def.env ?? {}, user: def.user ?? null, model };
      return new CommandHarness(descriptor(name, 'command', source, resolved), resolved);
    }
  }
}

function builtIn(kind: (typeof BUILT_IN)[number], source: string, name: string = kind): Harness {
  const d = descriptor(name, kind, source, {});
  return kind === 'oracle' ? new OracleHarness(d) : new NopHarness(d);
}

function descriptor(name: string, kind: string, source: string, definition: Record<string, unknown>): HarnessDescriptor {
  return { name, kind, source, definition, hash: stableHash({ kind, definition }) };
}

async function listHarnessFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).map((f) => f.replace(/\.ya?ml$/, ''));
  } catch {
    return [];
  }
}
