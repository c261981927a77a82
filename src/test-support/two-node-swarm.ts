/**
 * A real two-node Docker Swarm on one machine, for tests of code that spreads containers over swarm nodes.
 *
 * The manager is the machine's own engine (/var/run/docker.sock). The worker is a second dockerd in three namespaces
 * of its own:
 * - network: joined to the host by a veth pair on a free 10.213.k.0/24 (host side .1, worker side .2), with no default
 *   route, so the worker reaches the manager and nothing else;
 * - mount: a fresh tmpfs on /run, where the worker's dockerd makes its own /run/docker.sock (= /var/run/docker.sock).
 *   The daemon, its containerd and runc all live in this mount namespace, so a worker task that bind-mounts
 *   /var/run/docker.sock gets the worker's engine, as on a real node, while the host keeps its own socket. The host
 *   reaches the worker through a second socket of the same daemon in the state folder (`workerHost`);
 * - UTS: its own hostname, so `docker node ls` tells the nodes apart.
 *
 * Every name carries `hbsw-` and a 6-character id (state folder /tmp/hbsw-<id>, namespace, veth ends, containerd
 * namespace, cgroup parent), and the state folder records the owning process, so `sweepTwoNodeSwarms` — run by every
 * start — removes what a killed process left and never touches a live one. Needs Linux, root, ip, nsenter, unshare
 * and dockerd on this machine; no registry.
 *
 * Services must name their image by id (what `seed` returns): with a tag, every node tries a registry pull first,
 * even with `--no-resolve-image`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { access, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage, HbenchError } from '../common/errors.js';
import { Lifecycle } from '../runner/lifecycle.js';
import { cgroupDirs, cmd, type DaemonSpec, docker, namespaces, preflight as enginePreflight, processes, removeCgroups, removeStateDir, seedEngine, startDaemon, startTime, stopDaemon, until } from './private-engine.js';

export interface TwoNodeSwarm extends AsyncDisposable {
  /** DOCKER_HOST of the manager node: the machine's own engine. */
  readonly managerHost: string;
  /** DOCKER_HOST of the worker node, e.g. 'unix:///tmp/hbsw-3fa9c2/worker.sock'. */
  readonly workerHost: string;
  /** The two ends of the veth pair: the manager's (host side) and the worker's (inside its namespace). */
  readonly managerAddr: string;
  readonly workerAddr: string;
  readonly managerNodeId: string;
  readonly workerNodeId: string;
  /** Copies images from the manager's engine into the worker's; resolves to their ids (the same on both nodes). */
  seed(images: string[]): Promise<string[]>;
  /** Removes everything the swarm made, in reverse order, on every path; a second call waits for the first. */
  close(): Promise<void>;
}

export interface TwoNodeSwarmOptions {
  /** The worker node's hostname (`docker node ls`, `{{.Node.Hostname}}`); default `hbsw-<id>-worker`. */
  name?: string;
}

const MANAGER_HOST = 'unix:///var/run/docker.sock';
/** Fixed, not os.tmpdir(): a sweep from any process must find the folders, and the worker's /run is hidden. */
const ROOT = '/tmp';
const PREFIX = 'hbsw-';
/** An id in any text (a swarm's id is 6 hex digits); and a name that is exactly prefix + id. */
const ID_IN = /hbsw-([0-9a-f]{6})(?![0-9a-z])/g;
const ID_NAME = /^hbsw-[0-9a-f]{6}$/;
/** The worker's subnet is the first 10.213.k.0/24 no route of the host overlaps; a manager swarm advertised in it is ours. */
const NET = '10.213';
const SWARM_PORT = 2377;
const TOOLS = ['ip', 'nsenter', 'unshare', 'dockerd', 'docker'];
/** A file in the state folder: this swarm's init made the manager's docker_gwbridge, so its end removes it. */
const GWBRIDGE_MADE = 'made-docker_gwbridge';

/** Swarms this process has open: a sweep leaves them alone. */
const open = new Set<string>();

const names = (id: string) => {
  const dir = path.join(ROOT, `${PREFIX}${id}`);
  return {
    tag: `${PREFIX}${id}`,
    dir,
    netns: `${PREFIX}${id}`,
    hostVeth: `${PREFIX}${id}-m`,
    workerVeth: `${PREFIX}${id}-w`,
    workerHost: `unix://${path.join(dir, 'worker.sock')}`,
  };
};

/** The worker node's dockerd. */
const daemon = (id: string, hostname = `${PREFIX}${id}-worker`): DaemonSpec => {
  const n = names(id);
  return { tag: n.tag, dir: n.dir, netns: n.netns, hostname, host: n.workerHost };
};
const stopWorker = (id: string) => stopDaemon(daemon(id), { removeContainers: true });

export async function startTwoNodeSwarm(options: TwoNodeSwarmOptions = {}): Promise<TwoNodeSwarm> {
  const id = randomBytes(3).toString('hex');
  const hostname = options.name ?? `${PREFIX}${id}-worker`;
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(hostname)) {
    throw new TypeError(`startTwoNodeSwarm: name must be a hostname (lower-case letters, digits, inner dashes; at most 63), got ${JSON.stringify(options.name)}`);
  }
  await preflight();
  await sweepTwoNodeSwarms();
  await checkManagerFree();

  const n = names(id);
  open.add(id);
  const life = new Lifecycle();
  // Teardowns run in reverse: worker leaves, manager leaves, worker stops, network goes, folder goes. Each is
  // registered before its set-up and does nothing where nothing was made, so a start failing half-way cleans up too.
  life.defer('forget', () => open.delete(id));
  life.defer('state folder', () => removeStateDir(n.dir));
  try {
    await mkdir(n.dir);
    await writeFile(path.join(n.dir, 'owner'), `${process.pid} ${await startTime(process.pid)}\n`);
    life.defer('namespace and veth pair', () => removeNetwork(id));
    const { managerAddr, workerAddr } = await makeNetwork(id);
    life.defer('worker engine', async () => {
      await stopWorker(id);
      await removeCgroups(n.tag);
    });
    await startDaemon(daemon(id, hostname));
    // swarm init makes docker_gwbridge where it is missing, and leaving does not remove it: note who made it.
    const gwbridgeMade = !(await gwbridgeExists());
    if (gwbridgeMade) await writeFile(path.join(n.dir, GWBRIDGE_MADE), '');
    await docker(MANAGER_HOST, 'swarm', 'init', '--advertise-addr', managerAddr, '--listen-addr', `${managerAddr}:${SWARM_PORT}`);
    life.defer('manager leaves the swarm', () => leaveManager(gwbridgeMade));
    life.defer('worker leaves the swarm', () => leaveSwarm(n.workerHost));
    const token = await docker(MANAGER_HOST, 'swarm', 'join-token', '-q', 'worker');
    await docker(n.workerHost, 'swarm', 'join', '--token', token, '--advertise-addr', workerAddr, '--listen-addr', `${workerAddr}:${SWARM_PORT}`, `${managerAddr}:${SWARM_PORT}`);
    const nodeId = (host: string) => docker(host, 'info', '--format', '{{.Swarm.NodeID}}');
    const [managerNodeId, workerNodeId] = await Promise.all([nodeId(MANAGER_HOST), nodeId(n.workerHost)]);
    await until(`worker node ${workerNodeId} ready`, 30_000, async () => (await docker(MANAGER_HOST, 'node', 'inspect', '--format', '{{.Status.State}}', workerNodeId)) === 'ready');

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= life.close().then((errors) => {
        if (errors.length) throw new AggregateError(errors, `closing two-node swarm ${n.tag}: ${errors.map((e) => e.message).join('; ')}`);
      }));
    return {
      managerHost: MANAGER_HOST,
      workerHost: n.workerHost,
      managerAddr,
      workerAddr,
      managerNodeId,
      workerNodeId,
      seed: (images) => seedEngine(MANAGER_HOST, n.workerHost, images),
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (err) {
    const errors = await life.close();
    if (!errors.length) throw err;
    throw new AggregateError([err, ...errors], `${errorMessage(err)} (and while tearing down: ${errors.map((e) => e.message).join('; ')})`);
  }
}

/**
 * Removes what swarms of exited processes left: the manager's swarm (when it was advertised on our subnet and no
 * live process holds a swarm), worker daemons and their containers, namespaces, veth ends, cgroups, state folders.
 */
export async function sweepTwoNodeSwarms(): Promise<void> {
  const ids = await leftoverIds();
  const holders = await Promise.all(ids.map(holder));
  const errors: unknown[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      errors.push(new Error(`${what}: ${errorMessage(err)}`, { cause: err }));
    }
  };
  const stale = ids.filter((_, i) => holders[i] === null);
  // Workers leave before the manager does: a worker's dockerd whose manager is gone takes some 10 s to stop.
  for (const id of stale) {
    const { workerHost } = names(id);
    if (existsSync(new URL(workerHost).pathname)) await attempt(`${PREFIX}${id}: worker leaves the swarm`, () => leaveSwarm(workerHost));
  }
  if (holders.every((h) => h === null)) {
    await attempt('leaving a left-over swarm on the manager', async () => {
      const [state, addr] = (await docker(MANAGER_HOST, 'info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.NodeAddr}}')).split(' ');
      if (state !== 'inactive' && !addr?.startsWith(`${NET}.`)) return; // someone else's swarm: not ours to leave
      const made = await Promise.all(ids.map((id) => access(path.join(names(id).dir, GWBRIDGE_MADE)).then(() => true, () => false)));
      await leaveManager(made.some(Boolean));
    });
  }
  for (const id of stale) {
    await attempt(`${PREFIX}${id}: worker engine`, () => stopWorker(id));
    await attempt(`${PREFIX}${id}: cgroups`, () => removeCgroups(`${PREFIX}${id}`));
    await attempt(`${PREFIX}${id}: namespace and veth pair`, () => removeNetwork(id));
    await attempt(`${PREFIX}${id}: state folder`, () => removeStateDir(names(id).dir));
  }
  if (errors.length) throw new AggregateError(errors, `sweeping left-over two-node swarms: ${errors.map(errorMessage).join('; ')}`);
}

function preflight(): Promise<void> {
  return enginePreflight('a two-node swarm', TOOLS);
}

async function checkManagerFree(): Promise<void> {
  const [state, addr] = (await docker(MANAGER_HOST, 'info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.NodeAddr}}')).split(' ');
  if (state === 'inactive') return;
  const live = (await Promise.all((await leftoverIds()).map(holder))).find((h) => h !== null);
  if (live !== undefined) {
    throw new HbenchError(
      'DOCKER_UNAVAILABLE',
      `the engine at ${MANAGER_HOST} is the manager of a two-node test swarm of process ${live || '(starting)'}, still running: tests that need one must not run at the same time (keep them in one file)`,
    );
  }
  throw new HbenchError(
    'DOCKER_UNAVAILABLE',
    `the engine at ${MANAGER_HOST} is already in a swarm this helper did not make (state ${state}, address ${addr || 'none'}), and it never leaves one it did not make: run \`docker swarm leave --force\` if that swarm is not needed, or run these tests on another machine`,
  );
}

/** The first 10.213.k.0/24 that no route of the host overlaps. */
async function makeNetwork(id: string): Promise<{ managerAddr: string; workerAddr: string }> {
  const n = names(id);
  const routes = (JSON.parse(await cmd('ip', ['-j', '-4', 'route', 'show', 'table', 'main'])) as Array<{ dst: string }>)
    .map((r) => r.dst)
    .filter((dst) => dst !== 'default');
  let k = 0;
  while (k < 256 && routes.some((dst) => overlaps(dst, `${NET}.${k}.0/24`))) k++;
  if (k === 256) throw new HbenchError('DOCKER_UNAVAILABLE', `every subnet of ${NET}.0.0/16 is routed on this machine; a two-node swarm needs one /24 of it`);
  const managerAddr = `${NET}.${k}.1`;
  const workerAddr = `${NET}.${k}.2`;
  await cmd('ip', ['netns', 'add', n.netns]);
  await cmd('ip', ['link', 'add', n.hostVeth, 'type', 'veth', 'peer', 'name', n.workerVeth]);
  await cmd('ip', ['link', 'set', n.workerVeth, 'netns', n.netns]);
  await cmd('ip', ['addr', 'add', `${managerAddr}/24`, 'dev', n.hostVeth]);
  await cmd('ip', ['link', 'set', n.hostVeth, 'up']);
  await cmd('ip', ['-n', n.netns, 'addr', 'add', `${workerAddr}/24`, 'dev', n.workerVeth]);
  await cmd('ip', ['-n', n.netns, 'link', 'set', n.workerVeth, 'up']);
  await cmd('ip', ['-n', n.netns, 'link', 'set', 'lo', 'up']);
  return { managerAddr, workerAddr };
}

function overlaps(a: string, b: string): boolean {
  const [an, al = '32'] = a.split('/');
  const [bn, bl = '32'] = b.split('/');
  const block = 2 ** (32 - Math.min(Number(al), Number(bl)));
  const int = (ip: string) => ip.split('.').reduce((v, o) => v * 256 + Number(o), 0);
  return Math.floor(int(an!) / block) === Math.floor(int(bn!) / block);
}

async function removeNetwork(id: string): Promise<void> {
  const n = names(id);
  const linked = await cmd('ip', ['-o', 'link', 'show', 'dev', n.hostVeth]).then(() => true, () => false);
  // Deleting one end of a veth pair deletes the other.
  if (linked) await cmd('ip', ['link', 'del', n.hostVeth]);
  if ((await namespaces()).includes(n.netns)) await cmd('ip', ['netns', 'del', n.netns]);
}


async function leaveSwarm(host: string): Promise<void> {
  const state = await docker(host, 'info', '--format', '{{.Swarm.LocalNodeState}}');
  if (state !== 'inactive') await docker(host, 'swarm', 'leave', '--force');
}

/** The manager leaves its swarm (if in one); with `dropGwbridge` (our swarm init made it), docker_gwbridge goes too. */
async function leaveManager(dropGwbridge: boolean): Promise<void> {
  await leaveSwarm(MANAGER_HOST);
  if (!dropGwbridge) return;
  // The ingress sandbox lets go of the bridge a moment after leaving.
  await until('docker_gwbridge removed', 10_000, async () => !(await gwbridgeExists()) || docker(MANAGER_HOST, 'network', 'rm', 'docker_gwbridge').then(() => true, () => false));
}

async function gwbridgeExists(): Promise<boolean> {
  return (await docker(MANAGER_HOST, 'network', 'ls', '-q', '--filter', 'name=^docker_gwbridge$')) !== '';
}

/** Ids found in any trace: folders, namespaces, links, processes, cgroups. */
async function leftoverIds(): Promise<string[]> {
  const texts = await Promise.all([
    readdir(ROOT).then((e) => e.join('\n')),
    namespaces().then((l) => l.join('\n')),
    cmd('ip', ['-o', 'link', 'show']),
    processes().then((ps) => ps.filter((p) => p.pid !== process.pid).map((p) => p.cmdline).join('\n')),
    cgroupDirs((name) => ID_NAME.test(name)).then((d) => d.join('\n')),
  ]);
  return [...new Set(texts.flatMap((t) => [...t.matchAll(ID_IN)].map((m) => m[1]!)))];
}

/**
 * The live process holding swarm `id`, or null when nothing does (its owner exited, or is this process and closed
 * it). 0 stands for a start that has made the folder but not yet written its owner.
 */
async function holder(id: string): Promise<number | null> {
  if (open.has(id)) return process.pid;
  const dir = names(id).dir;
  const owner = await readFile(path.join(dir, 'owner'), 'utf8').catch(() => null);
  if (owner === null) {
    const made = await stat(dir).then((s) => s.mtimeMs, () => 0);
    return Date.now() - made < 30_000 ? 0 : null;
  }
  const [pid, started] = owner.trim().split(' ').map(Number);
  if (pid === process.pid) return null;
  return (await startTime(pid!)) === started ? pid! : null;
}

