/** The one place errors become exit codes. */
import { HbenchError, type ErrorCode } from '../common/errors.js';

export const EXIT = {
  ok: 0,
  /** The run finished but something failed (trials errored, a task is broken, a regression). */
  failed: 1,
  /** Bad input: usage, task or harness files, results folder. */
  usage: 2,
  /**
   * What the run needs is not there: no Docker engine, the model API stayed unreachable until the circuit breaker
   * stopped the run (`--max-model-failures`), or the results folder refuses writes (disk full, read-only, I/O error).
   * What was recorded stays valid; fix the cause and finish with `hbench run --resume DIR`.
   */
  environment: 3,
  interrupted: 130,
} as const;

const BY_CODE: Partial<Record<ErrorCode, number>> = {
  USAGE: EXIT.usage,
  TASK_INVALID: EXIT.usage,
  HARNESS_INVALID: EXIT.usage,
  HARNESS_NOT_FOUND: EXIT.usage,
  RESUME_MISMATCH: EXIT.usage,
  RESULTS: EXIT.usage,
  DOCKER_UNAVAILABLE: EXIT.environment,
  STORAGE: EXIT.environment,
  INTERRUPTED: EXIT.interrupted,
};

export function exitCodeFor(err: unknown): number {
  return err instanceof HbenchError ? (BY_CODE[err.code] ?? EXIT.failed) : EXIT.failed;
}
