/**
 * One writer per results folder. A runner (`run`, `run --resume`, `run --shard`, a merge's folder) holds
 * `DIR/.hbench.lock` from before it writes anything until after its last write; a second one is refused with the
 * owner's pid, host and start time. The file names its owner as the container labels do (host, pid, process start
 * ticks), so a lock left by a killed process (kill -9) is recognised as dead and taken over. A lock written on another
 * host cannot be checked from here and counts as alive: the message says to remove the file if that machine is gone.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, rmdirSync, unlinkSync } from 'node:fs';
import { link, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ResultsError } from '../common/errors.js';
import { ownerAlive, processStartTicks } from '../common/process-owner.js';

export const LOCK_FILE = '.hbench.lock';

/** What `.hbench.lock` holds. */
export interface LockOwner {
  pid: number;
  host: string;
  /** Process start time in clock ticks since boot; null where the host has no /proc. */
  startTicks: string | null;
  /** The command line that took the lock, for the user. */
  command: string;
  startedAt: string;
}

/** The folder is being written by another live process. Exit code 2, like every results-folder error. */
export class RunLockedError extends ResultsError {
  constructor(
    readonly dir: string,
    readonly owner: LockOwner,
  ) {
    const remote = owner.host !== os.hostname();
    super(
      `${dir} is in use by another hbench process: pid ${owner.pid} on ${owner.host}, started ${owner.startedAt} (${owner.command}); ` +
        (remote
          ? `wait for it to finish, or if ${owner.host} is gone, remove ${path.join(dir, LOCK_FILE)}`
          : `wait for it to finish or stop it, then try again`),
    );
  }
}

export interface AcquireOptions {
  /** Shown to whoever is refused; defaults to this process's command line. */
  command?: string;
  /** Called when a lock left by a dead process was replaced (null: the file could not be read). */
  onTakeover?(stale: LockOwner | null): void;
}

export class RunLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(
    readonly dir: string,
    readonly file: string,
    /** The exact text written: the lock is ours only while the file still holds it. */
    private readonly text: string,
    /** Whether acquiring made the folder: an empty folder is removed again on release. */
    private readonly madeDir: boolean,
  ) {
    // process.exit (a second Ctrl+C) skips every finally; kill -9 skips this too, and the next start takes over.
    process.on('exit', this.onExit);
  }

  /** Takes the folder's lock (making the folder if needed), or throws RunLockedError naming the live owner. */
  static async acquire(dir: string, options: AcquireOptions = {}): Promise<RunLock> {
    const made = (await mkdir(dir, { recursive: true })) !== undefined;
    const file = path.join(dir, LOCK_FILE);
    const me: LockOwner = {
      pid: process.pid,
      host: os.hostname(),
      startTicks: processStartTicks(process.pid),
      command: options.command ?? commandLine(),
      startedAt: new Date().toISOString(),
    };
    const text = `${JSON.stringify(me)}\n`;
    // Each turn wins, is refused, or saw the file change under it (released, or taken over by someone else).
    for (let turn = 0; turn < 100; turn++) {
      if (await createExclusive(file, text)) return new RunLock(dir, file, text, made);
      const seen = await readLock(file);
      if (!seen) continue;
      if (seen.owner && isAlive(seen.owner)) throw new RunLockedError(dir, seen.owner);
      const outcome = await replaceDead(file, seen.text, text);
      if (outcome === 'done') {
        options.onTakeover?.(seen.owner);
        return new RunLock(dir, file, text, made);
      }
      if (outcome === 'busy') await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    }
    throw new ResultsError(`${file}: could not take the lock, it kept changing (other hbench processes starting on ${dir}?); try again`);
  }

  /** Removes the lock if it is still ours. Synchronous and idempotent: safe from `finally`, close() and process exit. */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.off('exit', this.onExit);
    try {
      if (readFileSync(this.file, 'utf8') === this.text) unlinkSync(this.file);
    } catch {
      // Already gone (the folder was moved or removed): nothing of ours is left to remove.
    }
    if (this.madeDir) {
      try {
        rmdirSync(this.dir);
      } catch {
        // Not empty: the run wrote into it, and it stays.
      }
    }
  }
}

/** The live process holding `dir`, or null when the folder is free (no lock, or one left by a dead process). */
export async function liveOwner(dir: string): Promise<LockOwner | null> {
  const seen = await readLock(path.join(dir, LOCK_FILE));
  return seen?.owner && isAlive(seen.owner) ? seen.owner : null;
}

/**
 * Refuses a folder another live process is writing, without taking it (a quick check before slow preparation; the
 * lock itself is taken when writing starts). With `removeStale`, a lock left by a dead process is removed.
 */
export async function assertUnlocked(dir: string, options: { removeStale?: boolean } = {}): Promise<void> {
  const file = path.join(dir, LOCK_FILE);
  const seen = await readLock(file);
  if (!seen) return;
  if (seen.owner && isAlive(seen.owner)) throw new RunLockedError(dir, seen.owner);
  if (options.removeStale) await replaceDead(file, seen.text, null);
}

export function describeOwner(owner: LockOwner | null): string {
  return owner ? `pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}` : 'an unreadable lock';
}

function isAlive(owner: LockOwner): boolean {
  return ownerAlive(`${owner.host}/${owner.pid}/${owner.startTicks ?? '?'}`);
}

function commandLine(): string {
  return ['hbench', ...process.argv.slice(2)].join(' ');
}

/**
 * Creates `file` holding `text` only if it does not exist. The text is written whole beside it and hard-linked into
 * place (link fails if the name exists, like O_EXCL), so no reader ever sees a half-written lock. File systems
 * without hard links get open(…, 'wx').
 */
async function createExclusive(file: string, text: string): Promise<boolean> {
  const tmp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  await writeFile(tmp, text);
  try {
    await link(tmp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(text);
      await handle.close();
      return true;
    } catch (err2) {
      if ((err2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err2;
    }
  } finally {
    await rm(tmp, { force: true });
  }
}

/** The lock's text and owner; null if there is no lock; owner null if the file is not a lock this tool wrote. */
async function readLock(file: string): Promise<{ text: string; owner: LockOwner | null } | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ResultsError(`${file}: cannot be read (${(err as Error).message}); check the folder's permissions`);
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    if (Number.isInteger(owner.pid) && typeof owner.host === 'string') return { text, owner };
  } catch {
    // Not JSON: falls through as unreadable.
  }
  return { text, owner: null };
}

/**
 * Replaces (or with null, removes) the lock judged dead, and only that one. Only the holder of the takeover token
 * (`.hbench.lock.takeover`, made exclusively like the lock) touches an existing lock, and a dead owner's lock cannot
 * change by itself: if the token holder still reads the dead text, it is safe to replace. Moving the lock aside or
 * deleting it without the token would let a third process create one in the gap while a second replaced it.
 * 'busy': another process holds the token (try again shortly); 'changed': the lock is no longer the dead one.
 */
async function replaceDead(file: string, deadText: string, replacement: string | null): Promise<'done' | 'busy' | 'changed'> {
  const token = `${file}.takeover`;
  const tokenText = `${JSON.stringify({ pid: process.pid, host: os.hostname(), startTicks: processStartTicks(process.pid), command: 'taking over a dead lock', startedAt: new Date().toISOString() } satisfies LockOwner)}\n`;
  if (!(await createExclusive(token, tokenText))) {
    const holder = await readLock(token);
    // A taker killed within the few milliseconds it held the token: the token alone is left.
    if (holder && !(holder.owner && isAlive(holder.owner))) await removeIfUnchanged(token, holder.text);
    return 'busy';
  }
  try {
    if ((await readLock(file))?.text !== deadText) return 'changed';
    if (replacement === null) {
      await rm(file, { force: true });
    } else {
      const tmp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
      await writeFile(tmp, replacement);
      await rename(tmp, file);
    }
    return 'done';
  } finally {
    await rm(token, { force: true });
  }
}

/**
 * Removes a dead takeover token, and only that one: renamed aside first (a rename has one winner); if what was moved
 * is no longer the dead token, it is put back.
 */
async function removeIfUnchanged(file: string, deadText: string): Promise<void> {
  const aside = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.stale`;
  try {
    await rename(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    if ((await readFile(aside, 'utf8')) === deadText) return;
    // Put back with link, which fails rather than overwrite a token yet another process made in the meantime.
    await link(aside, file).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') await rename(aside, file);
    });
  } finally {
    await rm(aside, { force: true });
  }
}
