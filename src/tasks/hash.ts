import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { listFiles } from '../common/files.js';
import path from 'node:path';

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
