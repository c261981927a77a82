import type { z } from 'zod';
import { TaskError } from '../common/errors.js';

/** Turns the first zod issue into a TaskError naming the file and the dotted field path. */
export function taskErrorFromZod(file: string, error: z.ZodError, example?: (field: string) => string | undefined): TaskError {
  const issue = error.issues[0]!;
  const field = issue.path.map(String).join('.') || undefined;
  const fix = field ? example?.(field) : undefined;
  return new TaskError(file, field, issue.message, fix);
}
