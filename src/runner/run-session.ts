/**
 * What every command that runs trials stands up and tears down, in one place: the sandbox backend (engine reachable,
 * leftovers of killed runs swept), and — when a harness reaches the model through it — the model gateway on an
 * internal network that leads nowhere else, and — when a task has a network allowlist — the egress proxy on that same
 * network. `hbench run`, `hbench tasks check` and the benchmark all execute their
 * trials through a session. Teardown runs in reverse order on every path.
 */
import { randomBytes } from 'node:crypto';
import { ModelGateway } from '../models/gateway.js';
import type { ModelProvider } from '../models/provider.js';
import { DockerBackend } from '../sandbox/docker-backend.js';
import { EgressProxy, hostsFileLookup } from '../sandbox/egress-proxy.js';
import type { HostIsolation, IsolatedNetwork, SandboxBackend } from '../sandbox/sandbox.js';
import { executePlan, type ExecuteOptions, type ExecuteOutcome } from './executor.js';
import { Lifecycle } from './lifecycle.js';
import type { TrialSpec } from './trial.js';

export interface SessionOptions {
  runId: string;
  /** Start the model gateway for this provider (harnesses that use it are in the plan). */
  gatewayModel?: ModelProvider | null;
  /** A backend to use instead of a new Docker one (the session then closes it too). */
  sandboxes?: SandboxBackend;
  /** Start the egress proxy (some task in the plan has a `network_mode = "allowlist"` phase). */
  egress?: boolean;
}

export type SessionExecuteOptions = Omit<ExecuteOptions, 'runId' | 'sandboxes' | 'gateway' | 'egress'>;

export class RunSession {
  private constructor(
    readonly runId: string,
    readonly sandboxes: SandboxBackend,
    /** Containers and networks of killed runs removed when the session opened. */
    readonly swept: { containers: number; networks: number },
    private readonly gateway: { gateway: ModelGateway; network: IsolatedNetwork } | undefined,
    private readonly lifecycle: Lifecycle,
    private readonly egress: { proxy: EgressProxy; network: IsolatedNetwork } | undefined,
    /** Whether containers on the internal network reach only the gateway's and the proxy's ports (null: no network). */
    readonly hostIsolation: HostIsolation | null = null,
  ) {}

  static async open(options: SessionOptions): Promise<RunSession> {
    const lifecycle = new Lifecycle();
    try {
      const sandboxes = await lifecycle.step('sandbox backend', async () => {
        const backend = options.sandboxes ?? new DockerBackend({ runId: options.runId });
        await backend.ping();
        return backend;
      });
      // Leftovers of runs that were killed (kill -9, a second Ctrl+C) are removed before anything starts.
      const swept = await sandboxes.sweep();
      let gateway: { gateway: ModelGateway; network: IsolatedNetwork } | undefined;
      let egress: { proxy: EgressProxy; network: IsolatedNetwork } | undefined;
      // One internal network serves the gateway and the egress proxy; each admits only its own per-trial credentials.
      // Named apart even from processes with the same pid: swarm workers on one node (pid 1 each) share its engine.
      const network = options.gatewayModel || options.egress
        ? await lifecycle.step('internal network', () => sandboxes.createIsolatedNetwork(`hbench-${options.runId}-${process.pid}-${randomBytes(3).toString('hex')}`), (n) => sandboxes.removeNetwork(n))
        : null;
      const ports: number[] = [];
      if (options.gatewayModel && network) {
        const server = await lifecycle.step('model gateway', async () => {
          const g = new ModelGateway(options.gatewayModel!);
          ports.push((await g.listen(network.hostAddress, 0)).port);
          return g;
        }, (g) => g.close());
        gateway = { gateway: server, network };
      }
      if (options.egress && network) {
        const proxy = await lifecycle.step('egress proxy', async () => {
          // HBENCH_EGRESS_HOSTS_FILE is for tests: stand-in servers on the host play the allowed and denied hosts.
          const hostsFile = process.env.HBENCH_EGRESS_HOSTS_FILE;
          const p = new EgressProxy({ lookup: hostsFile ? hostsFileLookup(hostsFile) : undefined });
          ports.push((await p.listen(network.hostAddress, 0)).port);
          return p;
        }, (p) => p.close());
        egress = { proxy, network };
      }
      // Only the gateway and the proxy: host firewall rules close every other port of the host to the network.
      const hostIsolation = network ? await sandboxes.restrictNetwork(network, ports) : null;
      // Registered last so it runs first: containers leave the gateway's network before it is removed.
      lifecycle.defer('sandboxes', () => sandboxes.close());
      return new RunSession(options.runId, sandboxes, swept, gateway, lifecycle, egress, hostIsolation);
    } catch (err) {
      await lifecycle.close();
      throw err;
    }
  }

  execute(plan: TrialSpec[], options: SessionExecuteOptions): Promise<ExecuteOutcome> {
    return executePlan(plan, { ...options, runId: this.runId, sandboxes: this.sandboxes, gateway: this.gateway, egress: this.egress });
  }

  /** Tears everything down; teardown errors are not raised (the results are already safe), only returned. */
  close(): Promise<Error[]> {
    return this.lifecycle.close();
  }
}
