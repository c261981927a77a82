/** Token counts of model calls: what the models layer reports, the harness records and the runner sums up. */
export interface TokenUsage {
  input: number;
  output: number;
  cached: number;
}

export const ZERO_TOKENS: TokenUsage = Object.freeze({ input: 0, output: 0, cached: 0 });

export function addTokens(a: TokenUsage, b: TokenUsage): TokenUsage {
  return { input: a.input + b.input, output: a.output + b.output, cached: a.cached + b.cached };
}
