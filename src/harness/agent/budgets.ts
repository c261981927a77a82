/**
 * Budgets of one task step: turns (loop.maxTurns, and budgets.turns), tokens, cost and wall time. Exhausting one
 * ends the agent; at 75% a warning is offered once per budget (prompt.budgetWarnings).
 */
import type { AgentDefinition } from './config.js';

export interface BudgetUsage {
  turns: number;
  tokens: number;
  costUsd: number;
  wallSec: number;
}

export type BudgetName = keyof BudgetUsage;

export interface Exhausted {
  /** `max_turns` when loop.maxTurns ran out first, else `budget`. */
  stopReason: 'max_turns' | 'budget';
  event: 'max_turns' | 'budget_exhausted';
  detail: string;
}

export const WARN_AT = 0.75;

export class Budgets {
  private readonly warned = new Set<BudgetName>();
  private readonly limits: Record<BudgetName, number | null>;

  constructor(private readonly def: AgentDefinition) {
    const b = def.budgets;
    this.limits = { turns: b.turns === null ? def.loop.maxTurns : Math.min(b.turns, def.loop.maxTurns), tokens: b.tokens, costUsd: b.costUsd, wallSec: b.wallSec };
  }

  /** The first budget used up, or null. */
  exhausted(u: BudgetUsage): Exhausted | null {
    const b = this.def.budgets;
    if (b.turns !== null && b.turns < this.def.loop.maxTurns && u.turns >= b.turns) return { stopReason: 'budget', event: 'budget_exhausted', detail: `turn budget of ${b.turns} used` };
    if (u.turns >= this.def.loop.maxTurns) return { stopReason: 'max_turns', event: 'max_turns', detail: `${this.def.loop.maxTurns} turns (loop.maxTurns)` };
    if (b.tokens !== null && u.tokens >= b.tokens) return { stopReason: 'budget', event: 'budget_exhausted', detail: `token budget of ${b.tokens} used (${u.tokens})` };
    if (b.costUsd !== null && u.costUsd >= b.costUsd) return { stopReason: 'budget', event: 'budget_exhausted', detail: `cost budget of $${b.costUsd} used ($${u.costUsd.toFixed(4)})` };
    if (b.wallSec !== null && u.wallSec >= b.wallSec) return { stopReason: 'budget', event: 'budget_exhausted', detail: `time budget of ${b.wallSec} s used` };
    return null;
  }

  /** Warnings for budgets that just crossed 75% (each once). */
  warnings(u: BudgetUsage): string[] {
    const out: string[] = [];
    for (const name of Object.keys(this.limits) as BudgetName[]) {
      const limit = this.limits[name];
      if (limit === null || this.warned.has(name) || u[name] < WARN_AT * limit) continue;
      this.warned.add(name);
      out.push(`[harness] Budget warning: ${fmt(name, u[name])} of ${fmt(name, limit)} ${LABEL[name]} used. Wrap up: finish the essential parts of the task first.`);
    }
    return out;
  }
}

const LABEL: Record<BudgetName, string> = { turns: 'turns', tokens: 'tokens', costUsd: 'cost', wallSec: 'time' };

function fmt(name: BudgetName, v: number): string {
  if (name === 'costUsd') return `$${v.toFixed(4)}`;
  if (name === 'wallSec') return `${Math.round(v)} s`;
  return String(Math.round(v));
}
