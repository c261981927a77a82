/**
 * A SandboxBackend with no engine behind it, for runs of thousands of trials in one process (scale and memory tests):
 * images are made up, every command exits 0 at once, and the verifier "writes" the reward chosen by `reward`. It
 * counts what it started and closed, so a test can see that every sandbox was closed.
 */
import type { HostIsolation, IsolatedNetwork, PreparedImage, Sandbox, SandboxBackend, SandboxStartOptions } from '../sandbox/sandbox.js';
import type { TaskEnvironment } from '../tasks/task.js';
import { execResult } from './fake-sandbox.js';

export interface FakeBackendOptions {
  /** The reward a trial's verifier reports (by the sandbox's name, the trial key); default 1. */
  reward?: (name: string) => number;
}

export class FakeBackend implements SandboxBackend {
  started = 0;
  closed = 0;
  /** Most sandboxes open at once. */
  peak = 0;
  private readonly open = new Set<Sandbox>();

  constructor(private readonly options: FakeBackendOptions = {}) {}

  /** Sandboxes started and not closed. */
  get running(): number {
    return this.open.size;
  }

  async ping(): Promise<void> {}

  async prepare(_environment: TaskEnvironment, options: { taskId: string }): Promise<PreparedImage> {
    return { ref: `fake/${options.taskId}:latest`, id: `sha256:fake-${options.taskId}`, workdir: '/app', built: false, durationMs: 0 };
  }

  async start(options: SandboxStartOptions): Promise<Sandbox> {
    this.started++;
    const reward = String(this.options.reward?.(options.name) ?? 1);
    const open = this.open;
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      open.delete(sandbox);
      this.closed++;
    };
    const sandbox: Sandbox = {
      id: `fake-${this.started}`,
      workdir: options.image.workdir,
      storageCappedByEngine: false,
      outputBytesCut: 0,
      async usage() {
        return { running: true, pids: 1, pidsLimit: null, diskBytes: 0 };
      },
      async limitCounters() {
        return { oomKills: 0, forksRefused: 0 };
      },
      async restart() {},
      async exec() {
        return execResult();
      },
      async uploadDir() {},
      async writeFiles() {},
      async readFile() {
        return null;
      },
      async readDir(dir) {
        return dir === '/logs/verifier' ? new Map([['reward.txt', Buffer.from(`${reward}\n`)]]) : new Map();
      },
      async exportDir() {
        return null;
      },
      async importArchive() {},
      async setNetwork() {
        return false;
      },
      close,
      [Symbol.asyncDispose]: close,
    };
    open.add(sandbox);
    this.peak = Math.max(this.peak, open.size);
    return sandbox;
  }

  async createIsolatedNetwork(name: string): Promise<IsolatedNetwork> {
    return { name, hostAddress: '127.0.0.1' };
  }

  async restrictNetwork(): Promise<HostIsolation> {
    return { enforced: false, reason: 'a fake backend has no network' };
  }

  async removeNetwork(): Promise<void> {}

  async sweep(): Promise<{ containers: number; networks: number }> {
    return { containers: 0, networks: 0 };
  }

  async close(): Promise<void> {
    await Promise.all([...this.open].map((s) => s.close()));
  }
}
