/**
 * The image cache: an environment's image is built (or pulled) once per content hash, tagged
 * `hbench-env/<task>:<hash>`; a second run builds nothing, and concurrent trials that need the same image wait for
 * one build.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import pLimit from 'p-limit';
import { DockerApiError, ImageBuildError, errorMessage, oneLine } from '../common/errors.js';
import { listFiles } from '../common/files.js';
import type { TaskEnvironment } from '../tasks/task.js';
import { LABEL } from './docker-labels.js';
import type { PrepareOptions, PreparedImage } from './sandbox.js';

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
    const ref = source.kind === 'image' ? source.image : `hbench-env/${slug(options.taskId)}:${environment.contentHash.slice(0, 16)}`;
    const existing = await this.inspect(ref);
    if (existing) return { ref, id: existing.Id, workdir: existing.Config?.WorkingDir || '/', entrypoint: entrypointOf(existing), built: false, durationMs: Math.round(performance.now() - started) };
    if (source.kind === 'image') await this.pull(ref, options);
    else await this.build(ref, source.contextDir, source.dockerfile, environment, options);
    const info = await this.inspect(ref);
    if (!info) throw new DockerApiError(`inspecting ${ref}`, new Error('image missing right after it was built'));
    return { ref, id: info.Id, workdir: info.Config?.WorkingDir || '/', entrypoint: entrypointOf(info), built: true, durationMs: Math.round(performance.now() - started) };
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
    const log = options.logFile ? (await mkdir(path.dirname(options.logFile), { recursive: true }), createWriteStream(options.logFile)) : null;
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.buildImage(
        { context: contextDir, src: await listFiles(contextDir) },
        { t: ref, dockerfile, labels: { [LABEL.managed]: 'true', [LABEL.envHash]: environment.contentHash }, rm: true, forcerm: true, ...buildArgs(environment) },
      );
    } catch (e) {
      log?.end();
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
      if (log) {
        log.end();
        await once(log, 'close').catch(() => undefined);
      }
    }
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
