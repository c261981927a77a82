/**
 * Errors with a stable code. The CLI maps codes to exit codes in one place (cli/exit-codes.ts);
 * the runner maps them to a trial's `error.class`. Messages are one line and say how to fix the problem.
 */
import { isAbsolute, relative, resolve } from 'node:path';

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
  | 'STORAGE'
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

/** What each file-system error that stops a run means, and what the user does about it. */
const STORAGE_FAULTS: Record<string, { what: string; fix: (dir: string) => string }> = {
  ENOSPC: { what: 'no space left on the device', fix: (dir) => `free space on the disk holding ${dir}` },
  EDQUOT: { what: 'disk quota exceeded', fix: (dir) => `free space (or raise the quota) on the disk holding ${dir}` },
  EROFS: { what: 'read-only file system', fix: (dir) => `make ${dir} writable (remount it read-write)` },
  EACCES: { what: 'permission denied', fix: (dir) => `make ${dir} writable` },
  EPERM: { what: 'operation not permitted', fix: (dir) => `make ${dir} writable` },
  EIO: { what: 'input/output error', fix: (dir) => `check the disk holding ${dir}` },
};
/** Codes that are the disk's whatever the file; an error of one without a file (a write on an open file) counts. */
const DISK_WIDE = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO']);

/**
 * The results folder cannot be written (disk full, read-only, refused, I/O error). The run stops at once: nothing
 * it did after this could be recorded. What is already in trials.jsonl stays valid, so --resume finishes the run.
 */
export class StorageError extends HbenchError {
  constructor(readonly file: string, readonly osCode: string, readonly dir: string, options?: { cause?: unknown }) {
    const fault = STORAGE_FAULTS[osCode] ?? { what: 'write failed', fix: (d: string) => `make ${d} writable` };
    super('STORAGE', `${file}: cannot write (${osCode}: ${fault.what}); ${fault.fix(dir)}, then finish with hbench run --resume ${dir}`, options);
  }
}

/**
 * The storage fault behind `err` (itself or a cause), as a StorageError of results folder `dir`; null when `err` is
 * not one. `file` names the file being written when the caller knows it (a write on an open file fails without a
 * path). A file-system error about a file outside `dir` is not the results folder's fault.
 */
export function storageFaultOf(err: unknown, dir: string, file?: string): StorageError | null {
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof StorageError) return file && e.file !== file ? new StorageError(file, e.osCode, e.dir, { cause: err }) : e;
    const { code, path: own } = e as { code?: unknown; path?: unknown };
    if (typeof code !== 'string' || !STORAGE_FAULTS[code]) continue;
    const at = file ?? (typeof own === 'string' ? own : undefined);
    if (at ? isInside(at, dir) : DISK_WIDE.has(code)) return new StorageError(at ?? dir, code, dir, { cause: err });
  }
  return null;
}

function isInside(file: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(file));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
