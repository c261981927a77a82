import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readlink, stat } from 'node:fs/promises';
import { TaskError } from '../common/errors.js';
import { fileProblem, listFiles } from '../common/files.js';
import path from 'node:path';

/**
 * Hash of file names, modes and contents under each folder, plus extra strings. Stable across machines. Files are
 * streamed (a task may carry large test data); a link that leads nowhere (dangling, or a loop) stops with its name.
 */
export async function hashTree(dirs: string[], extra: string[] = []): Promise<string> {
  const hash = createHash('sha256');
  for (const value of extra) hash.update(`x:${value}\0`);
  for (const dir of dirs) {
    hash.update(`d:${path.basename(dir)}\0`);
    for (const rel of await listFiles(dir)) {
      const full = path.join(dir, rel);
      const info = await stat(full).catch(() => null);
      if (!info || (!info.isFile() && !info.isDirectory())) {
        const p = fileProblem(full, Number.POSITIVE_INFINITY) ?? { problem: 'is not a regular file (a FIFO, socket or device)', fix: 'replace it with a regular file' };
        throw new TaskError(full, undefined, p.problem, `${p.fix}, or remove it from the task folder`);
      }
      if (info.isDirectory()) {
        // A link to a folder: its target names it (Docker sends the link itself in a build context).
        hash.update(`l:${rel}\0${await readlink(full)}\0`);
        continue;
      }
      hash.update(`f:${rel}\0${info.mode & 0o111 ? 'x' : '-'}\0${info.size}\0`);
      await streamInto(hash, full);
    }
  }
  return hash.digest('hex');
}

function streamInto(hash: Hash, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve())
      .on('error', (err) => reject(new TaskError(file, undefined, `cannot be read (${(err as NodeJS.ErrnoException).code ?? err.message})`, "check the file's permissions")));
  });
}
