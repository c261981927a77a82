/**
 * Resolves `--harness NAME|PATH` into a Harness: built-ins (oracle, nop), `harnesses/<name>.yaml`, or a file path.
 * Harness files are validated with zod; a wrong field stops the command with the file, the field and the fix.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { HarnessError, errorMessage, oneLine } from '../common/errors.js';
import { stableHash } from '../common/stable-hash.js';
import { CommandHarness } from './builtin/command.js';
import { NopHarness } from './builtin/nop.js';
import { OracleHarness } from './builtin/oracle.js';
import type { Harness, HarnessDescriptor } from './harness.js';

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
  }),
]);

export const BUILT_IN = ['oracle', 'nop'] as const;

export interface ResolveOptions {
  /** Folder of harness files; default `harnesses/` under the working directory. */
  harnessDir?: string;
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
  return loadHarnessFile(file);
}

export async function loadHarnessFile(file: string): Promise<Harness> {
  let raw: unknown;
  try {
    raw = parseYaml(await readFile(file, 'utf8'));
  } catch (err) {
    throw new HarnessError('HARNESS_INVALID', `${file}: not valid YAML: ${oneLine(errorMessage(err))}`);
  }
  const parsed = HarnessFile.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : 'kind');
    const hint = issue.code === 'unrecognized_keys' ? `unknown field; remove it or fix its spelling` : issue.message;
    throw new HarnessError('HARNESS_INVALID', `${file}: ${field}: ${hint}${field === 'kind' ? ' (kind is one of oracle, nop, command)' : ''}`);
  }
  const def = parsed.data;
  const name = def.name ?? path.basename(file).replace(/\.ya?ml$/, '');
  const source = path.relative(process.cwd(), file) || file;
  switch (def.kind) {
    case 'oracle':
    case 'nop':
      return builtIn(def.kind, source, name);
    case 'command': {
      const resolved = { install: def.install ?? null, run: def.run, env: def.env ?? {}, user: def.user ?? null };
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
