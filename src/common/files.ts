/** File-system helpers every layer uses: listing a tree, and plain existence checks. */
import { readdir, readFile } from 'node:fs/promises';
import { lstatSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';

/** Every regular file under `dir`, as sorted paths relative to it (symlinks are followed as files). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    for (const entry of entries) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile() || entry.isSymbolicLink()) out.push(child);
    }
  }
  await walk('');
  return out.sort();
}

export function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** What a file the user named must not exceed: config and instruction files are read whole into memory. */
export const MAX_TEXT_FILE_BYTES = 1024 * 1024;

/** Why a file cannot be read as text, in words for a one-line error. */
export interface FileProblem {
  problem: string;
  fix: string;
}

/**
 * Reads a small text file the user named, refusing what would hang or swamp the process: a folder, a FIFO or device
 * (reading one blocks), a dangling symbolic link or a loop of them, or a file over `maxBytes` (checked before reading).
 */
export async function readTextFile(file: string, maxBytes = MAX_TEXT_FILE_BYTES): Promise<{ text: string } | { error: FileProblem; missing: boolean }> {
  const problem = fileProblem(file, maxBytes);
  if (problem) return { error: problem, missing: problem.problem === 'missing' };
  try {
    return { text: await readFile(file, 'utf8') };
  } catch (err) {
    return { error: { problem: `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, fix: "check the file's permissions" }, missing: false };
  }
}

/** The problem `readTextFile` would report, without reading: null for a regular file within the size limit. */
export function fileProblem(file: string, maxBytes = MAX_TEXT_FILE_BYTES): FileProblem | null {
  let link;
  try {
    link = lstatSync(file);
  } catch {
    return { problem: 'missing', fix: 'create it' };
  }
  let info;
  try {
    info = statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { problem: 'is a loop of symbolic links', fix: 'replace the link with the file itself' };
    if (link.isSymbolicLink()) return { problem: `is a symbolic link to ${readlinkSafe(file)}, which does not exist`, fix: 'point the link at an existing file, or replace it with the file' };
    return { problem: `cannot be read (${code})`, fix: "check the file's permissions" };
  }
  if (info.isDirectory()) return { problem: 'is a folder, not a file', fix: 'replace the folder with the file' };
  if (!info.isFile()) return { problem: 'is not a regular file (a FIFO, socket or device, which would block reading)', fix: 'replace it with a regular file' };
  if (info.size > maxBytes) return { problem: `is ${formatBytes(info.size)}, over the ${formatBytes(maxBytes)} limit for this file`, fix: `keep it under ${formatBytes(maxBytes)}` };
  return null;
}

/** True when something (a file, folder, FIFO, or link, even a broken one) is at `p`. */
export function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function readlinkSafe(file: string): string {
  try {
    return readlinkSync(file);
  } catch {
    return '?';
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(n % 1024 ** 2 ? 1 : 0)} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} bytes`;
}
