/**
 * `--model sim:PROFILE`: named parameter sets of the SIMULATED model, and its nominal price and latency, so token,
 * cost and wall-time budgets can bind in simulated runs. Every value is recorded in run.json (`model.provider`).
 */
import { UsageError } from '../../common/errors.js';

export interface SimProfile {
  /** Chance of a mistake at each command. */
  mistakeRate: number;
  /** Share of mistakes that silently succeed (the rest fail, half loudly, half quietly). */
  silentShare: number;
  /** Chance of a reply with malformed tool-call JSON. */
  malformedRate: number;
  /** Nominal USD per million tokens (simulated: no money is spent), so cost budgets can bind. */
  pricePerMTok: { input: number; output: number };
  /** Deterministic latency of one call: a fixed part plus a part per output token. */
  latencyMs: { perCall: number; perOutputToken: number };
}

const BASE: SimProfile = {
  mistakeRate: 0.15,
  silentShare: 0.4,
  malformedRate: 0.02,
  pricePerMTok: { input: 1, output: 4 },
  latencyMs: { perCall: 10, perOutputToken: 0.2 },
};

export const SIM_PROFILES: Record<string, SimProfile> = {
  default: BASE,
  /** Few mistakes, most of them loud. */
  careful: { ...BASE, mistakeRate: 0.05, silentShare: 0.25 },
  /** Many mistakes, many of them silent. */
  sloppy: { ...BASE, mistakeRate: 0.3, silentShare: 0.55, malformedRate: 0.05 },
};

export function simProfile(name: string): SimProfile {
  const profile = SIM_PROFILES[name || 'default'];
  if (!profile) throw new UsageError(`--model sim:${name}: unknown simulated-model profile (known: ${Object.keys(SIM_PROFILES).join(', ')})`);
  return profile;
}
