/**
 * A results-store file system that refuses writes on purpose, for tests of storage faults. It passes every call to
 * node:fs until the write chosen by `at` comes; from then on the disk stays broken the way the fault says:
 * - ENOSPC (disk full): every write that adds data fails; truncating, removing and flushing still work (they free
 *   space). With `partial`, the first failing write of an open file writes half its bytes first (a short write),
 *   as a real disk that fills mid-write does.
 * - EROFS (read-only) and EACCES (refused): every change fails, cutting back and removing included.
 * - EIO (the disk failing): every change fails, flushing included.
 */
import { NODE_FS, type StoreFs } from '../runner/results-store.js';

export type FaultCode = 'ENOSPC' | 'EROFS' | 'EACCES' | 'EIO';

/** One write, in the order the store made them; `file` is the path (for writes on an open file, its path too). */
export interface Write {
  op: 'open' | 'write' | 'fsync' | 'ftruncate' | 'append' | 'writeFile' | 'rename' | 'rm' | 'mkdir' | 'truncate';
  file: string;
}

export interface FaultPlan {
  code: FaultCode;
  /** Whether this write is the first to fail (called for each write until one is). */
  at(write: Write): boolean;
  partial?: boolean;
}

const MESSAGES: Record<FaultCode, string> = {
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EIO: 'i/o error',
};

/** Ops that a full disk still allows. */
const FREEING = new Set<Write['op']>(['ftruncate', 'truncate', 'rm', 'fsync', 'rename']);

/** `at` for the nth (1-based) write matching `match`. */
export function nth(n: number, match: (w: Write) => boolean): (w: Write) => boolean {
  let seen = 0;
  return (w) => match(w) && ++seen === n;
}

export class FaultyFs implements StoreFs {
  /** Every write, in order. */
  readonly writes: Write[] = [];
  /** The write that failed first, once one has. */
  tripped: Write | null = null;
  private readonly files = new Map<number, string>();
  private shortWritten = false;

  constructor(readonly plan: FaultPlan) {}

  /** Throws the fault when the disk is (or with this write becomes) broken for `w`. */
  private check(w: Write): void {
    this.writes.push(w);
    if (!this.tripped && this.plan.at(w)) this.tripped = w;
    if (!this.tripped) return;
    const { code } = this.plan;
    if (code === 'ENOSPC' && FREEING.has(w.op)) return;
    if (code !== 'EIO' && w.op === 'fsync') return;
    throw errnoError(code, w);
  }

  openSync(file: string, flags: 'a'): number {
    this.check({ op: 'open', file });
    const fd = NODE_FS.openSync(file, flags);
    this.files.set(fd, file);
    return fd;
  }
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number {
    const w: Write = { op: 'write', file: this.files.get(fd) ?? `fd ${fd}` };
    const wasTripped = this.tripped !== null;
    try {
      this.check(w);
    } catch (err) {
      // The write that fills the disk first gets half its bytes in; the next attempt hits the full disk.
      if (!wasTripped && this.plan.partial && !this.shortWritten && length > 1) {
        this.shortWritten = true;
        return NODE_FS.writeSync(fd, buffer, offset, Math.floor(length / 2));
      }
      throw err;
    }
    return NODE_FS.writeSync(fd, buffer, offset, length);
  }
  fsyncSync(fd: number): void {
    this.check({ op: 'fsync', file: this.files.get(fd) ?? `fd ${fd}` });
    NODE_FS.fsyncSync(fd);
  }
  fstatSync(fd: number): { size: number } {
    return NODE_FS.fstatSync(fd);
  }
  ftruncateSync(fd: number, length: number): void {
    this.check({ op: 'ftruncate', file: this.files.get(fd) ?? `fd ${fd}` });
    NODE_FS.ftruncateSync(fd, length);
  }
  closeSync(fd: number): void {
    this.files.delete(fd);
    NODE_FS.closeSync(fd);
  }
  appendFileSync(file: string, data: string): void {
    this.check({ op: 'append', file });
    NODE_FS.appendFileSync(file, data);
  }
  async writeFile(file: string, data: string | Uint8Array): Promise<void> {
    this.check({ op: 'writeFile', file });
    await NODE_FS.writeFile(file, data);
  }
  async rename(from: string, to: string): Promise<void> {
    this.check({ op: 'rename', file: to });
    await NODE_FS.rename(from, to);
  }
  async rm(target: string, options: { recursive?: boolean; force: true }): Promise<void> {
    this.check({ op: 'rm', file: target });
    await NODE_FS.rm(target, options);
  }
  async mkdir(dir: string, options: { recursive: true }): Promise<unknown> {
    this.check({ op: 'mkdir', file: dir });
    return NODE_FS.mkdir(dir, options);
  }
  async truncate(file: string, length: number): Promise<void> {
    this.check({ op: 'truncate', file });
    await NODE_FS.truncate(file, length);
  }
}

/** An error shaped like node:fs's: writes on an open file name no path, as the real ones do. */
function errnoError(code: FaultCode, w: Write): NodeJS.ErrnoException {
  const onFd = w.op === 'write' || w.op === 'fsync' || w.op === 'ftruncate';
  const err: NodeJS.ErrnoException = new Error(`${code}: ${MESSAGES[code]}, ${w.op}${onFd ? '' : ` '${w.file}'`}`);
  err.code = code;
  err.syscall = w.op;
  if (!onFd) err.path = w.file;
  return err;
}
