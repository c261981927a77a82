/** Reads one file of a task as text, or stops with a TaskError naming it, what is wrong and the fix. */
import { TaskError } from '../common/errors.js';
import { readTextFile } from '../common/files.js';

/** `missingFix` says what to do when the file is not there (each file of a task has its own purpose). */
export async function readTaskFile(file: string, missingFix: string): Promise<string> {
  const read = await readTextFile(file);
  if ('text' in read) return read.text;
  throw new TaskError(file, undefined, read.error.problem, read.missing ? missingFix : read.error.fix);
}
