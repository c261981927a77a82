/** What the agent needs to know about the trial that HarnessStepContext does not say directly. */
import path from 'node:path';

/**
 * The trial number, read from the trial folder's name `<task>__<harness>__<n>` (src/runner/plan.ts names it so).
 * 1 when the folder is not named that way (a harness run outside the runner).
 */
export function trialNumberFromDir(trialDir: string): number {
  const last = path.basename(trialDir).split('__').pop() ?? '';
  return /^\d+$/.test(last) ? Number(last) : 1;
}

/**
 * The simulated model's seed for one step. The harness name is left out on purpose: every harness variant faces the
 * same random draws on the same trial (common random numbers), which sharpens paired comparisons.
 */
export function simulationSeed(runSeed: string, taskId: string, trial: number, stepName: string): string {
  return `${runSeed}:${taskId}:${trial}:${stepName}`;
}
