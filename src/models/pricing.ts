/**
 * Cost per call from a price table: USD per million input, output and cached-input tokens, keyed by model name.
 * The defaults are list prices at the time of writing; pass --price-file (YAML or JSON, same shape) to override.
 */
import { YAMLError, parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError, errorMessage, oneLine } from '../common/errors.js';
import { readTextFile } from '../common/files.js';
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

const SHAPE = 'each model: { input, output, cached } in USD per million tokens, e.g. gpt-4.1: { input: 2, output: 8, cached: 0.5 }';

/**
 * The default prices, overridden by `file` (--price-file). With `model`, the table must price it: a price file given
 * for a run whose model it does not list would make every cost a silent 0.
 */
export async function loadPrices(file?: string, model?: string): Promise<PriceTable> {
  if (!file) return DEFAULT_PRICES;
  const read = await readTextFile(file);
  if (!('text' in read)) throw new UsageError(`--price-file ${file}: ${read.error.problem} (${read.missing ? 'give the path of a YAML or JSON price table' : read.error.fix})`);
  let raw: unknown;
  try {
    raw = parseYaml(read.text);
  } catch (err) {
    const line = err instanceof YAMLError ? err.linePos?.[0]?.line : undefined;
    throw new UsageError(`${file}:${line ? ` line ${line}:` : ''} not valid YAML or JSON: ${oneLine(errorMessage(err).split('\n')[0] ?? '', 200)} (fix the syntax; ${SHAPE})`);
  }
  const parsed = PriceFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${file}: ${issue.path.join('.') || 'prices'}: ${issue.message} (${SHAPE})`);
  }
  const table: PriceTable = { ...DEFAULT_PRICES };
  for (const [name, p] of Object.entries(parsed.data)) table[name] = { input: p.input, output: p.output, cached: p.cached ?? p.input };
  if (model && !priceOf(table, model)) throw new UsageError(`${file}: ${model}: no price for the run's model (add ${model}: { input, output, cached } in USD per million tokens)`);
  return table;
}

function priceOf(prices: PriceTable, model: string): Price | undefined {
  return prices[model] ?? prices[model.replace(/-\d{4}-\d{2}-\d{2}$|-\d{8}$/, '')];
}

/** Cost of one call; cached input tokens are billed at the cached rate. Unknown models cost 0 (and say so once). */
export function costOf(prices: PriceTable, model: string, usage: TokenUsage): number {
  const p = priceOf(prices, model);
  if (!p) return 0;
  const uncached = Math.max(0, usage.input - usage.cached);
  return (uncached * p.input + usage.cached * p.cached + usage.output * p.output) / 1e6;
}
