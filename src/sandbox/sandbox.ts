/**
 * The sandbox layer's contract. Everything outside src/sandbox talks to these interfaces, never to dockerode.
 */
import type { FileCap } from '../common/capped-file.js';
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
  /**
   * Host file that receives stdout (and `stderrFile` stderr), each capped at `fileCap` (head and tail kept, the middle
   * cut with a marker line); memory keeps a smaller part (`maxBufferBytes`).
   */
  stdoutFile?: string;
  stderrFile?: string;
  /** Default: OUTPUT_FILE_CAP (4 MiB head + 1 MiB tail per stream). */
  fileCap?: FileCap;
  /**
   * Kill the command once stdout and stderr together pass this many bytes (the result has outputStopped = true): the
   * engine relays output at tens of MB/s, so a flood of gigabytes would otherwise hold the trial for minutes.
   * Default: MAX_OUTPUT_BYTES (64 MiB).
   */
  maxOutputBytes?: number;
  /** Bytes of each stream kept in memory (head and tail halves); default 64 KiB. */
  maxBufferBytes?: number;
}

export interface ExecResult {
  /** null when the process was killed before it reported an exit code. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Bytes of stdout/stderr that were dropped from memory (on disk, up to the file cap, when a file was given). */
  stdoutBytesCut: number;
  stderrBytesCut: number;
  /** Bytes of stdout and stderr together that their files did not keep (0 without files). */
  fileBytesCut: number;
  durationMs: number;
  timedOut: boolean;
  aborted: boolean;
  /** Killed for printing more than maxOutputBytes. */
  outputStopped?: boolean;
}

/** What one command may print (stdout and stderr together) before it is killed. */
export const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export interface SandboxFile {
  /** Path relative to the destination folder. */
  path: string;
  content: Buffer | string;
  mode?: number;
}

/** What the engine measures of a sandbox from outside: nothing the agent inside can forge. */
export interface SandboxUsage {
  /** The main process is up (a stopped sandbox runs no command). */
  running: boolean;
  /** Processes in the sandbox now, and its limit; null where the engine does not report them. */
  pids: number | null;
  pidsLimit: number | null;
  /** Bytes in the sandbox's own filesystem (its writable layer); null where the engine does not report it. */
  diskBytes: number | null;
}

/** The kernel's counters of the sandbox's cgroup since its main process started (cgroup v1 and v2). */
export interface LimitCounters {
  /** Processes the kernel OOM-killed at the memory limit. */
  oomKills: number;
  /** Forks refused at the pids limit. */
  forksRefused: number;
}

export interface Sandbox extends AsyncDisposable {
  readonly id: string;
  /** Default working directory of execs. */
  readonly workdir: string;
  /** True when the engine itself caps the sandbox's filesystem at [environment] storage_mb (else hbench samples it). */
  readonly storageCappedByEngine: boolean;
  /** Bytes of command output that did not fit the output files' caps, over every exec so far. */
  readonly outputBytesCut: number;
  /** Processes, process limit and disk use as the engine reports them (one inspect and one stats call). */
  usage(): Promise<SandboxUsage>;
  /** The cgroup's OOM-kill and refused-fork counters, read inside the sandbox; null when they cannot be read. */
  limitCounters(): Promise<LimitCounters | null>;
  /**
   * Kill every process in the sandbox from outside (SIGKILL to its main process takes the rest with it: a fork bomb or
   * a process that ignores SIGTERM cannot resist) and start its main process again. Its files stay.
   */
  restart(): Promise<void>;
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
  /** The images its Dockerfile starts FROM and their ids when it was built (absent for a `docker_image`). */
  bases?: BaseImage[];
}

/** An image a Dockerfile starts FROM, and the engine's id of it. */
export interface BaseImage {
  ref: string;
  id: string;
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
