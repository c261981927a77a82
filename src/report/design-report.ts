/** `hbench plan` as text: the design table, and what the run at hand can detect. */
import type { DesignInputs, DesignRow } from '../scoring/power.js';
import { designTable, diffSd } from '../scoring/power.js';
import { num, signedPct } from './format.js';
import { formatTable } from './table.js';

export interface CurrentDesign {
  tasks: number;
  trialsPerTask: number;
  mde: number;
  observedSdDiff: number;
}

export interface DesignReport {
  delta: number;
  power: number;
  alpha: number;
  inputs: DesignInputs;
  rows: DesignRow[];
  current: CurrentDesign | null;
  /** Where the inputs came from (a pair of result sides, or stated numbers). */
  source: string;
}

export function designText(d: DesignReport): string {
  let out = `Detecting ${signedPct(d.delta)} with power ${d.power} at α = ${d.alpha} (paired over tasks)\n${d.source}\n\n`;
  out += `${formatTable(['trials per task', 'SD of per-task diff', 'tasks needed', 'total trials (both sides)'], d.rows.map((r) => [r.trialsPerTask, num(r.sdDiff, 3), r.tasks ?? '> 100000', r.totalTrials ?? '–']))}\n`;
  const c = d.current;
  if (c) {
    const needed = d.rows.find((r) => r.trialsPerTask === c.trialsPerTask)?.tasks ?? designTable(d.delta, d.inputs, d.power, d.alpha, [c.trialsPerTask])[0]!.tasks ?? '> 100000';
    out += `\nThe run at hand: ${c.tasks} tasks × ${c.trialsPerTask} trials detects differences of ${signedPct(c.mde)} or more with power ${d.power} (minimum detectable effect).\n`;
    out += `With ${c.trialsPerTask} trials per task, ${signedPct(d.delta)} needs ${needed} tasks (SD ${num(diffSd(d.inputs, c.trialsPerTask), 3)}).\n`;
  }
  return out;
}
