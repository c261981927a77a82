/**
 * The architecture as a tested fact (Playwright's DEPS.list is the model): which layer of src/ may import which, and
 * which packages only one layer may use. `checkImports` reads the imports of every source file and lists violations.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** Layer → the layers it may import (itself always allowed). Data flows one way: nothing imports cli/. */
export const LAYER_RULES: Record<string, string[]> = {
  common: [],
  records: ['common'],
  tasks: ['common', 'records'],
  sandbox: ['common', 'records', 'tasks'],
  models: ['common', 'records'],
  harness: ['common', 'records', 'tasks', 'sandbox', 'models'],
  scoring: ['common', 'records', 'tasks'],
  runner: ['common', 'records', 'tasks', 'sandbox', 'models', 'harness', 'scoring'],
  report: ['common', 'records', 'scoring', 'runner'],
  cluster: ['common', 'records', 'tasks', 'sandbox', 'models', 'harness', 'scoring', 'runner', 'report'],
  cli: ['common', 'records', 'tasks', 'sandbox', 'models', 'harness', 'scoring', 'runner', 'report', 'cluster'],
  bench: ['common', 'records', 'tasks', 'sandbox', 'models', 'harness', 'scoring', 'runner', 'report', 'cluster', 'test-support'],
  'test-support': ['common', 'records', 'tasks', 'sandbox', 'models', 'harness', 'scoring', 'runner', 'report', 'cluster'],
};

/** Packages only one layer may import: the engine client in sandbox/, the vendor SDKs in models/. */
export const PACKAGE_OWNERS: Record<string, string> = {
  dockerode: 'sandbox',
  openai: 'models',
  '@anthropic-ai/sdk': 'models',
};

export interface ImportViolation {
  file: string;
  specifier: string;
  reason: string;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|(?:^|[^.\w])import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;

export function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

/** The layer a file under `srcDir` belongs to (its first folder), or null for files at the top. */
export function layerOf(srcDir: string, file: string): string | null {
  const rel = path.relative(srcDir, file).split(path.sep);
  return rel.length > 1 ? rel[0]! : null;
}

/** Violations of one file's imports. */
export function checkFile(srcDir: string, file: string, source: string): ImportViolation[] {
  const layer = layerOf(srcDir, file);
  if (!layer) return [];
  const rel = path.relative(srcDir, file);
  const allowed = LAYER_RULES[layer];
  if (!allowed) return [{ file: rel, specifier: '', reason: `folder src/${layer}/ is not in the layer table (add it to LAYER_RULES)` }];
  const out: ImportViolation[] = [];
  for (const spec of importsOf(source)) {
    if (spec.startsWith('.')) {
      const target = layerOf(srcDir, path.resolve(path.dirname(file), spec));
      // Tests beside the code may use the shared test helpers.
      if (target === 'test-support' && /\.test\.[mc]?[jt]s$/.test(file)) continue;
      if (target && target !== layer && !allowed.includes(target)) out.push({ file: rel, specifier: spec, reason: `${layer}/ may not import ${target}/` });
      continue;
    }
    const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
    const owner = PACKAGE_OWNERS[pkg];
    if (owner && owner !== layer) out.push({ file: rel, specifier: spec, reason: `only ${owner}/ may import ${pkg}` });
  }
  return out;
}

export async function checkImports(srcDir: string): Promise<ImportViolation[]> {
  const out: ImportViolation[] = [];
  for (const file of await sourceFiles(srcDir)) out.push(...checkFile(srcDir, file, await readFile(file, 'utf8')));
  return out;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sourceFiles(full)));
    else if (/\.(ts|mts|js|mjs)$/.test(e.name)) out.push(full);
  }
  return out;
}
