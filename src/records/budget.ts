/**
 * A per-trial spending limit on model use. The built-in agent checks it between turns; the gateway checks it before
 * forwarding an external agent's call. One type and one check, so both stop at the same point for the same reason.
 */
export interface Budget {
  /** Input + output tokens; null = no limit. */
  tokens: number | null;
  costUsd: number | null;
}

export interface BudgetHit {
  resource: 'tokens' | 'costUsd';
  used: number;
  limit: number;
}

/** Which limit `used` has reached, or null while there is room left. */
export function budgetExceeded(budget: Budget, used: { tokens: number; costUsd: number }): BudgetHit | null {
  if (budget.tokens !== null && used.tokens >= budget.tokens) return { resource: 'tokens', used: used.tokens, limit: budget.tokens };
  if (budget.costUsd !== null && used.costUsd >= budget.costUsd) return { resource: 'costUsd', used: used.costUsd, limit: budget.costUsd };
  return null;
}

/** `what` joins the used amount and the limit: "≥ budget" (agent) or "used of" (gateway). */
export function budgetText(hit: BudgetHit, what: string): string {
  return hit.resource === 'tokens' ? `${hit.used} tokens ${what} ${hit.limit}` : `$${hit.used.toFixed(4)} ${what} $${hit.limit}`;
}
