import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processStartTicks } from '../common/process-owner.js';
import { tempDir } from '../test-support/cli.js';
import { assertUnlocked, LOCK_FILE, liveOwner, RunLock, RunLockedError, type LockOwner } from './run-lock.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** A real process of this host, with its pid and start ticks. */
async function startProcess(): Promise<{ child: ChildProcess; owner: LockOwner }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  const owner = { pid: child.pid!, host: os.hostname(), startTicks: processStartTicks(child.pid!), command: 'hbench run --resume results/x', startedAt: '2024-05-01T10:00:00.000Z' };
  expect(owner.startTicks).toMatch(/^\d+$/);
  return { child, owner };
}

/** A process that lived on this host and was killed with kill -9: its lock is left, its pid names nobody. */
async function deadOwner(): Promise<LockOwner> {
  const { child, owner } = await startProcess();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return owner;
}

const writeLock = (dir: string, owner: unknown) => writeFile(path.join(dir, LOCK_FILE), typeof owner === 'string' ? owner : `${JSON.stringify(owner)}\n`);
const readLockFile = async (dir: string) => JSON.parse(await readFile(path.join(dir, LOCK_FILE), 'utf8')) as LockOwner;

describe('RunLock', () => {
  it('is taken with this process named (pid, host, start ticks, command, time) and removed on release', async () => {
    const dir = path.join(await tempDir(), 'r');
    const lock = await RunLock.acquire(dir, { command: 'hbench run x' });
    expect(await readLockFile(dir)).toMatchObject({ pid: process.pid, host: os.hostname(), startTicks: processStartTicks(process.pid), command: 'hbench run x' });
    expect((await liveOwner(dir))?.pid).toBe(process.pid);
    await mkdir(path.join(dir, 'trials'));
    lock.release();
    lock.release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    // Only the lock went: what was written stays, and nothing of the lock's making is left beside it.
    expect(await readdir(dir)).toEqual(['trials']);
    expect(await liveOwner(dir)).toBeNull();
    (await RunLock.acquire(dir)).release();
  });

  it('removes the folder again when it made it and nothing was written', async () => {
    const dir = path.join(await tempDir(), 'new');
    (await RunLock.acquire(dir)).release();
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses while a live process on this host holds it, naming its pid, host and start time', async () => {
    const dir = await tempDir();
    const { owner } = await startProcess();
    await writeLock(dir, owner);
    const err = await RunLock.acquire(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunLockedError);
    expect((err as Error).message).toBe(
      `${dir} is in use by another hbench process: pid ${owner.pid} on ${os.hostname()}, started 2024-05-01T10:00:00.000Z (hbench run --resume results/x); wait for it to finish or stop it, then try again`,
    );
    expect((err as RunLockedError).code).toBe('RESULTS');
    await expect(assertUnlocked(dir)).rejects.toThrow(RunLockedError);
    // Refused means untouched.
    expect(await readLockFile(dir)).toEqual(owner);
    expect(await readdir(dir)).toEqual([LOCK_FILE]);
  });

  it('takes over the lock of a process killed with kill -9, saying whose it was', async () => {
    const dir = await tempDir();
    const dead = await deadOwner();
    await writeLock(dir, dead);
    expect(await liveOwner(dir)).toBeNull();
    const stale: Array<LockOwner | null> = [];
    const lock = await RunLock.acquire(dir, { onTakeover: (o) => stale.push(o) });
    expect(stale).toEqual([dead]);
    expect((await readLockFile(dir)).pid).toBe(process.pid);
    lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('counts a reused pid as dead: a live pid whose start ticks differ is not the owner', async () => {
    const dir = await tempDir();
    await writeLock(dir, { pid: process.pid, host: os.hostname(), startTicks: '1', command: 'hbench run', startedAt: '2024-05-01T10:00:00.000Z' });
    (await RunLock.acquire(dir)).release();
  });

  it('takes over a lock file that is not a lock (cut short, edited)', async () => {
    const dir = await tempDir();
    await writeLock(dir, '{"pid": 12');
    const stale: Array<LockOwner | null> = [];
    (await RunLock.acquire(dir, { onTakeover: (o) => stale.push(o) })).release();
    expect(stale).toEqual([null]);
  });

  it('counts a lock of another host as alive, and says to remove the file if that machine is gone', async () => {
    const dir = await tempDir();
    await writeLock(dir, { pid: 4242, host: 'elsewhere.example', startTicks: '99', command: 'hbench run --shard 1/2', startedAt: '2024-05-01T10:00:00.000Z' });
    await expect(RunLock.acquire(dir)).rejects.toThrow(`pid 4242 on elsewhere.example, started 2024-05-01T10:00:00.000Z (hbench run --shard 1/2); wait for it to finish, or if elsewhere.example is gone, remove ${path.join(dir, LOCK_FILE)}`);
  });

  it('lets exactly one of many concurrent acquirers win, on a free folder and on a dead owner\'s lock', async () => {
    const dead = await deadOwner();
    // Start times a few milliseconds apart, so that over the rounds each step of one taker meets every step of another.
    for (let round = 0; round < 60; round++) {
      const dir = await tempDir();
      if (round % 4 !== 0) await writeLock(dir, dead);
      const tries = await Promise.allSettled(
        Array.from({ length: 6 }, async (_, i) => {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
          return RunLock.acquire(dir, { command: `taker ${i}` });
        }),
      );
      const won = tries.flatMap((t, i) => (t.status === 'fulfilled' ? [{ lock: t.value, command: `taker ${i}` }] : []));
      for (const t of tries) if (t.status === 'rejected') expect(t.reason).toBeInstanceOf(RunLockedError);
      expect(won.map((w) => w.command)).toHaveLength(1);
      // The file names the winner, and nothing the takers wrote aside is left.
      expect((await readLockFile(dir)).command).toBe(won[0]!.command);
      expect(await readdir(dir)).toEqual([LOCK_FILE]);
      won[0]!.lock.release();
      expect(await readdir(dir)).toEqual([]);
    }
  });

  it('does not remove a lock that is no longer its own', async () => {
    const dir = await tempDir();
    const lock = await RunLock.acquire(dir);
    const { owner } = await startProcess();
    await writeLock(dir, owner);
    lock.release();
    expect(await readLockFile(dir)).toEqual(owner);
  });

  it('assertUnlocked passes a free folder and, asked to, removes a dead owner\'s lock', async () => {
    const dir = await tempDir();
    await assertUnlocked(dir);
    await assertUnlocked(path.join(dir, 'absent'));
    await writeLock(dir, await deadOwner());
    await assertUnlocked(dir);
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(true);
    await assertUnlocked(dir, { removeStale: true });
    expect(await readdir(dir)).toEqual([]);
  });
});
