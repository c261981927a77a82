/**
 * Which process owns something (a container, a results folder), and whether it is still alive. A process is named by
 * host, pid and its start time in clock ticks since boot, so a pid the kernel gave to a later process is not mistaken
 * for the owner.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** `host/pid/start-ticks`: identifies this process even after its pid is reused. */
export function ownerId(pid = process.pid): string {
  return `${os.hostname()}/${pid}/${processStartTicks(pid) ?? '?'}`;
}

/** When the process started, in clock ticks since boot (`/proc/PID/stat` field 22); null where there is no /proc. */
export function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) counted after the parenthesised command name, which may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the process that wrote `owner` is still alive. Unknown hosts count as alive: never sweep those. */
export function ownerAlive(owner: string | undefined): boolean {
  if (!owner) return false;
  const [host, pidText, ticks] = owner.split('/');
  if (host !== os.hostname()) return true;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const now = processStartTicks(pid);
  return ticks === '?' || now === null || now === ticks;
}
