/**
 * The image cache: an environment's image is built (or pulled) once per content hash, tagged
 * `hbench-env/<task>:<hash>`; a second run builds nothing, and concurrent trials that need the same image wait for
 * one build.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import pLimit from 'p-limit';
import { CappedFile, LOG_FILE_CAP } from '../common/capped-file.js';
import { DockerApiError, ImageBuildError, errorMessage, oneLine } from '../common/errors.js';
import { listFiles } from '../common/files.js';
import type { TaskEnvironment } from '../tasks/task.js';
import { LABEL } from './docker-labels.js';
import { dockerfileBases } from './dockerfile-bases.js';
import type { BaseImage, PrepareOptions, PreparedImage } from './sandbox.js';

export class DockerImages {
  private readonly builds = new Map<string, Promise<PreparedImage>>();
  private readonly buildLimit: ReturnType<typeof pLimit>;

  constructor(
    private readonly docker: Docker,
    buildConcurrency: number,
  ) {
    this.buildLimit = pLimit(buildConcurrency);
  }

  prepare(environment: TaskEnvironment, options: PrepareOptions): Promise<PreparedImage> {
    const key = environment.source.kind === 'image' ? `image:${environment.source.image}` : `hash:${environment.contentHash}`;
    // One promise per environment for the whole run: a failed build fails every trial that needs it, once.
    let pending = this.builds.get(key);
    if (!pending) {
      pending = this.buildLimit(() => this.prepareUncached(environment, options));
      this.builds.set(key, pending);
    }
    return pending;
  }

  /** Forgets builds that failed (an engine restart broke them): the next trial that needs one builds it again. */
  forgetFailures(): void {
    for (const [key, pending] of this.builds) pending.catch(() => this.builds.get(key) === pending && this.builds.delete(key));
  }

  private async prepareUncached(environment: TaskEnvironment, options: PrepareOptions): Promise<PreparedImage> {
    const started = performance.now();
    const source = environment.source;
    // A built image is named by its build context AND the ids of the images it starts FROM: rebuilding a base image
    // under the same tag changes the name, so the environment is rebuilt on it instead of silently reused.
    const bases = source.kind === 'dockerfile' ? await this.baseImages(source.contextDir, source.dockerfile, environment, options) : [];
    const ref = source.kind === 'image' ? source.image : `hbench-env/${slug(options.taskId)}:${imageTag(environment.contentHash, bases)}`;
    const existing = await this.inspect(ref);
    const found = (info: Docker.ImageInspectInfo, built: boolean): PreparedImage => ({
      ref,
      id: info.Id,
      workdir: info.Config?.WorkingDir || '/',
      entrypoint: entrypointOf(info),
      built,
      durationMs: Math.round(performance.now() - started),
      ...(bases.length ? { bases } : {}),
    });
    if (existing) return found(existing, false);
    if (source.kind === 'image') await this.pull(ref, options);
    else await this.build(ref, source.contextDir, source.dockerfile, environment, options);
    const info = await this.inspect(ref);
    if (!info) throw new DockerApiError(`inspecting ${ref}`, new Error('image missing right after it was built'));
    return found(info, true);
  }

  /**
   * The images the Dockerfile starts FROM with their ids on this engine. A base image the engine does not have yet is
   * pulled first (the build would pull it anyway), so its id is known before the name of the environment image is.
   */
  private async baseImages(contextDir: string, dockerfile: string, environment: TaskEnvironment, options: PrepareOptions): Promise<BaseImage[]> {
    const file = path.join(contextDir, dockerfile);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new ImageBuildError(file, `cannot read the Dockerfile: ${errorMessage(e)}`);
    }
    const out: BaseImage[] = [];
    for (const ref of dockerfileBases(text, environment.source.kind === 'dockerfile' ? environment.source.buildArgs : undefined)) {
      let info = await this.inspect(ref);
      if (!info) {
        try {
          const stream = await this.docker.pull(ref);
          await new Promise<void>((resolve, reject) => this.docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
        } catch (e) {
          throw new ImageBuildError(file, `FROM ${ref}: the engine does not have this image and cannot pull it (${errorMessage(e)}); pull or build it first`, options.logFile);
        }
        info = await this.inspect(ref);
        if (!info) throw new ImageBuildError(file, `FROM ${ref}: the image is still missing after pulling it; pull or build it first`, options.logFile);
      }
      out.push({ ref, id: info.Id });
    }
    return out;
  }

  private async inspect(ref: string): Promise<Docker.ImageInspectInfo | null> {
    try {
      return await this.docker.getImage(ref).inspect();
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return null;
      throw new DockerApiError(`inspecting image ${ref}`, e);
    }
  }

  private async build(ref: string, contextDir: string, dockerfile: string, environment: TaskEnvironment, options: PrepareOptions): Promise<void> {
    const dockerfilePath = path.join(contextDir, dockerfile);
    // A Dockerfile whose RUN prints gigabytes costs the head and the tail of it. A build log the disk
    // refuses (full, read-only) fails the build once it is done, naming the file.
    const log = options.logFile ? await CappedFile.open(options.logFile, LOG_FILE_CAP, 'w') : null;
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.buildImage(
        { context: contextDir, src: await listFiles(contextDir) },
        { t: ref, dockerfile, labels: { [LABEL.managed]: 'true', [LABEL.envHash]: environment.contentHash }, rm: true, forcerm: true, ...buildArgs(environment) },
      );
    } catch (e) {
      await log?.close();
      throw new ImageBuildError(dockerfilePath, errorMessage(e), options.logFile);
    }
    const lines: string[] = [];
    let failure: string | null = null;
    const stop = (why: string) => {
      failure = why;
      (stream as unknown as { destroy(): void }).destroy();
    };
    const timer = setTimeout(() => stop(`timed out after ${environment.buildTimeoutSec} s (raise [environment].build_timeout_sec)`), environment.buildTimeoutSec * 1000);
    const onAbort = () => stop('interrupted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await new Promise<void>((resolve) => {
        this.docker.modem.followProgress(
          stream,
          () => resolve(),
          (event: { stream?: string; error?: string; errorDetail?: { message?: string } }) => {
            const text = event.stream ?? (event.error ? `ERROR: ${event.error}\n` : '');
            if (text) {
              log?.write(text);
              lines.push(...text.split('\n').filter((l) => l.trim()));
              if (lines.length > 50) lines.splice(0, lines.length - 50);
            }
            if (event.error) failure ??= event.errorDetail?.message ?? event.error;
          },
        );
      });
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      await log?.close();
    }
    if (log?.failure) throw log.failure;
    if (failure) {
      const lastStep = lines.filter((l) => /^Step \d+\/\d+ :/.test(l)).slice(-1)[0];
      const at = lastStep && failure !== 'interrupted' ? ` at ${oneLine(lastStep, 160)}` : '';
      throw new ImageBuildError(dockerfilePath, `${failure}${at}`, options.logFile);
    }
  }

  private async pull(ref: string, options: PrepareOptions): Promise<void> {
    try {
      const stream = await this.docker.pull(ref);
      await new Promise<void>((resolve, reject) => this.docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
    } catch (e) {
      throw new ImageBuildError(options.taskFile, `cannot pull [environment].docker_image "${ref}": ${errorMessage(e)}`);
    }
  }
}

/** The tag of a built environment: its content hash, mixed with its base images' ids when it has any. */
export function imageTag(contentHash: string, bases: BaseImage[]): string {
  if (bases.length === 0) return contentHash.slice(0, 16);
  const h = createHash('sha256').update(contentHash);
  for (const b of bases) h.update(`\0${b.ref}\0${b.id}`);
  return h.digest('hex').slice(0, 16);
}

/** Compose `build.args` of a service's image. */
function buildArgs(environment: TaskEnvironment): { buildargs?: Record<string, string> } {
  const args = environment.source.kind === 'dockerfile' ? environment.source.buildArgs : undefined;
  return args && Object.keys(args).length ? { buildargs: args } : {};
}

function entrypointOf(info: Docker.ImageInspectInfo): string[] | null {
  const e = info.Config?.Entrypoint as string[] | string | null | undefined;
  if (!e || (Array.isArray(e) && e.length === 0)) return null;
  return Array.isArray(e) ? e : ['sh', '-c', e];
}

export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 60) || 'task';
}
