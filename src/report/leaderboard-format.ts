/** Cell texts shared by the leaderboard's Markdown and HTML forms, so both say the same thing. */
import type { LeaderboardRow } from './leaderboard.js';

export function modelText(row: LeaderboardRow): string {
  if (!row.model) return 'none';
  return row.model.simulated ? `${row.model.id} (SIMULATED)` : row.model.id;
}

export function trialsPerTaskText(row: LeaderboardRow): string {
  const { min, max } = row.trialsPerTask;
  return min === max ? String(min) : `${min}–${max}`;
}

/** Minutes are enough to tell runs apart; UTC so every reader sees the same date. */
export function dateText(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function tokensText(x: number | null): string {
  return x === null ? '–' : Math.round(x).toLocaleString('en-US');
}

export function costText(x: number | null): string {
  return x === null ? '–' : `$${x.toFixed(4)}`;
}

export const SIMULATED_BANNER = 'SIMULATED model: rows marked SIMULATED ran a scripted stand-in, not a real LLM; their pass rates say nothing about a real model.';
