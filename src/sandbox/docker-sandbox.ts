/**
 * A Sandbox backed by one Docker container. Commands run through `docker exec`; a command that must be stopped
 * (timeout, abort) is killed with its whole process group, which the wrapper makes it lead with setsid.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { CappedFile, OUTPUT_FILE_CAP } from '../common/capped-file.js';
import { DockerApiError } from '../common/errors.js';
import { BoundedOutput } from './bounded-output.js';
import { MAX_OUTPUT_BYTES, type ExecOptions, type ExecResult, type LimitCounters, type Sandbox, type SandboxFile, type SandboxUsage } from './sandbox.js';
import { entriesFromDir, packEntries, unpack } from '../common/tar.js';

const PID_DIR = '/tmp/.hbench-exec';
const DEFAULT_BUFFER = 64 * 1024;
/** How long removing or restarting a container may take before it is an error (a SIGKILL is not refused). */
const REMOVE_WAIT_MS = 30_000;

/** The cgroup files with the counters, for cgroup v2 (one folder) and v1 (one folder per controller). */
const COUNTER_FILES = ['/sys/fs/cgroup/memory.events', '/sys/fs/cgroup/memory/memory.oom_control', '/sys/fs/cgroup/pids.events', '/sys/fs/cgroup/pids/pids.events'];
const COUNTERS_SCRIPT = `for f in ${COUNTER_FILES.join(' ')}; do [ -r "$f" ] && { echo "== $f"; cat "$f"; }; done; true`;

/** Reads the counters script's output: `oom_kill N` of a memory file, `max N` of a pids file. */
export function parseLimitCounters(text: string): LimitCounters | null {
  let file = '';
  let oomKills: number | null = null;
  let forksRefused: number | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('== ')) file = line.slice(3);
    const [key, value] = line.trim().split(/\s+/);
    const n = Number(value);
    if (!Number.isFinite(n)) continue;
    if (file.includes('memory') && key === 'oom_kill') oomKills = (oomKills ?? 0) + n;
    if (file.includes('pids') && key === 'max') forksRefused = (forksRefused ?? 0) + n;
  }
  return oomKills === null && forksRefused === null ? null : { oomKills: oomKills ?? 0, forksRefused: forksRefused ?? 0 };
}

/**
 * Runs argv in a new session (so the process group can be killed as one) and records the group's id.
 * Falls back to recording the plain pid where the image has no setsid.
 */
function wrap(argv: string[], execId: string): string[] {
  const pidFile = `${PID_DIR}/${execId}`;
  const script =
    `mkdir -p ${PID_DIR} 2>/dev/null; ` +
    `if command -v setsid >/dev/null 2>&1; then exec setsid -w sh -c 'echo $$ > ${pidFile}; exec "$@"' sh "$@"; ` +
    `else echo $$ > ${pidFile}; exec "$@"; fi`;
  return ['sh', '-c', script, 'sh', ...argv];
}

/** A command line runs under bash where the image has it (agents expect bash), else sh. */
export function shellArgv(command: string | string[]): string[] {
  if (Array.isArray(command)) return command;
  return ['sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash -c "$1"; else exec sh -c "$1"; fi', 'sh', command];
}

/** The public bridge and the egress network (with the env that points at its proxy) a sandbox moves between. */
export interface SwitchableNetworks {
  start: 'bridge' | 'allowlist';
  bridge: Docker.Network;
  egress: { network: Docker.Network; env: Record<string, string> } | null;
}

export class DockerSandbox implements Sandbox {
  private closed: Promise<void> | null = null;
  private cut = 0;

  constructor(
    private readonly container: Docker.Container,
    readonly id: string,
    readonly workdir: string,
    private readonly onClose: (sandbox: DockerSandbox) => void,
    /** The networks it can leave and join, and the one it started on (null: it has none, or an isolated one). */
    private readonly networks: SwitchableNetworks | null = null,
    readonly storageCappedByEngine = false,
  ) {
    this.network = networks?.start ?? 'none';
  }

  get outputBytesCut(): number {
    return this.cut;
  }

  async usage(): Promise<SandboxUsage> {
    try {
      // `size`: the engine measures the writable layer (it walks the files the container added or changed).
      const [info, stats] = await Promise.all([
        this.container.inspect({ size: true } as object),
        this.container.stats({ stream: false, 'one-shot': true } as { stream: false }) as Promise<{ pids_stats?: { current?: number; limit?: number } }>,
      ]);
      const size = (info as { SizeRw?: number }).SizeRw;
      return {
        running: info.State.Running,
        pids: stats.pids_stats?.current ?? null,
        pidsLimit: stats.pids_stats?.limit ?? null,
        diskBytes: typeof size === 'number' ? size : null,
      };
    } catch (e) {
      throw new DockerApiError(`measuring ${this.id.slice(0, 12)}`, e);
    }
  }

  async limitCounters(): Promise<LimitCounters | null> {
    // From /: the agent may have removed its working directory.
    const r = await this.exec(['sh', '-c', COUNTERS_SCRIPT], { timeoutMs: 10_000, cwd: '/' }).catch(() => null);
    return r && r.exitCode === 0 ? parseLimitCounters(r.stdout) : null;
  }

  async restart(): Promise<void> {
    try {
      await this.container.kill({ signal: 'SIGKILL' }).catch((e: { statusCode?: number }) => {
        // 409: not running (its main process already died).
        if (e.statusCode !== 409) throw e;
      });
      await bounded(this.container.wait({ condition: 'not-running' }), `stopping ${this.id.slice(0, 12)}`);
      await this.container.start();
    } catch (e) {
      throw new DockerApiError(`restarting ${this.id.slice(0, 12)} to kill every process in it`, e);
    }
  }

  private network: 'none' | 'bridge' | 'allowlist';

  /** Env every exec gets in the current phase: the egress proxy's settings while on the egress network. */
  private get phaseEnv(): Record<string, string> {
    return this.network === 'allowlist' ? (this.networks?.egress?.env ?? {}) : {};
  }

  async setNetwork(mode: 'none' | 'bridge' | 'allowlist'): Promise<boolean> {
    const n = this.networks;
    if (!n) return false;
    if (mode === this.network) return true;
    if (mode === 'allowlist' && !n.egress) throw new DockerApiError(`switching ${this.id.slice(0, 12)} to the egress network`, new Error('it was started without one'));
    const of = (m: 'bridge' | 'allowlist') => (m === 'bridge' ? n.bridge : n.egress!.network);
    try {
      // Leave first: never on both networks at once.
      if (this.network !== 'none') await of(this.network).disconnect({ Container: this.id, Force: true });
      this.network = 'none';
      if (mode !== 'none') await of(mode).connect({ Container: this.id });
      this.network = mode;
      return true;
    } catch (e) {
      throw new DockerApiError(`switching ${this.id.slice(0, 12)} to network ${mode}`, e);
    }
  }

  async exec(command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
    const started = performance.now();
    const execId = randomUUID();
    const argv = shellArgv(command);
    const max = options.maxBufferBytes ?? DEFAULT_BUFFER;
    const out = new BoundedOutput(max);
    const err = new BoundedOutput(max);
    const cap = options.fileCap ?? OUTPUT_FILE_CAP;
    const outFile = options.stdoutFile ? await CappedFile.open(options.stdoutFile, cap) : null;
    const errFile = options.stderrFile ? await CappedFile.open(options.stderrFile, cap) : null;

    let timedOut = false;
    let aborted = false;
    let outputStopped = false;
    const maxOutput = options.maxOutputBytes ?? MAX_OUTPUT_BYTES;
    let stopping: Promise<void> | null = null;
    // Set once the stream is being read: after a kill, stop waiting for a stream a stray process keeps open.
    let giveUpWaiting: (() => void) | null = null;
    const stop = () => {
      stopping ??= this.killGroup(execId);
      setTimeout(() => giveUpWaiting?.(), 3000).unref();
      return stopping;
    };
    // Output that cannot be kept (the disk is full or read-only) stops the command and is its error, naming the file
    // (a failed write on an open file names none). Without a listener the stream's 'error' would crash the process.
    let sinkFailure: NodeJS.ErrnoException | null = null;
    for (const sink of [outFile, errFile]) {
      sink?.onFailure((e) => {
        sinkFailure ??= e;
        void stop();
      });
    }
    const timer = options.timeoutMs !== undefined ? setTimeout(() => ((timedOut = true), void stop()), Math.max(0, options.timeoutMs)) : null;
    const onAbort = () => {
      aborted = true;
      void stop();
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    try {
      const exec = await this.container.exec({
        Cmd: wrap(argv, execId),
        AttachStdout: true,
        AttachStderr: true,
        WorkingDir: options.cwd ?? this.workdir,
        Env: options.env || this.network === 'allowlist' ? Object.entries({ ...this.phaseEnv, ...options.env }).map(([k, v]) => `${k}=${v}`) : undefined,
        User: options.user,
      });
      const stream = await exec.start({ hijack: true, stdin: false });
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const onData = (memory: BoundedOutput, file: CappedFile | null) => (c: Buffer) => {
        memory.push(c);
        file?.write(c);
        if (!outputStopped && out.totalBytes + err.totalBytes > maxOutput) {
          outputStopped = true;
          void stop();
        }
      };
      stdout.on('data', onData(out, outFile));
      stderr.on('data', onData(err, errFile));
      this.container.modem.demuxStream(stream, stdout, stderr);
      await new Promise<void>((resolve) => {
        giveUpWaiting = resolve;
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', () => resolve());
        if (stopping) setTimeout(resolve, 3000).unref();
      });
      if (stopping) await stopping;
      if (sinkFailure) throw sinkFailure;
      const info = await exec.inspect().catch(() => null);
      const exitCode = timedOut || aborted || outputStopped ? (info && !info.Running ? info.ExitCode : null) : (info?.ExitCode ?? null);
      return {
        exitCode,
        stdout: out.toString(),
        stderr: err.toString(),
        stdoutBytesCut: out.bytesCut,
        stderrBytesCut: err.bytesCut,
        durationMs: Math.round(performance.now() - started),
        fileBytesCut: (outFile?.bytesCut ?? 0) + (errFile?.bytesCut ?? 0),
        timedOut,
        aborted: aborted && !timedOut,
        ...(outputStopped ? { outputStopped } : {}),
      };
    } catch (e) {
      if (e === sinkFailure) throw e;
      throw new DockerApiError(`running a command in ${this.id.slice(0, 12)}`, e);
    } finally {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      await Promise.all([outFile?.close(), errFile?.close()]);
      this.cut += (outFile?.bytesCut ?? 0) + (errFile?.bytesCut ?? 0);
    }
  }

  private async killGroup(execId: string): Promise<void> {
    const pidFile = `${PID_DIR}/${execId}`;
    const script = `p=$(cat ${pidFile} 2>/dev/null) && { kill -9 -"$p" 2>/dev/null || kill -9 "$p" 2>/dev/null; }; rm -f ${pidFile}`;
    try {
      const exec = await this.container.exec({ Cmd: ['sh', '-c', script], AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({ hijack: true, stdin: false });
      stream.resume();
      await new Promise<void>((resolve) => (stream.on('end', resolve), stream.on('close', resolve), stream.on('error', () => resolve())));
    } catch {
      // The container may already be gone (trial teardown): nothing left to kill.
    }
  }

  async uploadDir(hostDir: string, destDir: string): Promise<void> {
    await this.putEntries(await entriesFromDir(hostDir, destDir), [destDir]);
  }

  async writeFiles(destDir: string, files: SandboxFile[], alsoCreate: string[] = []): Promise<void> {
    const prefix = destDir.replace(/^\/+/, '').replace(/\/+$/, '');
    await this.putEntries(
      files.map((f) => ({
        name: prefix ? `${prefix}/${f.path}` : f.path,
        content: Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content),
        mode: f.mode ?? 0o644,
      })),
      [destDir, ...alsoCreate],
    );
  }

  private async putEntries(entries: Parameters<typeof packEntries>[0], dirs: string[] = []): Promise<void> {
    const archive = await packEntries(
      entries,
      dirs.map((d) => d.replace(/^\/+/, '')),
    );
    try {
      await this.container.putArchive(archive, { path: '/' });
    } catch (e) {
      throw new DockerApiError(`copying files into ${this.id.slice(0, 12)}`, e);
    }
  }

  async readFile(file: string): Promise<Buffer | null> {
    const files = await this.readArchive(file);
    return files ? (files.get(path.posix.basename(file)) ?? null) : null;
  }

  async readDir(dir: string): Promise<Map<string, Buffer>> {
    const files = await this.readArchive(dir.replace(/\/+$/, ''));
    const out = new Map<string, Buffer>();
    if (!files) return out;
    const root = `${path.posix.basename(dir.replace(/\/+$/, ''))}/`;
    for (const [name, content] of files) if (name.startsWith(root)) out.set(name.slice(root.length), content);
    return out;
  }

  async exportDir(dir: string): Promise<NodeJS.ReadableStream | null> {
    try {
      return await this.container.getArchive({ path: dir.replace(/\/+$/, '') });
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return null;
      throw new DockerApiError(`copying ${dir} out of ${this.id.slice(0, 12)}`, e);
    }
  }

  async importArchive(archive: NodeJS.ReadableStream, parentDir: string): Promise<void> {
    try {
      await this.container.putArchive(archive, { path: parentDir });
    } catch (e) {
      throw new DockerApiError(`copying files into ${parentDir} of ${this.id.slice(0, 12)}`, e);
    }
  }

  private async readArchive(p: string): Promise<Map<string, Buffer> | null> {
    try {
      const stream = await this.container.getArchive({ path: p });
      return await unpack(stream);
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return null;
      throw new DockerApiError(`reading ${p} from ${this.id.slice(0, 12)}`, e);
    }
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      try {
        // SIGKILL and removal; bounded, so a container the engine cannot remove never holds the trial.
        await bounded(this.container.remove({ force: true, v: true }), `removing ${this.id.slice(0, 12)}`);
      } catch (e) {
        const status = (e as { statusCode?: number }).statusCode;
        // 404: already gone; 409: removal already in progress.
        if (status !== 404 && status !== 409) throw new DockerApiError(`removing container ${this.id.slice(0, 12)}`, e);
      } finally {
        this.onClose(this);
      }
    })();
    return this.closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function bounded<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${REMOVE_WAIT_MS / 1000} s`)), REMOVE_WAIT_MS);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
