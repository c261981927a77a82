/**
 * A second Docker engine on this machine, private to one test: its own dockerd in its own network, mount and UTS
 * namespaces, with its own data root, exec root, pidfile, socket, containerd namespace and cgroup parent, so it can be
 * stopped and started (an engine restart mid-run) without touching the machine's shared engine.
 *
 * The pieces (`startDaemon`, `stopDaemon`, `seedEngine`, the process and cgroup helpers) are shared with
 * two-node-swarm.ts, whose worker node is such a daemon too.
 *
 * Every name carries `hbpe-` and a 6-character id (state folder /tmp/hbpe-<id>, namespace, containerd namespace,
 * cgroup parent); the state folder records the owning process, so `sweepPrivateEngines` — run by every start —
 * removes what a killed process left and never touches a live one. Needs Linux, root, ip, nsenter, unshare and
 * dockerd; no registry (images are copied in from the machine's engine with `seed`).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, openSync } from 'node:fs';
import { access, mkdir, readdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { DockerUnavailableError, errorMessage, HbenchError, oneLine } from '../common/errors.js';
import { Lifecycle } from '../runner/lifecycle.js';

export const MAIN_HOST = 'unix:///var/run/docker.sock';

export interface PrivateEngine extends AsyncDisposable {
  /** DOCKER_HOST of the engine, e.g. 'unix:///tmp/hbpe-3fa9c2/engine.sock'. */
  readonly host: string;
  /** Its state folder (data root, log, socket). */
  readonly dir: string;
  /** Copies images from the machine's engine into this one; resolves to their ids. */
  seed(images: string[]): Promise<string[]>;
  /** Stops the daemon as a restart does (SIGTERM, containers stopped, not removed) and waits until it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same data root (after `stop`). */
  start(): Promise<void>;
  /** Whether the daemon answers now. */
  up(): Promise<boolean>;
  /** Removes everything: daemon, containers, namespace, cgroups, state folder. A second call waits for the first. */
  close(): Promise<void>;
}

/** One dockerd of its own: where its state lives and what names it. */
export interface DaemonSpec {
  /** In every name the daemon gives (containerd namespace, cgroup parent) and in its processes' command lines. */
  tag: string;
  /** State folder: daemon.json, data/, exec/, dockerd.pid, dockerd.log. */
  dir: string;
  /** The network namespace it runs in (made beforehand, `ip netns add`). */
  netns: string;
  hostname: string;
  /** The socket the host reaches it on: unix://<a path in dir>. */
  host: string;
}

const execFileP = promisify(execFile);

export async function cmd(file: string, args: string[], timeout = 60_000): Promise<string> {
  try {
    return (await execFileP(file, args, { timeout, maxBuffer: 16 << 20 })).stdout.trim();
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr;
    throw new HbenchError('DOCKER_API', `${file} ${args.join(' ')}: ${oneLine(stderr || errorMessage(err))}`, { cause: err });
  }
}

export const docker = (host: string, ...args: string[]) => cmd('docker', ['-H', host, ...args]);

/** Linux, root, the tools on PATH and the machine's engine (what images are copied from). */
export async function preflight(what: string, tools: string[]): Promise<void> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    throw new HbenchError('DOCKER_UNAVAILABLE', `${what} needs Linux and root (it makes a network namespace and a second dockerd)`);
  }
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  for (const tool of tools) {
    const found = await Promise.any(dirs.map((d) => access(path.join(d, tool), constants.X_OK))).then(() => true, () => false);
    if (!found) throw new HbenchError('DOCKER_UNAVAILABLE', `${what} needs \`${tool}\` on PATH (Debian: iproute2, util-linux, docker.io)`);
  }
  try {
    await docker(MAIN_HOST, 'version', '--format', '{{.Server.Version}}');
  } catch (err) {
    throw new DockerUnavailableError(errorMessage(err));
  }
}

/** Mounts a tmpfs on /run (this mount namespace only), names the host, and becomes dockerd. */
const DAEMON_SCRIPT = 'set -e; mount -t tmpfs -o mode=755 private-engine /run; hostname "$1"; shift; exec dockerd "$@"';

/** Starts the daemon (again, on the same data root, when it ran before) and waits until it answers. */
export async function startDaemon(d: DaemonSpec): Promise<void> {
  const log = path.join(d.dir, 'dockerd.log');
  // Docker 20.10 takes the engine id from a key file outside the data root: a key of its own keeps the ids apart.
  const major = Number(/version (\d+)/.exec(await cmd('dockerd', ['--version']))?.[1]);
  await writeFile(path.join(d.dir, 'daemon.json'), JSON.stringify(major < 23 ? { 'deprecated-key-path': path.join(d.dir, 'key.json') } : {}));
  const args = [
    ...['--config-file', path.join(d.dir, 'daemon.json')],
    ...['--data-root', path.join(d.dir, 'data'), '--exec-root', path.join(d.dir, 'exec'), '--pidfile', path.join(d.dir, 'dockerd.pid')],
    ...['-H', 'unix:///run/docker.sock', '-H', d.host],
    ...['--containerd-namespace', d.tag, '--containerd-plugins-namespace', `${d.tag}-plugins`],
    // Its containers in a cgroup of their own, so a sweep can find them when the daemon is gone.
    ...['--exec-opt', 'native.cgroupdriver=cgroupfs', '--cgroup-parent', `/${d.tag}`],
    ...['--shutdown-timeout', '2'],
  ];
  const fd = openSync(log, 'a');
  const child = spawn('nsenter', [`--net=/run/netns/${d.netns}`, 'unshare', '--mount', '--uts', '--propagation', 'private', 'sh', '-c', DAEMON_SCRIPT, 'private-engine', d.hostname, ...args], {
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  // Stopped by its owner (or a later sweep), never by this process exiting.
  child.unref();
  let exited: string | null = null;
  child.on('exit', (code, signal) => (exited = `exited with ${signal ?? `code ${code}`}`));
  child.on('error', (err) => (exited = errorMessage(err)));
  try {
    await until(`dockerd ${d.tag} up`, 30_000, async () => {
      if (exited) throw new Error(exited);
      return daemonUp(d.host);
    });
  } catch (err) {
    const tail = await readFile(log, 'utf8').then((t) => t.trim().split('\n').slice(-5).join(' | '), () => '');
    throw new HbenchError('DOCKER_UNAVAILABLE', `dockerd ${d.tag} did not start (${errorMessage(err)}); its log ends: ${oneLine(tail, 1000)}`);
  }
}

export function daemonUp(host: string): Promise<boolean> {
  return docker(host, 'version', '--format', '{{.Server.Version}}').then(() => true, () => false);
}

/**
 * Stops the daemon gently (it stops its containers and its containerd), then kills whatever is left. With
 * `removeContainers` its containers are removed first, at once (a stopping daemon gives each its own stop timeout);
 * without, they stay on the data root, stopped, as after an engine restart.
 */
export async function stopDaemon(d: DaemonSpec, options: { removeContainers: boolean }): Promise<void> {
  if (options.removeContainers && existsSync(new URL(d.host).pathname)) {
    // Where the engine does not answer, the signals below still end them.
    const containers = (await docker(d.host, 'ps', '-aq').catch(() => '')).split('\n').filter(Boolean);
    if (containers.length) await docker(d.host, 'rm', '-f', ...containers).catch(() => undefined);
  }
  const ours = async () => (await processes()).filter((p) => p.pid !== process.pid && p.cmdline.includes(d.tag));
  const daemons = (await ours()).filter((p) => path.basename(p.cmdline.split('\0')[0]!) === 'dockerd');
  signal(daemons.map((p) => p.pid), 'SIGTERM');
  if (!(await gone(daemons.map((p) => p.pid), 15_000))) signal(daemons.map((p) => p.pid), 'SIGKILL');
  // containerd and its shims name the tag in their command lines; the containers' processes are in its cgroup.
  const rest = [...(await ours()).map((p) => p.pid), ...(await cgroupPids(d.tag))];
  signal(rest, 'SIGKILL');
  if (!(await gone(rest, 5_000))) throw new Error(`processes still running after SIGKILL: ${rest.join(', ')}`);
}

/** Copies images from one engine into another (docker save | docker load); resolves to their ids. */
export async function seedEngine(from: string, to: string, images: string[]): Promise<string[]> {
  if (!Array.isArray(images) || images.length === 0 || images.some((i) => typeof i !== 'string' || i === '')) {
    throw new TypeError(`seed: images must be a non-empty array of image references, got ${JSON.stringify(images)}`);
  }
  const ids = (await docker(from, 'image', 'inspect', '--format', '{{.Id}}', ...images)).split('\n');
  const save = spawn('docker', ['-H', from, 'save', ...images], { stdio: ['ignore', 'pipe', 'pipe'] });
  const load = spawn('docker', ['-H', to, 'load', '-q'], { stdio: ['pipe', 'ignore', 'pipe'] });
  save.stdout.pipe(load.stdin);
  const done = (p: ChildProcess, what: string) =>
    new Promise<void>((resolve, reject) => {
      let stderr = '';
      p.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      p.on('error', reject);
      p.on('close', (code) => (code === 0 ? resolve() : reject(new HbenchError('DOCKER_API', `seeding ${to}: ${what} exited with ${code}: ${oneLine(stderr)}`))));
    });
  await Promise.all([done(save, 'docker save'), done(load, 'docker load')]);
  return ids;
}

// --- the private engine -------------------------------------------------------------------------------------------

const ROOT = '/tmp';
const PREFIX = 'hbpe-';
const ID_IN = /hbpe-([0-9a-f]{6})(?![0-9a-z])/g;
const ID_NAME = /^hbpe-[0-9a-f]{6}$/;
const TOOLS = ['ip', 'nsenter', 'unshare', 'dockerd', 'docker'];
/** Engines this process has open: a sweep leaves them alone. */
const open = new Set<string>();

function spec(id: string): DaemonSpec {
  const dir = path.join(ROOT, `${PREFIX}${id}`);
  return { tag: `${PREFIX}${id}`, dir, netns: `${PREFIX}${id}`, hostname: `${PREFIX}${id}`, host: `unix://${path.join(dir, 'engine.sock')}` };
}

export async function startPrivateEngine(): Promise<PrivateEngine> {
  await preflight('a private Docker engine', TOOLS);
  await sweepPrivateEngines();
  const id = randomBytes(3).toString('hex');
  const d = spec(id);
  open.add(id);
  const life = new Lifecycle();
  // Teardowns run in reverse: daemon, namespace, folder; each does nothing where nothing was made.
  life.defer('forget', () => open.delete(id));
  life.defer('state folder', () => removeStateDir(d.dir));
  try {
    await mkdir(d.dir);
    await writeFile(path.join(d.dir, 'owner'), `${process.pid} ${await startTime(process.pid)}\n`);
    life.defer('network namespace', () => removeNamespace(d.netns));
    await cmd('ip', ['netns', 'add', d.netns]);
    await cmd('ip', ['-n', d.netns, 'link', 'set', 'lo', 'up']);
    life.defer('engine', async () => {
      await stopDaemon(d, { removeContainers: true });
      await removeCgroups(d.tag);
    });
    await startDaemon(d);
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= life.close().then((errors) => {
        if (errors.length) throw new AggregateError(errors, `closing private engine ${d.tag}: ${errors.map((e) => e.message).join('; ')}`);
      }));
    return {
      host: d.host,
      dir: d.dir,
      seed: (images) => seedEngine(MAIN_HOST, d.host, images),
      stop: () => stopDaemon(d, { removeContainers: false }),
      start: () => startDaemon(d),
      up: () => daemonUp(d.host),
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (err) {
    const errors = await life.close();
    if (!errors.length) throw err;
    throw new AggregateError([err, ...errors], `${errorMessage(err)} (and while tearing down: ${errors.map((e) => e.message).join('; ')})`);
  }
}

/** Removes what private engines of exited processes left: daemons and their containers, namespaces, cgroups, folders. */
export async function sweepPrivateEngines(): Promise<void> {
  const texts = await Promise.all([
    readdir(ROOT).then((e) => e.join('\n')),
    namespaces().then((l) => l.join('\n')),
    processes().then((ps) => ps.filter((p) => p.pid !== process.pid).map((p) => p.cmdline).join('\n')),
    cgroupDirs((name) => ID_NAME.test(name)).then((d) => d.join('\n')),
  ]);
  const ids = [...new Set(texts.flatMap((t) => [...t.matchAll(ID_IN)].map((m) => m[1]!)))];
  const errors: string[] = [];
  for (const id of ids) {
    if (await heldByLiveProcess(id)) continue;
    const d = spec(id);
    for (const [what, fn] of [
      ['engine', () => stopDaemon(d, { removeContainers: true })],
      ['cgroups', () => removeCgroups(d.tag)],
      ['namespace', () => removeNamespace(d.netns)],
      ['state folder', () => removeStateDir(d.dir)],
    ] as const) {
      await fn().catch((err: unknown) => errors.push(`${d.tag}: ${what}: ${errorMessage(err)}`));
    }
  }
  if (errors.length) throw new Error(`sweeping left-over private engines: ${errors.join('; ')}`);
}

async function heldByLiveProcess(id: string): Promise<boolean> {
  if (open.has(id)) return true;
  const dir = spec(id).dir;
  const owner = await readFile(path.join(dir, 'owner'), 'utf8').catch(() => null);
  if (owner === null) {
    // A start that has made the folder but not yet written its owner.
    const made = await stat(dir).then((s) => s.mtimeMs, () => 0);
    return Date.now() - made < 30_000;
  }
  const [pid, started] = owner.trim().split(' ').map(Number);
  if (pid === process.pid) return false;
  return (await startTime(pid!)) === started;
}

async function removeNamespace(netns: string): Promise<void> {
  if ((await namespaces()).includes(netns)) await cmd('ip', ['netns', 'del', netns]);
}

// --- processes, cgroups, folders (shared with two-node-swarm.ts) ----------------------------------------------------

export async function namespaces(): Promise<string[]> {
  return (await cmd('ip', ['netns', 'list'])).split('\n').map((l) => l.split(' ')[0]!).filter(Boolean);
}

export interface Proc {
  pid: number;
  /** Arguments separated by NUL. */
  cmdline: string;
}

export async function processes(): Promise<Proc[]> {
  const pids = (await readdir('/proc')).filter((e) => /^\d+$/.test(e)).map(Number);
  const all = await Promise.all(pids.map(async (pid) => ({ pid, cmdline: await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '') })));
  return all.filter((p) => p.cmdline !== '');
}

/** A process's start time (clock ticks since boot), or null when it is gone or a zombie. */
export async function startTime(pid: number): Promise<number | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!stat) return null;
  // Fields after the command name, which is in parentheses and may hold spaces: state is field 3, starttime 22.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[0] === 'Z' ? null : Number(fields[19]);
}

export function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone.
    }
  }
}

export async function gone(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if ((await Promise.all(pids.map(startTime))).every((t) => t === null)) return true;
    if (performance.now() > deadline) return false;
    await sleep(100);
  }
}

/** The top cgroup folders whose name passes `match`: in cgroup v2's single tree, or one per v1 controller. */
export async function cgroupDirs(match: (name: string) => boolean): Promise<string[]> {
  const base = '/sys/fs/cgroup';
  const roots = [base, ...(await readdir(base, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).map((e) => path.join(base, e.name))];
  const found = await Promise.all(
    roots.map(async (root) => (await readdir(root).catch(() => [] as string[])).filter(match).map((e) => path.join(root, e))),
  );
  return found.flat();
}

async function cgroupPids(tag: string): Promise<number[]> {
  const pids: number[] = [];
  const walk = async (dir: string): Promise<void> => {
    const procs = await readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
    pids.push(...procs.split('\n').filter(Boolean).map(Number));
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) if (e.isDirectory()) await walk(path.join(dir, e.name));
  };
  for (const dir of await cgroupDirs((name) => name === tag)) await walk(dir);
  return [...new Set(pids)];
}

export async function removeCgroups(tag: string): Promise<void> {
  const remove = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) if (e.isDirectory()) await remove(path.join(dir, e.name));
    await rmdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  };
  for (const dir of await cgroupDirs((name) => name === tag)) await remove(dir);
}

/** A daemon's mounts live in its own mount namespace, gone with its processes; unmount any the host sees anyway. */
export async function removeStateDir(dir: string): Promise<void> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const mounts = mountinfo
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await cmd('umount', ['-l', m]);
  await rm(dir, { recursive: true, force: true });
}

export async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(250);
  }
}
