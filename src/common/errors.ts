/**
 * Errors with a stable code. The CLI maps codes to exit codes in one place (cli/exit-codes.ts);
 * the runner maps them to a trial's `error.class`. Messages are one line and say how to fix the problem.
 */
export type ErrorCode =
  | 'TASK_INVALID'
  | 'HARNESS_INVALID'
  | 'HARNESS_NOT_FOUND'
  | 'USAGE'
  | 'DOCKER_UNAVAILABLE'
  | 'DOCKER_API'
  | 'IMAGE_BUILD'
  | 'VERIFIER'
  | 'RESUME_MISMATCH'
  | 'RESULTS'
  | 'MODEL_API'
  | 'HEALTHCHECK'
  | 'INTERRUPTED';

export class HbenchError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A task folder that cannot be read: names the file and the field. */
export class TaskError extends HbenchError {
  constructor(readonly file: string, readonly field: string | undefined, problem: string, fix?: string) {
    super('TASK_INVALID', `${file}${field ? `: ${field}` : ''}: ${problem}${fix ? ` (${fix})` : ''}`);
  }
}

/** A harness file with a wrong field, or a harness name that resolves to nothing. */
export class HarnessError extends HbenchError {
  constructor(code: 'HARNESS_INVALID' | 'HARNESS_NOT_FOUND', message: string) {
    super(code, message);
  }
}

export class UsageError extends HbenchError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

export class DockerUnavailableError extends HbenchError {
  constructor(detail: string) {
    super(
      'DOCKER_UNAVAILABLE',
      `no Docker engine is reachable (${detail}); start Docker or set DOCKER_HOST, or run \`bash docker/setup.sh\` on Debian as root`,
    );
  }
}

export class DockerApiError extends HbenchError {
  constructor(what: string, cause: unknown) {
    super('DOCKER_API', `Docker API error while ${what}: ${oneLine(errorMessage(cause))}`, { cause });
  }
}

export class ImageBuildError extends HbenchError {
  constructor(readonly dockerfile: string, detail: string, readonly logFile?: string) {
    super('IMAGE_BUILD', `${dockerfile}: image build failed: ${oneLine(detail)} (fix the Dockerfile${logFile ? `; build log: ${logFile}` : ''})`);
  }
}

export class VerifierError extends HbenchError {
  constructor(message: string) {
    super('VERIFIER', message);
  }
}

export class ResumeMismatchError extends HbenchError {
  constructor(message: string) {
    super('RESUME_MISMATCH', message);
  }
}

export class ResultsError extends HbenchError {
  constructor(message: string) {
    super('RESULTS', message);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

export function oneLine(text: string, max = 400): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A task's healthcheck never passed: the environment was not ready, so the trial could not start (infrastructure). */
export class HealthcheckError extends HbenchError {
  constructor(message: string) {
    super('HEALTHCHECK', message);
  }
}
