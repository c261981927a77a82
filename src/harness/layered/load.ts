/**
 * Reads a `kind: agent` harness file, following `extends` (a name in the same folder, or a path), and validates the
 * merged result. A wrong field names the file, the field and the fix.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { YAMLError, parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { HarnessError, errorMessage, oneLine } from '../../common/errors.js';
import { readTextFile } from '../../common/files.js';
import { AgentDefinition, AgentFile, deepMerge } from './config.js';

export interface LoadedAgent {
  name: string;
  description: string;
  definition: AgentDefinition;
  /** The chain of files, the file itself first. */
  chain: string[];
}

export async function readYaml(file: string): Promise<unknown> {
  const read = await readTextFile(file);
  if (!('text' in read)) throw new HarnessError('HARNESS_INVALID', `${file}: ${read.error.problem} (${read.missing ? 'write the harness file, or name a built-in harness' : read.error.fix})`);
  try {
    return parseYaml(read.text) ?? {};
  } catch (err) {
    const line = err instanceof YAMLError ? err.linePos?.[0]?.line : undefined;
    // The yaml package's message ends in a code frame; its first line says what is wrong and where.
    throw new HarnessError('HARNESS_INVALID', `${file}:${line ? ` line ${line}:` : ''} not valid YAML: ${oneLine(errorMessage(err).split('\n')[0] ?? '', 200)} (fix the YAML syntax${line ? ` on line ${line}` : ''})`);
  }
}

export function zodHarnessError(file: string, error: z.ZodError): HarnessError {
  const issue = error.issues[0]!;
  const keys = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys : [];
  const field = [...issue.path.map(String), ...keys.slice(0, 1)].join('.') || 'kind';
  const problem = keys.length ? 'unknown field; remove it or fix its spelling' : issue.message;
  return new HarnessError('HARNESS_INVALID', `${file}: ${field}: ${problem}`);
}

export async function loadAgentFile(file: string, seen: string[] = []): Promise<LoadedAgent> {
  if (seen.includes(file)) throw new HarnessError('HARNESS_INVALID', `${seen[0]}: extends: circular chain ${[...seen, file].map((f) => path.basename(f)).join(' → ')}`);
  const raw = await readYaml(file);
  const parsed = AgentFile.safeParse(raw);
  if (!parsed.success) throw zodHarnessError(file, parsed.error);
  const { kind: _kind, name, description, extends: parent, ...own } = parsed.data;
  let merged: unknown = own;
  const chain = [file];
  if (parent) {
    const parentFile = resolveParent(file, parent);
    const base = await loadAgentFile(parentFile, [...seen, file]);
    merged = deepMerge(base.definition, own);
    chain.push(...base.chain);
  }
  const def = AgentDefinition.safeParse(merged);
  if (!def.success) throw zodHarnessError(file, def.error);
  return { name: name ?? path.basename(file).replace(/\.ya?ml$/, ''), description: description ?? '', definition: def.data, chain };
}

function resolveParent(file: string, parent: string): string {
  const dir = path.dirname(file);
  const candidates = parent.includes('/') || /\.ya?ml$/.test(parent) ? [path.resolve(dir, parent)] : [path.join(dir, `${parent}.yaml`), path.join(dir, `${parent}.yml`)];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new HarnessError('HARNESS_INVALID', `${file}: extends: no harness file "${parent}" next to it (expected ${path.basename(candidates[0]!)})`);
  return found;
}
