/** YAML of a task (task.yaml, solution.yaml, docker-compose.yaml) → a value, or a TaskError naming the line and the fix. */
import { YAMLError, parse as parseYaml } from 'yaml';
import { TaskError, errorMessage, oneLine } from '../common/errors.js';

export function parseTaskYaml(file: string, text: string): unknown {
  try {
    return parseYaml(text);
  } catch (err) {
    throw yamlTaskError(file, err);
  }
}

export function yamlTaskError(file: string, err: unknown): TaskError {
  const line = err instanceof YAMLError ? err.linePos?.[0]?.line : undefined;
  // The yaml package's message ends in a code frame; its first line says what is wrong and where.
  const what = oneLine(errorMessage(err).split('\n')[0] ?? '', 200);
  return new TaskError(file, line ? `line ${line}` : undefined, `not valid YAML: ${what}`, `fix the YAML syntax${line ? ` on line ${line}` : ''}`);
}
