/**
 * The Docker SandboxBackend: composes the image cache, container start, internal networks and the reaper. With the
 * files it composes, the only code that talks to dockerode.
 */
import os from 'node:os';
import Docker from 'dockerode';
import { DockerApiError, DockerUnavailableError, HbenchError, errorMessage, oneLine } from '../common/errors.js';
import { policyMode } from '../tasks/network-policy.js';
import type { TaskEnvironment } from '../tasks/task.js';
import { DockerImages, slug } from './docker-images.js';
import { LABEL, ownerId } from './docker-labels.js';
import { CONTAINER_LOG, storageOptSupported } from './docker-limits.js';
import { DockerNetworks } from './docker-networks.js';
import { containersOfRun, sweepLeftovers } from './docker-reaper.js';
import { DockerSandbox } from './docker-sandbox.js';
import { serviceEnvironment, serviceImageOptions, sidecars, startServiceGroup } from './docker-services.js';
import { firewallUnavailable, removeRules, restrictToPorts, sweepRules } from './host-firewall.js';
import type { HostIsolation, IsolatedNetwork, PrepareOptions, PreparedImage, Sandbox, SandboxBackend, SandboxStartOptions } from './sandbox.js';

const IDLE = 'trap "exit 0" TERM; while :; do sleep 86400 & wait $!; done';

export interface DockerBackendOptions {
  runId: string;
  /** Concurrent image builds. */
  buildConcurrency?: number;
  docker?: Docker;
}

export class DockerBackend implements SandboxBackend {
  readonly docker: Docker;
  private readonly labels: Record<string, string>;
  private readonly images: DockerImages;
  private readonly networks: DockerNetworks;
  private readonly live = new Set<DockerSandbox>();
  /** The run's own networks (createIsolatedNetwork): kept by recover() even with no container on them. */
  private readonly sessionNetworks = new Set<string>();
  /** Networks with host firewall rules, removed with them. */
  private readonly restricted = new Map<string, IsolatedNetwork>();
  private readonly hostCpus = os.availableParallelism();
  /** Whether the engine caps writable layers: asked once, and false after the first refusal. */
  private storageCap: Promise<boolean> | null = null;

  constructor(options: DockerBackendOptions) {
    this.docker = options.docker ?? new Docker();
    this.labels = { [LABEL.run]: options.runId, [LABEL.owner]: ownerId() };
    this.images = new DockerImages(this.docker, options.buildConcurrency ?? 2);
    this.networks = new DockerNetworks(this.docker, this.labels);
  }

  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (e) {
      const where = process.env.DOCKER_HOST ?? '/var/run/docker.sock';
      throw new DockerUnavailableError(`${where}: ${oneLine(errorMessage(e), 120)}`);
    }
  }

  async prepare(environment: TaskEnvironment, options: PrepareOptions): Promise<PreparedImage> {
    const group = environment.services;
    if (!group) return this.images.prepare(environment, options);
    // A multi-container task's other images are built with the main one, each once per content hash.
    const [image] = await Promise.all([this.images.prepare(environment, options), ...sidecars(group).map((s) => this.images.prepare(serviceEnvironment(environment, s), serviceImageOptions(options, s)))]);
    return image;
  }

  async start(options: SandboxStartOptions): Promise<Sandbox> {
    const env = options.environment;
    const workdir = env.workdir ?? options.image.workdir;
    // The network it starts on (null: the isolated one it keeps throughout).
    const mode = options.isolatedNetwork ? null : policyMode(env.network);
    if (mode === 'allowlist' && !options.egress) throw new HbenchError('USAGE', `${options.name}: the task's network_mode is "allowlist" but the run started no egress proxy`);
    const spec: Docker.ContainerCreateOptions = {
      Image: options.image.ref,
      name: `hbench-${slug(options.name)}-${Math.random().toString(36).slice(2, 8)}`,
      Labels: { ...options.labels, [LABEL.managed]: 'true', ...this.labels },
      // Every command arrives through exec; the container only has to stay up. An image's own ENTRYPOINT runs as
      // under Harbor (starting its services) and receives the idle command as its arguments. `sleep infinity` is
      // not portable to every sleep.
      ...(options.image.entrypoint ? { Cmd: ['sh', '-c', IDLE] } : { Entrypoint: ['sh', '-c'], Cmd: [IDLE] }),
      WorkingDir: env.workdir ?? undefined,
      Env: Object.entries(env.env).map(([k, v]) => `${k}=${v}`),
      NetworkDisabled: mode === 'none',
      HostConfig: {
        NetworkMode: options.isolatedNetwork?.name ?? (mode === 'allowlist' ? options.egress!.network.name : mode === 'none' ? 'none' : 'bridge'),
        NanoCpus: Math.round(Math.min(env.cpus, this.hostCpus) * 1e9),
        Memory: env.memoryMb * 1024 * 1024,
        MemorySwap: env.memoryMb * 1024 * 1024,
        PidsLimit: env.pidsLimit,
        LogConfig: CONTAINER_LOG,
        ...(options.mounts?.length ? { Mounts: options.mounts.map((m) => ({ Type: 'bind' as const, Source: m.hostPath, Target: m.containerPath, ReadOnly: true })) } : {}),
      },
    };
    // A multi-container task: the main service's container is this one, on the trial's network with the others.
    if (env.services) return this.startServiceGroup(options, spec, workdir);
    let container: Docker.Container | null = null;
    let engineCap = false;
    try {
      if (await this.capsStorage()) {
        try {
          container = await this.docker.createContainer({ ...spec, HostConfig: { ...spec.HostConfig, StorageOpt: { size: `${env.storageMb}M` } } });
          engineCap = true;
        } catch {
          // Refused (overlay2 on xfs without pquota, say): hbench's own sampling caps the storage from now on.
          this.storageCap = Promise.resolve(false);
        }
      }
      container ??= await this.docker.createContainer(spec);
      if (options.isolatedNetwork && options.publicToo) await this.docker.getNetwork('bridge').connect({ Container: container.id });
      await container.start();
    } catch (e) {
      if (container) await container.remove({ force: true, v: true }).catch(() => undefined);
      if (e instanceof HbenchError) throw e;
      throw new DockerApiError(`starting a container from ${options.image.ref}`, e);
    }
    // A container started on a network can switch among none, the public bridge and the egress network.
    const networks = mode === 'bridge' || mode === 'allowlist'
      ? { start: mode, bridge: this.docker.getNetwork('bridge'), egress: options.egress ? { network: this.docker.getNetwork(options.egress.network.name), env: options.egress.env } : null }
      : null;
    const sandbox = new DockerSandbox(container, container.id, workdir, (s) => this.live.delete(s), networks, engineCap);
    this.live.add(sandbox);
    return sandbox;
  }

  private capsStorage(): Promise<boolean> {
    this.storageCap ??= this.docker.info().then(storageOptSupported, () => false);
    return this.storageCap;
  }

  private async startServiceGroup(options: SandboxStartOptions, spec: Docker.ContainerCreateOptions, workdir: string): Promise<Sandbox> {
    const context = { docker: this.docker, images: this.images, networks: this.networks, labels: this.labels, hostCpus: this.hostCpus };
    const sandbox = await startServiceGroup(context, options, spec, workdir, (s) => this.live.delete(s));
    this.live.add(sandbox);
    return sandbox;
  }

  async createIsolatedNetwork(name: string): Promise<IsolatedNetwork> {
    const network = await this.networks.create(name, { isolateContainers: true });
    this.sessionNetworks.add(name);
    return network;
  }

  async restrictNetwork(network: IsolatedNetwork, ports: number[]): Promise<HostIsolation> {
    const unavailable = firewallUnavailable() ?? (network.id && network.bridge ? null : 'the network has no known bridge interface');
    if (unavailable) return { enforced: false, reason: unavailable };
    try {
      await restrictToPorts(network.id!, network.bridge!, ports);
      this.restricted.set(network.name, network);
      return { enforced: true, ports };
    } catch (e) {
      await removeRules(network.id!, network.bridge!).catch(() => undefined);
      return { enforced: false, reason: `iptables failed: ${oneLine(errorMessage(e))}` };
    }
  }

  async removeNetwork(network: IsolatedNetwork): Promise<void> {
    this.sessionNetworks.delete(network.name);
    const restricted = this.restricted.get(network.name);
    if (restricted) {
      this.restricted.delete(network.name);
      await removeRules(restricted.id!, restricted.bridge!).catch(() => undefined);
    }
    return this.networks.remove(network);
  }

  async sweep(options: { all?: boolean; run?: string } = {}): Promise<{ containers: number; networks: number }> {
    const swept = await sweepLeftovers(this.docker, options);
    // Host firewall chains of networks that are gone (their run died before removing them).
    const live = await this.docker.listNetworks().then((l) => l.map((n) => n.Id), () => null);
    if (live) await sweepRules(live);
    return swept;
  }

  /**
   * After an engine restart: containers of this process that are no longer running (the restart stopped them; their
   * trials failed and could not remove them while the engine was away) and per-trial networks of this process that
   * no container uses go; the run's own networks stay (Docker keeps networks across a restart, with their ids, so
   * host firewall rules still match). Builds that failed are forgotten, so the next trial builds again. Running
   * containers (an engine with live-restore keeps them) are left to their trials.
   */
  async recover(): Promise<{ containers: number; networks: number }> {
    this.images.forgetFailures();
    const owner = JSON.stringify({ label: [`${LABEL.managed}=true`, `${LABEL.owner}=${this.labels[LABEL.owner]}`] });
    let containers = 0;
    let networks = 0;
    try {
      const list = await this.docker.listContainers({ all: true, filters: owner });
      for (const c of list.filter((c) => c.State !== 'running' && c.State !== 'created' && c.State !== 'restarting')) {
        await this.docker.getContainer(c.Id).remove({ force: true, v: true }).then(() => containers++, () => undefined);
      }
      for (const n of await this.docker.listNetworks({ filters: owner })) {
        if (this.sessionNetworks.has(n.Name)) continue;
        const info = await this.docker.getNetwork(n.Id).inspect().catch(() => null);
        if (!info || Object.keys(info.Containers ?? {}).length) continue;
        await this.docker.getNetwork(n.Id).remove().then(() => networks++, () => undefined);
      }
    } catch (e) {
      throw new DockerApiError('removing what an engine restart left', e);
    }
    return { containers, networks };
  }

  /** Containers still carrying a run's label (0 after a clean run). */
  containersOfRun(runId: string): Promise<number> {
    return containersOfRun(this.docker, runId);
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled([...this.live].map((s) => s.close()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
}
