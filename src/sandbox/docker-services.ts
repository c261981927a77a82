/**
 * Multi-container tasks on the Docker API (no `docker compose` binary needed): every service of the task's compose
 * file in its own container on a per-trial network, where each reaches the others by service name. The main service
 * is the trial's Sandbox; closing it removes every service container and the network. Start order and readiness follow
 * `depends_on` and `docker compose up --wait`: a dependency is started, healthy or completed as asked, and the group is
 * ready when every service with a healthcheck is healthy and none has failed. A failure anywhere removes what was made.
 */
import type Docker from 'dockerode';
import { DockerApiError, HbenchError, HealthcheckError, oneLine } from '../common/errors.js';
import type { ComposeService, ServiceHealthcheck, TaskEnvironment, TaskServices } from '../tasks/task.js';
import type { DockerImages } from './docker-images.js';
import { slug } from './docker-images.js';
import { LABEL } from './docker-labels.js';
import { CONTAINER_LOG } from './docker-limits.js';
import type { DockerNetworks } from './docker-networks.js';
import { DockerSandbox, type SwitchableNetworks } from './docker-sandbox.js';
import { policyMode } from '../tasks/network-policy.js';
import type { IsolatedNetwork, PrepareOptions, SandboxStartOptions } from './sandbox.js';

export interface ServiceGroupContext {
  docker: Docker;
  images: DockerImages;
  networks: DockerNetworks;
  /** The run/owner labels every resource of the backend carries (the reaper's key). */
  labels: Record<string, string>;
  hostCpus: number;
}

/** The environment a service's image is prepared from: the task's, with the service's image source. */
export function serviceEnvironment(environment: TaskEnvironment, service: ComposeService): TaskEnvironment {
  return { ...environment, source: service.source, contentHash: service.contentHash, services: null };
}

/** Build options of a service's image: named after the task and the service, its log beside the task's. */
export function serviceImageOptions(options: Pick<PrepareOptions, 'taskId' | 'taskFile' | 'logFile' | 'signal'>, service: ComposeService): PrepareOptions {
  return { ...options, taskId: `${options.taskId}-${service.name}`, logFile: options.logFile?.replace(/(\.log)?$/, `.${service.name}.log`) };
}

/** The services beside the main one. */
export function sidecars(group: TaskServices): ComposeService[] {
  return group.services.filter((s) => s.name !== group.main);
}

/** The main service's sandbox; closing it removes the whole group. */
class ServiceGroupSandbox extends DockerSandbox {
  private groupClosed: Promise<void> | null = null;
  releaseGroup: () => Promise<void> = async () => undefined;

  override close(): Promise<void> {
    this.groupClosed ??= (async () => {
      // The main container and the other services together; the network once nothing is attached to it.
      const results = await Promise.allSettled([super.close(), this.releaseGroup()]);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    })();
    return this.groupClosed;
  }
}

export async function startServiceGroup(
  ctx: ServiceGroupContext,
  options: SandboxStartOptions,
  mainSpec: Docker.ContainerCreateOptions,
  workdir: string,
  onClose: (sandbox: DockerSandbox) => void,
): Promise<DockerSandbox> {
  const env = options.environment;
  const group = env.services!;
  const byName = new Map(group.services.map((s) => [s.name, s]));
  const labels = { ...options.labels, [LABEL.managed]: 'true', ...ctx.labels };
  // Internal: the services reach each other (and the host), not the internet; a task with network access gets the
  // default bridge network as a second one, which the main container can leave and rejoin between phases.
  const network = await ctx.networks.create(`hbench-${slug(options.name)}-${Math.random().toString(36).slice(2, 8)}`);
  const containers = new Map<string, Docker.Container>();
  const removeAll = async (which: (name: string) => boolean) => {
    const results = await Promise.allSettled([...containers].filter(([n]) => which(n)).map(([, c]) => removeContainer(c)));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  };
  const waits = new Map<string, Promise<void>>();
  const waitFor = (name: string, kind: 'healthy' | 'completed', by: string) => {
    const key = `${kind}:${name}`;
    if (!waits.has(key)) waits.set(key, kind === 'healthy' ? waitHealthy(containers.get(name)!, byName.get(name)!, by, options.signal) : waitCompleted(containers.get(name)!, name, by, options.signal));
    return waits.get(key)!;
  };

  let main: Docker.Container | null = null;
  let switchable: SwitchableNetworks | null = null;
  // The main container's outside network (none, the public bridge or the egress network), beside the trial's own.
  const mode = options.isolatedNetwork ? null : policyMode(env.network);
  try {
    for (const service of group.services) {
      options.signal?.throwIfAborted();
      for (const d of service.dependsOn) {
        if (d.condition === 'service_healthy') await waitFor(d.service, 'healthy', `"${service.name}" depends on it (service_healthy)`);
        if (d.condition === 'service_completed_successfully') await waitFor(d.service, 'completed', `"${service.name}" depends on it`);
      }
      const isMain = service.name === group.main;
      const spec = isMain ? onNetwork(mainSpec, service, network) : await sidecarSpec(ctx, options, service, network, labels);
      let container: Docker.Container;
      try {
        container = await ctx.docker.createContainer(spec);
      } catch (e) {
        throw new DockerApiError(`creating service "${service.name}" of ${group.file}`, e);
      }
      containers.set(service.name, container);
      try {
        if (isMain && options.isolatedNetwork) {
          await ctx.docker.getNetwork(options.isolatedNetwork.name).connect({ Container: container.id });
          if (options.publicToo) await ctx.docker.getNetwork('bridge').connect({ Container: container.id });
        }
        else if (isMain && mode === 'allowlist' && options.egress) await ctx.docker.getNetwork(options.egress.network.name).connect({ Container: container.id });
        else if (mode === 'bridge') await ctx.docker.getNetwork('bridge').connect({ Container: container.id });
        await container.start();
      } catch (e) {
        throw new DockerApiError(`starting service "${service.name}" of ${group.file}`, e);
      }
      if (isMain) {
        main = container;
        if (mode === 'bridge' || mode === 'allowlist') {
          const egress = options.egress ? { network: ctx.docker.getNetwork(options.egress.network.name), env: options.egress.env } : null;
          switchable = { start: mode, bridge: ctx.docker.getNetwork('bridge'), egress };
        }
      }
    }
    // `up --wait`: every service with a healthcheck healthy, none exited with a failure.
    for (const service of group.services) {
      const container = containers.get(service.name)!;
      if (await hasHealthcheck(container)) await waitFor(service.name, 'healthy', 'every service must be ready before the agent starts');
    }
    for (const service of sidecars(group)) await checkNotFailed(containers.get(service.name)!, service.name);
  } catch (e) {
    await removeAll(() => true).catch(() => undefined);
    await ctx.networks.remove(network).catch(() => undefined);
    if (e instanceof HbenchError || options.signal?.aborted) throw e;
    throw new DockerApiError(`starting the services of ${group.file}`, e);
  }
  const sandbox = new ServiceGroupSandbox(main!, main!.id, workdir, onClose, switchable);
  sandbox.releaseGroup = async () => {
    try {
      await removeAll((n) => n !== group.main);
    } finally {
      // The main container is being removed beside the others; the network goes once it is empty.
      await waitRemoved(ctx.docker, main!.id);
      await ctx.networks.remove(network);
    }
  };
  return sandbox;
}

function onNetwork(mainSpec: Docker.ContainerCreateOptions, service: ComposeService, network: IsolatedNetwork): Docker.ContainerCreateOptions {
  return {
    ...mainSpec,
    Labels: { ...service.labels, ...mainSpec.Labels, [LABEL.service]: service.name },
    Hostname: service.hostname ?? undefined,
    Healthcheck: dockerHealthcheck(service.healthcheck),
    NetworkDisabled: false,
    HostConfig: { ...mainSpec.HostConfig, NetworkMode: network.name },
    NetworkingConfig: { EndpointsConfig: { [network.name]: { Aliases: service.aliases } } },
  };
}

async function sidecarSpec(ctx: ServiceGroupContext, options: SandboxStartOptions, service: ComposeService, network: IsolatedNetwork, labels: Record<string, string>): Promise<Docker.ContainerCreateOptions> {
  const env = options.environment;
  // Prepared in the build phase with the main image; this finds the same (cached) promise.
  const image = await ctx.images.prepare(serviceEnvironment(env, service), serviceImageOptions({ taskId: options.labels?.[LABEL.task] ?? options.name, taskFile: env.services!.file, signal: options.signal }, service));
  return {
    Image: image.ref,
    name: `hbench-${slug(options.name)}-${slug(service.name)}-${Math.random().toString(36).slice(2, 8)}`,
    Labels: { ...service.labels, ...labels, [LABEL.service]: service.name },
    // As in compose: an entrypoint given without a command runs without the image's CMD.
    ...(service.entrypoint ? { Entrypoint: service.entrypoint } : {}),
    ...(service.command ? { Cmd: service.command } : {}),
    Env: Object.entries(service.env).map(([k, v]) => `${k}=${v}`),
    WorkingDir: service.workdir ?? undefined,
    User: service.user ?? undefined,
    Hostname: service.hostname ?? undefined,
    Healthcheck: dockerHealthcheck(service.healthcheck),
    HostConfig: {
      NetworkMode: network.name,
      PidsLimit: env.pidsLimit,
      LogConfig: CONTAINER_LOG,
      ...(service.cpus ? { NanoCpus: Math.round(Math.min(service.cpus, ctx.hostCpus) * 1e9) } : {}),
      ...(service.memoryMb ? { Memory: service.memoryMb * 2 ** 20, MemorySwap: service.memoryMb * 2 ** 20 } : {}),
    },
    NetworkingConfig: { EndpointsConfig: { [network.name]: { Aliases: service.aliases } } },
  };
}

function dockerHealthcheck(h: ServiceHealthcheck | null): Docker.ContainerCreateOptions['Healthcheck'] {
  if (!h) return undefined;
  const ns = (sec: number) => Math.round(sec * 1e9);
  return { Test: h.test ?? [], Interval: ns(h.intervalSec), Timeout: ns(h.timeoutSec), Retries: h.retries, StartPeriod: ns(h.startPeriodSec) };
}

async function hasHealthcheck(container: Docker.Container): Promise<boolean> {
  const test = (await container.inspect()).Config?.Healthcheck?.Test ?? [];
  return test.length > 0 && test[0] !== 'NONE';
}

const POLL_MS = 200;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits for Docker to report the service healthy, within what its healthcheck's own timings allow. */
async function waitHealthy(container: Docker.Container, service: ComposeService, why: string, signal?: AbortSignal): Promise<void> {
  const h = service.healthcheck;
  const budgetSec = h ? h.startPeriodSec + (h.intervalSec + h.timeoutSec) * (h.retries + 1) + 30 : 300;
  const deadline = performance.now() + budgetSec * 1000;
  for (;;) {
    signal?.throwIfAborted();
    const info = await container.inspect();
    const test = info.Config?.Healthcheck?.Test ?? [];
    if (!test.length || test[0] === 'NONE') {
      throw new HbenchError('TASK_INVALID', `service "${service.name}" has no healthcheck, but ${why}: give it a healthcheck or depend on it with condition service_started`);
    }
    if (!info.State.Running) throw new HealthcheckError(`service "${service.name}" exited with code ${info.State.ExitCode} before it became healthy (${why})${await logTail(container)}`);
    const health = info.State.Health;
    if (health?.Status === 'healthy') return;
    if (health?.Status === 'unhealthy') {
      const last = health.Log?.at(-1);
      throw new HealthcheckError(`service "${service.name}" is unhealthy after ${health.FailingStreak} failed check(s) (${why}); last check: exit ${last?.ExitCode ?? '?'}: ${oneLine(last?.Output ?? '', 200) || 'no output'}`);
    }
    if (performance.now() > deadline) throw new HealthcheckError(`service "${service.name}" did not become healthy within ${Math.round(budgetSec)} s (${why})`);
    await sleep(POLL_MS);
  }
}

async function waitCompleted(container: Docker.Container, name: string, why: string, signal?: AbortSignal): Promise<void> {
  for (;;) {
    signal?.throwIfAborted();
    const info = await container.inspect();
    if (!info.State.Running && info.State.Status !== 'created') {
      if (info.State.ExitCode === 0) return;
      throw new HealthcheckError(`service "${name}" exited with code ${info.State.ExitCode}, but ${why} completing successfully${await logTail(container)}`);
    }
    await sleep(POLL_MS);
  }
}

/** A service that already stopped with a failure (a one-shot job that exited 0 is fine). */
async function checkNotFailed(container: Docker.Container, name: string): Promise<void> {
  const info = await container.inspect();
  if (!info.State.Running && info.State.ExitCode !== 0) throw new HealthcheckError(`service "${name}" exited with code ${info.State.ExitCode} right after it started${await logTail(container)}`);
}

/** The last lines the service printed, for the error message. */
async function logTail(container: Docker.Container): Promise<string> {
  try {
    const raw = (await container.logs({ stdout: true, stderr: true, tail: 5, follow: false })) as unknown as Buffer;
    const text = oneLine(demux(raw), 300);
    return text ? `; its output ends: ${text}` : '';
  } catch {
    return '';
  }
}

/** Docker's multiplexed log stream (8-byte frame headers) as text. */
function demux(buf: Buffer): string {
  const parts: string[] = [];
  let i = 0;
  while (i + 8 <= buf.length && buf[i]! <= 2 && buf[i + 1] === 0) {
    const size = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + size).toString());
    i += 8 + size;
  }
  return i === 0 ? buf.toString() : parts.join('');
}

async function removeContainer(container: Docker.Container): Promise<void> {
  try {
    await container.remove({ force: true, v: true });
  } catch (e) {
    const status = (e as { statusCode?: number }).statusCode;
    // 404: already gone; 409: removal already in progress.
    if (status !== 404 && status !== 409) throw new DockerApiError(`removing service container ${container.id.slice(0, 12)}`, e);
  }
}

/** Waits (briefly) until a container being removed is gone, so its network can be removed after it. */
async function waitRemoved(docker: Docker, id: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await docker.getContainer(id).inspect();
    } catch {
      return;
    }
    await sleep(100);
  }
}
