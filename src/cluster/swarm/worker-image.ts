/**
 * The swarm worker image, built from this repository (docker/worker.Dockerfile): hbench as installed here (bin/,
 * dist/, harnesses/, the production node_modules named by package-lock.json) and the host's own Node.js binary, so no
 * registry is needed. Tagged by a digest of what goes in, so an engine that has the tag builds nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import tar from 'tar-stream';
import { UsageError } from '../../common/errors.js';
import { TOOL_VERSION } from '../../common/version.js';
import { buildImage, copyImage, dockerFor, imageId } from '../../sandbox/docker-swarm.js';

/** The installed package's root (…/dist/cluster/swarm → …). */
export const PACKAGE_ROOT = path.resolve(import.meta.dirname, '../../..');
const DOCKERFILE = path.join(PACKAGE_ROOT, 'docker', 'worker.Dockerfile');

interface ContextFile {
  /** Path in the build context. */
  name: string;
  source: string;
  size: number;
  mode: number;
  mtimeMs: number;
}

/** Everything the image is built from, and its tag (`hbench-worker:<version>-<digest>`). */
export async function workerContext(): Promise<{ tag: string; files: ContextFile[] }> {
  const lockFile = path.join(PACKAGE_ROOT, 'package-lock.json');
  if (!existsSync(lockFile) || !existsSync(path.join(PACKAGE_ROOT, 'node_modules'))) {
    throw new UsageError(`${PACKAGE_ROOT}: building the worker image needs a checkout with package-lock.json and node_modules (npm ci); or build it yourself and pass --worker-image`);
  }
  if (process.platform !== 'linux') throw new UsageError(`the worker image takes this machine's Node.js binary, which is for ${process.platform}: build it on Linux, or pass --worker-image`);
  const files: ContextFile[] = [];
  const add = async (source: string, name: string) => {
    const info = await stat(source);
    files.push({ name, source, size: info.size, mode: info.mode & 0o111 ? 0o755 : 0o644, mtimeMs: info.mtimeMs });
  };
  await add(DOCKERFILE, 'Dockerfile');
  await add(realpathSync(process.execPath), 'node');
  await add(path.join(PACKAGE_ROOT, 'package.json'), 'app/package.json');
  for (const dir of ['bin', 'dist', 'harnesses']) await addTree(path.join(PACKAGE_ROOT, dir), `app/${dir}`, add);
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { packages: Record<string, { dev?: boolean; link?: boolean }> };
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (!key.startsWith('node_modules/') || entry.dev || entry.link) continue;
    const dir = path.join(PACKAGE_ROOT, key);
    if (existsSync(dir)) await addTree(dir, `app/${key}`, add, { skipNested: true });
  }
  const digest = createHash('sha256');
  for (const f of files.sort((a, b) => a.name.localeCompare(b.name))) digest.update(`${f.name}\0${f.size}\0${f.mtimeMs}\n`);
  digest.update(await readFile(DOCKERFILE));
  return { tag: `hbench-worker:${TOOL_VERSION}-${digest.digest('hex').slice(0, 12)}`, files };
}

async function addTree(dir: string, name: string, add: (source: string, name: string) => Promise<void>, options: { skipNested?: boolean } = {}): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    // A package's own node_modules are packages of their own in the lock file (added, or left out as dev, there).
    if (options.skipNested && e.name === 'node_modules') continue;
    const src = path.join(dir, e.name);
    if (e.isDirectory()) await addTree(src, `${name}/${e.name}`, add, options);
    else if (e.isFile()) await add(src, `${name}/${e.name}`);
  }
}

function contextStream(files: ContextFile[]): NodeJS.ReadableStream {
  const pack = tar.pack();
  const out = new PassThrough();
  pack.pipe(out);
  void (async () => {
    try {
      for (const f of files) {
        const content = await readFile(f.source);
        await new Promise<void>((resolve, reject) => pack.entry({ name: f.name, size: content.length, mode: f.mode }, content, (err) => (err ? reject(err) : resolve())));
      }
      pack.finalize();
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return out;
}

/**
 * Makes sure the engine hbench talks to has the worker image (built there when missing), and copies it to every engine
 * in `copyTo` (DOCKER_HOST values of other nodes) that lacks it, so it has the same id everywhere. Returns the id: a
 * service that names its image by id starts without any registry lookup.
 */
export async function ensureWorkerImage(copyTo: string[], log: (line: string) => void): Promise<string> {
  const { tag, files } = await workerContext();
  const local = dockerFor(undefined);
  let id = await imageId(local, tag);
  if (id) log(`worker image ${tag} is here`);
  else {
    log(`building worker image ${tag}`);
    await buildImage(local, contextStream(files), tag, 'Dockerfile', () => undefined);
    id = (await imageId(local, tag))!;
  }
  for (const host of copyTo) {
    const remote = dockerFor(host);
    if (await imageId(remote, id)) continue;
    log(`copying worker image ${tag} to ${host}`);
    await copyImage(local, remote, tag);
  }
  return id;
}
