/**
 * The reference solution of a task step as the simulated model receives it (ChatRequest.simulation.solution):
 * the logical commands of solve.sh (or a TB1 solution's commands as given) and the other files of the solution
 * folder, which the oracle would find under /solution.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChatRequest } from '../provider.js';
import { listFiles } from '../../tasks/hash.js';
import type { TaskSolution } from '../../tasks/task.js';
import { splitShellScript } from './shell-split.js';

export type SimulationInput = NonNullable<ChatRequest['simulation']>;
export type SimSolution = NonNullable<SimulationInput['solution']>;

/** Where the oracle puts a script solution's folder; extra files are recreated there. */
export const SOLUTION_DIR = '/solution';

export async function simSolutionFromStep(solution: TaskSolution | null): Promise<SimSolution | null> {
  if (!solution) return null;
  const env = Object.entries(solution.env).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  if (solution.kind === 'commands') return { commands: [...env, ...solution.commands], files: [] };
  const script = await readFile(path.join(solution.dir, solution.script), 'utf8');
  const files: SimSolution['files'] = [];
  if (!solution.scriptOnly) {
    for (const rel of await listFiles(solution.dir)) {
      if (rel === solution.script) continue;
      files.push({ path: `${SOLUTION_DIR}/${rel}`, content: await readFile(path.join(solution.dir, rel), 'utf8') });
    }
  }
  return { commands: [...env, ...splitShellScript(script)], files };
}

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
