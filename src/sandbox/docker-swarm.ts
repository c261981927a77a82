/**
 * The Docker Swarm API as hbench uses it to spread a run (cluster/swarm): the swarm's state, a replicated-job service
 * of shard workers, its tasks, its removal, and the worker image on each engine. Swarm places the work; hbench never
 * schedules containers on other machines itself. Like everything that talks to dockerode, it lives here.
 */
import Docker from 'dockerode';
import { DockerApiError, DockerUnavailableError, HbenchError, errorMessage, oneLine } from '../common/errors.js';
import { LABEL, ownerAlive, ownerId } from './docker-labels.js';

export interface SwarmState {
  nodeId: string;
  /** The address other nodes reach this manager on (the advertise address). */
  nodeAddr: string;
  nodes: Array<{ id: string; hostname: string; ready: boolean; active: boolean }>;
}

export type SwarmTaskState = 'new' | 'pending' | 'assigned' | 'accepted' | 'preparing' | 'starting' | 'running' | 'complete' | 'failed' | 'shutdown' | 'rejected' | 'orphaned' | 'remove' | string;

export interface SwarmTask {
  id: string;
  slot: number;
  nodeId: string | null;
  state: SwarmTaskState;
  desired: string;
  exitCode: number | null;
  message: string;
  error: string;
  containerId: string | null;
  createdAt: string;
}

export interface JobServiceSpec {
  name: string;
  image: string;
  args: string[];
  env: Record<string, string>;
  /** One task on every node (a global job) instead of `completions` tasks. */
  everyNode?: boolean;
  /** Completions (one per shard) and how many run at once. */
  completions: number;
  maxConcurrent: number;
  /** At most this many workers on one node at once. */
  maxPerNode: number;
  /** Attempts after a failure before Swarm gives a slot up. */
  maxAttempts: number;
  /** Swarm template, e.g. `hbench-run-{{.Task.Slot}}`. */
  hostname: string;
  labels: Record<string, string>;
}

/** A DOCKER_HOST value (`unix:///…`, `tcp://host:port`) as a dockerode client. */
export function dockerFor(host: string | undefined): Docker {
  if (!host) return new Docker();
  if (host.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
  const m = /^tcp:\/\/([^:/]+)(?::(\d+))?\/?$/.exec(host);
  if (m) return new Docker({ host: m[1], port: Number(m[2] ?? 2375) });
  throw new HbenchError('USAGE', `engine ${host}: give a Docker host as unix:///path/to/docker.sock or tcp://HOST:PORT`);
}

export class SwarmClient {
  constructor(readonly docker: Docker = new Docker()) {}

  /** The swarm this engine manages, or a clear error when it is not a manager. */
  async state(): Promise<SwarmState> {
    let info: { Swarm?: { LocalNodeState?: string; NodeID?: string; NodeAddr?: string; ControlAvailable?: boolean } };
    try {
      info = (await this.docker.info()) as typeof info;
    } catch (e) {
      throw new DockerUnavailableError(`${process.env.DOCKER_HOST ?? '/var/run/docker.sock'}: ${oneLine(errorMessage(e), 120)}`);
    }
    const swarm = info.Swarm;
    if (swarm?.LocalNodeState !== 'active') throw new HbenchError('USAGE', '--engine swarm: this Docker engine is not part of a swarm (docker swarm init, or point DOCKER_HOST at a manager)');
    if (!swarm.ControlAvailable) throw new HbenchError('USAGE', '--engine swarm: this Docker engine is a swarm worker; point DOCKER_HOST at a manager node');
    const nodes = (await this.api('listing swarm nodes', () => this.docker.listNodes())) as Array<{ ID: string; Description?: { Hostname?: string }; Status?: { State?: string }; Spec?: { Availability?: string } }>;
    return {
      nodeId: swarm.NodeID ?? '',
      nodeAddr: swarm.NodeAddr ?? '',
      nodes: nodes.map((n) => ({ id: n.ID, hostname: n.Description?.Hostname ?? n.ID, ready: n.Status?.State === 'ready', active: n.Spec?.Availability === 'active' })),
    };
  }

  async createJob(spec: JobServiceSpec): Promise<string> {
    const body = {
      Name: spec.name,
      Labels: { ...spec.labels, [LABEL.managed]: 'true', [LABEL.owner]: ownerId() },
      TaskTemplate: {
        ContainerSpec: {
          Image: spec.image,
          Args: spec.args,
          Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
          Hostname: spec.hostname,
          // The worker starts trial containers on its own node's engine, and sets the host firewall rules that keep
          // gateway containers to the gateway's port: the engine's socket, the node's network, NET_ADMIN.
          Mounts: [{ Type: 'bind', Source: '/var/run/docker.sock', Target: '/var/run/docker.sock' }],
          CapabilityAdd: ['CAP_NET_ADMIN'],
          // Not `managed`: a worker's own sweep of orphaned containers must never take the worker for one.
          Labels: spec.labels,
        },
        RestartPolicy: { Condition: 'on-failure', Delay: 1_000_000_000, MaxAttempts: spec.maxAttempts },
        ...(spec.everyNode ? {} : { Placement: { MaxReplicas: spec.maxPerNode } }),
        Networks: [{ Target: 'host' }],
      },
      Mode: spec.everyNode ? { GlobalJob: {} } : { ReplicatedJob: { MaxConcurrent: spec.maxConcurrent, TotalCompletions: spec.completions } },
    };
    const created = (await this.api(`creating service ${spec.name}`, () => this.docker.createService(body as never))) as { id?: string; ID?: string };
    return created.id ?? created.ID ?? spec.name;
  }

  async tasks(service: string): Promise<SwarmTask[]> {
    const list = (await this.api('listing service tasks', () => (this.docker.listTasks as (o: object) => Promise<unknown>).call(this.docker, { filters: JSON.stringify({ service: [service] }) }))) as Array<{
      ID: string;
      Slot?: number;
      NodeID?: string;
      DesiredState?: string;
      CreatedAt?: string;
      Status?: { State?: string; Message?: string; Err?: string; ContainerStatus?: { ContainerID?: string; ExitCode?: number } };
    }>;
    return list.map((t) => ({
      id: t.ID,
      // The API leaves out a slot of 0 (a job's first).
      slot: t.Slot ?? 0,
      nodeId: t.NodeID ?? null,
      state: t.Status?.State ?? 'new',
      desired: t.DesiredState ?? '',
      exitCode: t.Status?.ContainerStatus?.ExitCode ?? null,
      message: t.Status?.Message ?? '',
      error: t.Status?.Err ?? '',
      containerId: t.Status?.ContainerStatus?.ContainerID ?? null,
      createdAt: t.CreatedAt ?? '',
    }));
  }

  async removeService(service: string): Promise<void> {
    try {
      await this.docker.getService(service).remove();
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return;
      throw new DockerApiError(`removing service ${service}`, e);
    }
  }

  /** Services left by coordinators that died (their owner process is gone). */
  async sweep(): Promise<number> {
    const list = (await this.api('listing services', () => (this.docker.listServices as (o: object) => Promise<unknown>).call(this.docker, { filters: JSON.stringify({ label: [`${LABEL.managed}=true`] }) }))) as Array<{ ID: string; Spec?: { Labels?: Record<string, string> } }>;
    let removed = 0;
    for (const s of list) {
      if (ownerAlive(s.Spec?.Labels?.[LABEL.owner])) continue;
      await this.removeService(s.ID);
      removed++;
    }
    return removed;
  }

  private async api<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      throw new DockerApiError(what, e);
    }
  }
}

/** An image's id on an engine, or null when the engine does not have it. */
export async function imageId(docker: Docker, ref: string): Promise<string | null> {
  try {
    return ((await docker.getImage(ref).inspect()) as { Id: string }).Id;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return null;
    throw new DockerApiError(`looking for image ${ref}`, e);
  }
}

/** `docker save | docker -H to load`: the image keeps its id, so a service can name it by id on every node. */
export async function copyImage(from: Docker, to: Docker, ref: string): Promise<void> {
  try {
    const saved = await from.getImage(ref).get();
    const loading = await to.loadImage(saved as never);
    await new Promise<void>((resolve, reject) => {
      to.modem.followProgress(loading, (err: Error | null, output: Array<{ error?: string }>) => {
        const failed = err?.message ?? output.find((o) => o.error)?.error;
        if (failed) reject(new Error(failed));
        else resolve();
      });
    });
  } catch (e) {
    throw new DockerApiError(`copying image ${ref} to another engine`, e);
  }
}

export async function buildImage(docker: Docker, context: NodeJS.ReadableStream, tag: string, dockerfile: string, log: (line: string) => void): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(context as never, { t: tag, dockerfile, rm: true, forcerm: true });
  } catch (e) {
    throw new DockerApiError(`building ${tag}`, e);
  }
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, output: Array<{ error?: string }>) => {
        const failed = err?.message ?? output.find((o) => o.error)?.error;
        if (failed) reject(new HbenchError('IMAGE_BUILD', `building the worker image ${tag} failed: ${oneLine(failed)}`));
        else resolve();
      },
      (event: { stream?: string; error?: string }) => {
        if (event.stream) for (const l of event.stream.split('\n')) if (l.trim()) log(l);
        if (event.error) log(event.error);
      },
    );
  });
}
