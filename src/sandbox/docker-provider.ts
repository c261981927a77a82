/**
 * The Docker SandboxProvider: the only place (with docker-sandbox.ts) that talks to dockerode.
 * Images are built once per environment content hash (tag `hbench-env/<task>:<hash>`); a second run builds nothing and
 * concurrent trials that need the same image wait for one build.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import pLimit from 'p-limit';
import { DockerApiError, DockerUnavailableError, HbenchError, ImageBuildError, errorMessage, oneLine } from '../common/errors.js';
import type { TaskEnvironment } from '../tasks/task.js';
import { listFiles } from '../tasks/hash.js';
import { DockerSandbox } from './docker-sandbox.js';
import { LABEL, ownerAlive, ownerId } from './labels.js';
import type { IsolatedNetwork, PrepareOptions, PreparedImage, Sandbox, SandboxProvider, SandboxStartOptions } from './sandbox.js';

export interface DockerProviderOptions {
  runId: string;
  /** Concurrent image builds. */
  buildConcurrency?: number;
  docker?: Docker;
}

export class DockerSandboxProvider implements SandboxProvider {
  readonly docker: Docker;
  private readonly owner = ownerId();
  private readonly builds = new Map<string, Promise<PreparedImage>>();
  private readonly buildLimit: ReturnType<typeof pLimit>;
  private readonly live = new Set<DockerSandbox>();
  private readonly hostCpus = os.availableParallelism();

  constructor(private readonly options: DockerProviderOptions) {
    this.docker = options.docker ?? new Docker();
    this.buildLimit = pLimit(options.buildConcurrency ?? 2);
  }

  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (e) {
      const where = process.env.DOCKER_HOST ?? '/var/run/docker.sock';
      throw new DockerUnavailableError(`${where}: ${oneLine(errorMessage(e), 120)}`);
    }
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

  private async prepareUncached(environment: TaskEnvironment, options: PrepareOptions): Promise<PreparedImage> {
    const started = performance.now();
    const source = environment.source;
    const ref = source.kind === 'image' ? source.image : `hbench-env/${slug(path.basename(path.dirname(options.taskFile)))}:${environment.contentHash.slice(0, 16)}`;
    const existing = await this.inspectImage(ref);
    if (existing) return { ref, id: existing.Id, workdir: existing.Config?.WorkingDir || '/', built: false, durationMs: Math.round(performance.now() - started) };

    if (source.kind === 'image') await this.pull(ref, options);
    else await this.build(ref, source.contextDir, source.dockerfile, environment, options);
    const info = await this.inspectImage(ref);
    if (!info) throw new DockerApiError(`inspecting ${ref}`, new Error('image missing right after it was built'));
    return { ref, id: info.Id, workdir: info.Config?.WorkingDir || '/', built: true, durationMs: Math.round(performance.now() - started) };
  }

  private async inspectImage(ref: string): Promise<Docker.ImageInspectInfo | null> {
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
        { t: ref, dockerfile, labels: { [LABEL.managed]: 'true', [LABEL.envHash]: environment.contentHash }, rm: true, forcerm: true },
      );
    } catch (e) {
      log?.end();
      throw new ImageBuildError(dockerfilePath, errorMessage(e), options.logFile);
    }
    const lines: string[] = [];
    let failure: string | null = null;
    const timeoutMs = environment.buildTimeoutSec * 1000;
    const timer = setTimeout(() => {
      failure = `timed out after ${environment.buildTimeoutSec} s (raise [environment].build_timeout_sec)`;
      (stream as unknown as { destroy(): void }).destroy();
    }, timeoutMs);
    const onAbort = () => {
      failure = 'interrupted';
      (stream as unknown as { destroy(): void }).destroy();
    };
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

  async start(options: SandboxStartOptions): Promise<Sandbox> {
    const env = options.environment;
    const workdir = env.workdir ?? options.image.workdir;
    let container: Docker.Container | null = null;
    try {
      container = await this.docker.createContainer({
        Image: options.image.ref,
        name: `hbench-${slug(options.name)}-${Math.random().toString(36).slice(2, 8)}`,
        Labels: { ...options.labels, [LABEL.managed]: 'true', [LABEL.run]: this.options.runId, [LABEL.owner]: this.owner },
        Entrypoint: ['sh', '-c'],
        // PID 1 idles; every command arrives through exec. `sleep infinity` is not portable to every sleep.
        Cmd: ['trap "exit 0" TERM; while :; do sleep 86400 & wait $!; done'],
        WorkingDir: env.workdir ?? undefined,
        Env: Object.entries(env.env).map(([k, v]) => `${k}=${v}`),
        NetworkDisabled: !options.isolatedNetwork && env.network === 'none',
        HostConfig: {
          NetworkMode: options.isolatedNetwork?.name ?? (env.network === 'none' ? 'none' : 'bridge'),
          NanoCpus: Math.round(Math.min(env.cpus, this.hostCpus) * 1e9),
          Memory: env.memoryMb * 1024 * 1024,
          MemorySwap: env.memoryMb * 1024 * 1024,
          PidsLimit: env.pidsLimit,
        },
      });
      await container.start();
    } catch (e) {
      if (container) await container.remove({ force: true, v: true }).catch(() => undefined);
      if (e instanceof HbenchError) throw e;
      throw new DockerApiError(`starting a container from ${options.image.ref}`, e);
    }
    const sandbox = new DockerSandbox(container, container.id, workdir, (s) => this.live.delete(s));
    this.live.add(sandbox);
    return sandbox;
  }

  async createIsolatedNetwork(name: string): Promise<IsolatedNetwork> {
    try {
      const network = await this.docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        // Internal: no route out of the host. Containers still reach the host's address on this bridge.
        Internal: true,
        Labels: { [LABEL.managed]: 'true', [LABEL.run]: this.options.runId, [LABEL.owner]: this.owner },
      });
      const info = await network.inspect();
      const hostAddress = info.IPAM?.Config?.[0]?.Gateway;
      if (!hostAddress) throw new Error('the network has no gateway address');
      return { name, hostAddress };
    } catch (e) {
      throw new DockerApiError(`creating network ${name}`, e);
    }
  }

  async removeNetwork(network: IsolatedNetwork): Promise<void> {
    await this.docker.getNetwork(network.name).remove().catch((e: { statusCode?: number }) => {
      if (e.statusCode !== 404) throw new DockerApiError(`removing network ${network.name}`, e);
    });
  }

  async sweep(options: { all?: boolean } = {}): Promise<{ containers: number; networks: number }> {
    const filters = JSON.stringify({ label: [`${LABEL.managed}=true`] });
    let containers = 0;
    let networks = 0;
    try {
      const list = await this.docker.listContainers({ all: true, filters });
      await Promise.all(
        list.map(async (c) => {
          if (!options.all && ownerAlive(c.Labels[LABEL.owner])) return;
          await this.docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
          containers++;
        }),
      );
      const nets = await this.docker.listNetworks({ filters });
      await Promise.all(
        nets.map(async (n) => {
          if (!options.all && ownerAlive(n.Labels?.[LABEL.owner])) return;
          await this.docker.getNetwork(n.Id).remove().catch(() => undefined);
          networks++;
        }),
      );
    } catch (e) {
      throw new DockerApiError('sweeping leftover containers', e);
    }
    return { containers, networks };
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled([...this.live].map((s) => s.close()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
}

export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 60) || 'task';
}
