import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
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

/** Hash of file names, modes and contents under each folder, plus extra strings. Stable across machines. */
export async function hashTree(dirs: string[], extra: string[] = []): Promise<string> {
  const hash = createHash('sha256');
  for (const value of extra) hash.update(`x:${value}\0`);
  for (const dir of dirs) {
    hash.update(`d:${path.basename(dir)}\0`);
    for (const rel of await listFiles(dir)) {
      const full = path.join(dir, rel);
      const [content, info] = await Promise.all([readFile(full), stat(full)]);
      hash.update(`f:${rel}\0${info.mode & 0o111 ? 'x' : '-'}\0${content.length}\0`);
      hash.update(content);
    }
  }
  return hash.digest('hex');
}
