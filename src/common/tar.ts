/** In-memory tar archives for Docker's archive API (put and get). */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { listFiles } from './files.js';

export interface TarEntry {
  /** Path inside the archive, relative (no leading slash). */
  name: string;
  content: Buffer;
  mode: number;
}

/** Packs entries, adding directory entries for every ancestor so extraction at `/` creates them. */
export async function packEntries(entries: TarEntry[], dirs: string[] = []): Promise<Buffer> {
  const pack = tar.pack();
  const seen = new Set<string>();
  const addDir = (dir: string) => {
    const parts = dir.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (seen.has(d)) continue;
      seen.add(d);
      pack.entry({ name: `${d}/`, type: 'directory', mode: 0o755 });
    }
  };
  for (const dir of dirs) addDir(dir);
  for (const entry of entries) {
    addDir(path.posix.dirname(entry.name) === '.' ? '' : path.posix.dirname(entry.name));
    pack.entry({ name: entry.name, mode: entry.mode, size: entry.content.length }, entry.content);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Entries for every file of a host folder, placed under `destDir` (absolute, in the container). */
export async function entriesFromDir(hostDir: string, destDir: string): Promise<TarEntry[]> {
  const prefix = destDir.replace(/^\/+/, '').replace(/\/+$/, '');
  const files = await listFiles(hostDir);
  return Promise.all(
    files.map(async (rel) => {
      const full = path.join(hostDir, rel);
      const [content, info] = await Promise.all([readFile(full), stat(full)]);
      // Scripts keep their executable bit; everything is readable by any user in the container.
      return { name: prefix ? `${prefix}/${rel}` : rel, content, mode: (info.mode & 0o111 ? 0o755 : 0o644) };
    }),
  );
}

/** Reads every regular file of a tar stream; names are relative to the archive root folder's parent. */
export async function unpack(stream: NodeJS.ReadableStream, options: UnpackOptions = {}): Promise<Map<string, Buffer>> {
  const entries = await unpackEntries(stream, options);
  return new Map([...entries].map(([name, e]) => [name, e.content]));
}

export interface UnpackOptions {
  /** Stop reading (and reject) once the files' contents pass this many bytes: what a container holds is not bounded. */
  maxBytes?: number;
}

/** Like unpack, keeping each file's mode. */
export async function unpackEntries(stream: NodeJS.ReadableStream, options: UnpackOptions = {}): Promise<Map<string, TarEntry>> {
  const extract = tar.extract();
  const files = new Map<string, TarEntry>();
  let bytes = 0;
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (c: unknown) => {
        bytes += (c as Buffer).length;
        if (options.maxBytes !== undefined && bytes > options.maxBytes) {
          (stream as Readable).unpipe?.(extract);
          (stream as Readable).destroy?.();
          extract.destroy();
          reject(new Error(`larger than ${Math.round(options.maxBytes / 1024 / 1024)} MB; the rest was not copied`));
          return;
        }
        chunks.push(c as Buffer);
      });
      body.on('end', () => {
        if (header.type === 'file') files.set(header.name, { name: header.name, content: Buffer.concat(chunks), mode: header.mode ?? 0o644 });
        next();
      });
      body.on('error', reject);
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  (stream as Readable).pipe(extract);
  await done;
  return files;
}
