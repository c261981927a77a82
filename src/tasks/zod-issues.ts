import type { z } from 'zod';
import { TaskError } from '../common/errors.js';

/** Turns the first zod issue into a TaskError naming the file and the dotted field path. */
export function taskErrorFromZod(file: string, error: z.ZodError, example?: (field: string) => string | undefined): TaskError {
  const issue = error.issues[0]!;
  const field = issue.path.map(String).join('.') || undefined;
  const fix = field ? example?.(field) : undefined;
  // A bad key of a table (a service name, say): zod says only "Invalid key in record"; the key's own issue says why.
  const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  return new TaskError(file, field, message, fix);
}
