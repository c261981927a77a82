/**
 * The reaper: removes containers and networks whose owning hbench process died (kill -9, a second Ctrl+C), found by
 * the labels every resource carries. Resources of live processes are left alone unless `all` is asked for.
 */
import type Docker from 'dockerode';
import { DockerApiError } from '../common/errors.js';
import { LABEL, ownerAlive } from './docker-labels.js';

export async function sweepLeftovers(docker: Docker, options: { all?: boolean; run?: string } = {}): Promise<{ containers: number; networks: number }> {
  const filters = JSON.stringify({ label: [`${LABEL.managed}=true`, ...(options.run ? [`${LABEL.run}=${options.run}`] : [])] });
  // A run named is over: what carries its label is left over, whichever process (or swarm worker) made it.
  const sweepAll = options.all || !!options.run;
  let containers = 0;
  let networks = 0;
  try {
    const list = await docker.listContainers({ all: true, filters });
    await Promise.all(
      list.map(async (c) => {
        if (!sweepAll && ownerAlive(c.Labels[LABEL.owner])) return;
        await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
        containers++;
      }),
    );
    const nets = await docker.listNetworks({ filters });
    await Promise.all(
      nets.map(async (n) => {
        if (!sweepAll && ownerAlive(n.Labels?.[LABEL.owner])) return;
        await docker.getNetwork(n.Id).remove().catch(() => undefined);
        networks++;
      }),
    );
  } catch (e) {
    throw new DockerApiError('sweeping leftover containers', e);
  }
  return { containers, networks };
}

/** Containers (running or not) that carry a run's label: what a run leaves behind when it leaks. */
export async function containersOfRun(docker: Docker, runId: string): Promise<number> {
  const list = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL.run}=${runId}`] }) });
  return list.length;
}
