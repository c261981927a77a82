/**
 * Cost per call from a price table: USD per million input, output and cached-input tokens, keyed by model name.
 * The defaults are list prices at the time of writing; pass --price-file (YAML or JSON, same shape) to override.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../common/errors.js';
import type { TokenUsage } from '../records/tokens.js';

export interface Price {
  input: number;
  output: number;
  cached: number;
}
export type PriceTable = Record<string, Price>;

export const DEFAULT_PRICES: PriceTable = {
  'gpt-4.1': { input: 2, output: 8, cached: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cached: 0.1 },
  'gpt-4o': { input: 2.5, output: 10, cached: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cached: 0.075 },
  'claude-sonnet-4-6': { input: 3, output: 15, cached: 0.3 },
  'claude-haiku-4-5': { input: 1, output: 5, cached: 0.1 },
};

const PriceFile = z.record(z.string(), z.strictObject({ input: z.number().min(0), output: z.number().min(0), cached: z.number().min(0).optional() }));

export async function loadPrices(file?: string): Promise<PriceTable> {
  if (!file) return DEFAULT_PRICES;
  let raw: unknown;
  try {
    raw = parseYaml(await readFile(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`${file}: cannot read the price table (${(err as Error).message})`);
  }
  const parsed = PriceFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${file}: ${issue.path.join('.')}: ${issue.message} (each model: { input, output, cached } in USD per million tokens)`);
  }
  const table: PriceTable = { ...DEFAULT_PRICES };
  for (const [model, p] of Object.entries(parsed.data)) table[model] = { input: p.input, output: p.output, cached: p.cached ?? p.input };
  return table;
}

/** Cost of one call; cached input tokens are billed at the cached rate. Unknown models cost 0 (and say so once). */
export function costOf(prices: PriceTable, model: string, usage: TokenUsage): number {
  const p = prices[model] ?? prices[model.replace(/-\d{4}-\d{2}-\d{2}$|-\d{8}$/, '')];
  if (!p) return 0;
  const uncached = Math.max(0, usage.input - usage.cached);
  return (uncached * p.input + usage.cached * p.cached + usage.output * p.output) / 1e6;
}
