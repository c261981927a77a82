/** The plan: tasks × harnesses × trials, trial-major so a partial run covers every task and harness evenly. */
import type { Harness } from '../harness/harness.js';
import { trialIdentity, type TrialIdentity } from '../records/trial-result.js';
import type { Task } from '../tasks/task.js';
import type { TrialSpec } from './trial.js';

export function buildPlan(tasks: Task[], harnesses: Harness[], trials: number): TrialSpec[] {
  const plan: TrialSpec[] = [];
  for (let trial = 1; trial <= trials; trial++) {
    for (const task of tasks) {
      for (const harness of harnesses) plan.push({ id: trialIdentity(task.id, harness.descriptor.name, trial), task, harness });
    }
  }
  return plan;
}

/** The plan's trial identities from names alone (what a run record holds), in the same order as buildPlan. */
export function buildPlanKeys(taskIds: string[], harnessNames: string[], trials: number): TrialIdentity[] {
  const keys: TrialIdentity[] = [];
  for (let trial = 1; trial <= trials; trial++) {
    for (const task of taskIds) for (const harness of harnessNames) keys.push(trialIdentity(task, harness, trial));
  }
  return keys;
}
