/** What a run cost the host: bytes in its results folder, and a process's peak resident memory. */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(path.join(e.parentPath, e.name))).size;
  }
  return total;
}

/** The peak resident memory (VmHWM) of a live process on this machine, in bytes; 0 once it is gone. */
export async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

/** Samples a process's peak memory until `done` settles; the highest sample. */
export async function peakRssDuring(pid: number, done: Promise<unknown>, everyMs = 250): Promise<number> {
  let peak = 0;
  const timer = setInterval(() => void peakRss(pid).then((b) => (peak = Math.max(peak, b))), everyMs);
  try {
    await done;
  } finally {
    clearInterval(timer);
  }
  return peak;
}
