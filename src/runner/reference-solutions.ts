/**
 * The reference solutions the SIMULATED model plays from, read from the task folders once per task step. The runner
 * hands them to the simulated model's constructor; no other model, and no harness, ever sees them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { listFiles } from '../common/files.js';
import type { ReferenceSolutions, SimSolution } from '../models/simulated/simulated-model.js';
import { splitScript } from '../models/simulated/split-script.js';
import type { Task, TaskStep } from '../tasks/task.js';

export function referenceSolutions(tasks: Task[]): ReferenceSolutions {
  const byTask = new Map(tasks.map((t) => [t.id, t]));
  const cache = new Map<string, Promise<SimSolution | null>>();
  return (taskId, taskStep) => {
    const key = `${taskId}\0${taskStep}`;
    let found = cache.get(key);
    if (!found) {
      const step = byTask.get(taskId)?.steps.find((s) => s.name === taskStep);
      found = step ? solutionOf(step) : Promise.resolve(null);
      cache.set(key, found);
    }
    return found;
  };
}

async function solutionOf(step: TaskStep): Promise<SimSolution | null> {
  const s = step.solution;
  if (!s) return null;
  if (s.kind === 'commands') return { commands: s.commands, files: [] };
  const script = await readFile(path.join(s.dir, s.script), 'utf8');
  const files = s.scriptOnly
    ? []
    : await Promise.all(
        (await listFiles(s.dir)).filter((f) => f !== s.script).map(async (f) => ({ path: `/solution/${f}`, content: await readFile(path.join(s.dir, f), 'utf8') })),
      );
  return { commands: splitScript(script).map((c) => c.command), files };
}
