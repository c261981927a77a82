/**
 * The sandbox layer's contract. Everything outside src/sandbox talks to these interfaces, never to dockerode.
 */
import type { TaskEnvironment } from '../tasks/task.js';

export interface ExecOptions {
  /** Working directory inside the sandbox; default: the sandbox's workdir. */
  cwd?: string;
  env?: Record<string, string>;
  user?: string;
  /** Kill the command after this long; the result has timedOut = true. */
  timeoutMs?: number;
  /** Aborting kills the command (the result has timedOut = false, aborted = true). */
  signal?: AbortSignal;
  /** Host file that receives the full stdout (and `stderrFile` the full stderr); memory keeps a bounded part. */
  stdoutFile?: string;
  stderrFile?: string;
  /** Bytes of each stream kept in memory (head and tail halves); default 64 KiB. */
  maxBufferBytes?: number;
}

export interface ExecResult {
  /** null when the process was killed before it reported an exit code. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Bytes of stdout/stderr that were dropped from memory (still on disk when a file was given). */
  stdoutBytesCut: number;
  stderrBytesCut: number;
  durationMs: number;
  timedOut: boolean;
  aborted: boolean;
}

export interface SandboxFile {
  /** Path relative to the destination folder. */
  path: string;
  content: Buffer | string;
  mode?: number;
}

export interface Sandbox extends AsyncDisposable {
  readonly id: string;
  /** Default working directory of execs. */
  readonly workdir: string;
  /** Run a shell command line (bash -c, falling back to sh) or an argv. */
  exec(command: string | string[], options?: ExecOptions): Promise<ExecResult>;
  /** Copy a host folder's contents into `destDir` (created if needed). */
  uploadDir(hostDir: string, destDir: string): Promise<void>;
  /** Write files under `destDir` (created if needed), creating `alsoCreate` folders in the same call. */
  writeFiles(destDir: string, files: SandboxFile[], alsoCreate?: string[]): Promise<void>;
  /** Read one file; null when it does not exist. */
  readFile(path: string): Promise<Buffer | null>;
  /** Read every regular file under a folder (relative paths); empty when the folder does not exist. */
  readDir(path: string): Promise<Map<string, Buffer>>;
  /** A folder as a tar stream (modes, links and empty folders kept), its own name at the root; null when it is gone. */
  exportDir(path: string): Promise<NodeJS.ReadableStream | null>;
  /** Unpacks a tar stream made by exportDir into `parentDir`. */
  importArchive(archive: NodeJS.ReadableStream, parentDir: string): Promise<void>;
  /**
   * Switch between no network (`none`), the public network (`bridge`) and the egress network (`allowlist`: the run's
   * internal network, whose proxy admits only the phase's hosts; execs then get the proxy's env) for the next phase.
   * Only a sandbox started with a network (and not on an isolated one) can switch; returns false (and changes nothing)
   * otherwise. `allowlist` needs `egress` at start.
   */
  setNetwork(mode: 'none' | 'bridge' | 'allowlist'): Promise<boolean>;
  /** Remove the sandbox and everything it owns. Idempotent. */
  close(): Promise<void>;
}

export interface PreparedImage {
  /** Reference to start containers from (a tag). */
  ref: string;
  /** The engine's image id. */
  id: string;
  /** The image's own WORKDIR ('/' when it sets none). */
  workdir: string;
  /** The image's own ENTRYPOINT, which keeps running (it receives the idle command as its arguments); null = none. */
  entrypoint?: string[] | null;
  /** True when this call built (or pulled) the image; false when it was cached. */
  built: boolean;
  durationMs: number;
}

export interface SandboxStartOptions {
  image: PreparedImage;
  environment: TaskEnvironment;
  /** Name shown in `docker ps` (sanitised by the implementation). */
  name: string;
  /** Labels beyond the run/session labels the implementation always adds. */
  labels?: Record<string, string>;
  signal?: AbortSignal;
  /** Attach to this isolated network (see createIsolatedNetwork) instead of the task's own network setting. */
  isolatedNetwork?: IsolatedNetwork;
  /** Host folders or files bound read-only into the container (a harness bringing its agent in). */
  mounts?: ReadOnlyMount[];
  /** With `isolatedNetwork`: also join the public network (a task that asked for the internet, beside the gateway). */
  publicToo?: boolean;
  /** Where allowlist phases go: the run's egress network and this sandbox's proxy settings. */
  egress?: EgressAttachment;
}

/** A host path bound read-only at a container path. The host path must be on the engine's own machine. */
export interface ReadOnlyMount {
  hostPath: string;
  containerPath: string;
}

/** The egress network (an isolated network whose host runs the egress proxy) and the env that points execs at it. */
export interface EgressAttachment {
  network: IsolatedNetwork;
  env: Record<string, string>;
}

/** A network whose containers reach the host (at `hostAddress`) and each other, and nothing else. */
export interface IsolatedNetwork {
  name: string;
  hostAddress: string;
  /** The engine's id of the network and its bridge interface on the host (for host firewall rules). */
  id?: string;
  bridge?: string;
}

/** Whether containers on a network reach only the host ports served to them (see restrictNetwork). */
export type HostIsolation = { enforced: true; ports: number[] } | { enforced: false; reason: string };

export interface PrepareOptions {
  /** The task the image is for: names the image. */
  taskId: string;
  /** Host file that receives the build log. */
  logFile?: string;
  signal?: AbortSignal;
  /** Label for messages: the task's config file. */
  taskFile: string;
}

/**
 * Where sandboxes come from (Docker today). One per run; owns the image cache and the cleanup of everything it
 * started. ("Backend", not "provider": a provider here is always a model provider.)
 */
export interface SandboxBackend {
  /** Fails with DockerUnavailableError when the engine cannot be reached. */
  ping(): Promise<void>;
  /** Build or pull the task's image once; concurrent callers for the same environment share one build. */
  prepare(environment: TaskEnvironment, options: PrepareOptions): Promise<PreparedImage>;
  start(options: SandboxStartOptions): Promise<Sandbox>;
  /**
   * Create an internal network for the run (removed by removeNetwork, or swept after a crash). Its containers reach
   * the host's address on it, not each other and not the internet.
   */
  createIsolatedNetwork(name: string): Promise<IsolatedNetwork>;
  /**
   * Let containers on the network reach only these TCP ports of the host's address on it (the gateway, the egress
   * proxy), with host firewall rules removed with the network. Where rules cannot be set, nothing changes and the
   * result says why.
   */
  restrictNetwork(network: IsolatedNetwork, ports: number[]): Promise<HostIsolation>;
  removeNetwork(network: IsolatedNetwork): Promise<void>;
  /**
   * Remove leftovers of processes that died without cleaning up (or, with all, everything hbench made; with run,
   * everything one run made, whoever made it: for a run known to be over).
   */
  sweep(options?: { all?: boolean; run?: string }): Promise<{ containers: number; networks: number }>;
  /**
   * After the engine was unreachable (a restart): remove what the outage left of this backend's own making — stopped
   * containers no trial holds any more, per-trial networks no container uses — and forget image builds it broke, so
   * retries build again. Optional: a backend without an engine to lose has nothing to do.
   */
  recover?(): Promise<{ containers: number; networks: number }>;
  /** Close every sandbox this backend started and still holds. */
  close(): Promise<void>;
}
