import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwoNodeSwarm, sweepTwoNodeSwarms, type TwoNodeSwarm } from '../../src/test-support/two-node-swarm.js';

const run = promisify(execFile);
const MAIN = 'unix:///var/run/docker.sock';
const IMAGE = 'debian:bookworm-slim';
const docker = async (host: string, ...args: string[]) => (await run('docker', ['-H', host, ...args])).stdout.trim();

/**
 * Runs in a task: asks the engine behind /var/run/docker.sock for its swarm node id (GET /info over the socket; the
 * slim image has perl but no curl) and writes it to /out/<the node swarm placed the task on>.
 */
const PROBE = String.raw`
  my $s = IO::Socket::UNIX->new(Peer => "/var/run/docker.sock") or die "connect: $!";
  print $s "GET /info HTTP/1.0\r\nHost: docker\r\n\r\n";
  local $/; my $reply = <$s>;
  my ($id) = $reply =~ /"NodeID":"(\w+)"/ or die "no NodeID in: $reply";
  open my $f, ">", "/out/$ENV{NODE}" or die "$!"; print $f $id; close $f or die "$!";
`;

/** Everything the helper could leave on this machine, all named with its prefix; and the engine's dockerd. */
async function traces() {
  const ps = (await run('ps', ['-eo', 'pid=,args='])).stdout.split('\n');
  return {
    namespaces: (await run('ip', ['netns', 'list'])).stdout.split('\n').filter((l) => l.startsWith('hbsw-')),
    links: (await run('ip', ['-o', 'link', 'show'])).stdout.split('\n').filter((l) => / hbsw-/.test(l)),
    folders: (await readdir('/tmp')).filter((e) => e.startsWith('hbsw-')),
    processes: ps.filter((l) => l.includes('hbsw-')),
    dockerds: ps.filter((l) => / dockerd( |$)/.test(l)),
    cgroups: (await run('sh', ['-c', 'ls -d /sys/fs/cgroup/hbsw-* /sys/fs/cgroup/*/hbsw-* 2>/dev/null || true'])).stdout.split('\n').filter(Boolean),
    swarmNetworks: (await docker(MAIN, 'network', 'ls', '--format', '{{.Name}}')).split('\n').filter((n) => n === 'ingress' || n === 'docker_gwbridge'),
  };
}

describe('two-node swarm (real engines)', () => {
  let swarm: TwoNodeSwarm;
  let before: Awaited<ReturnType<typeof traces>>;
  let out: string;

  beforeAll(async () => {
    // No skip: without Docker, root or the namespace tools, starting fails and so does this file.
    before = await traces();
    out = await mkdtemp(path.join(os.tmpdir(), 'two-node-swarm-test-'));
    swarm = await startTwoNodeSwarm();
  }, 90_000);
  afterAll(async () => {
    await swarm?.close();
    await rm(out, { recursive: true, force: true });
  });

  it('has two ready nodes: the main engine as manager and the worker at its veth address, with no route out', async () => {
    const nodes = (await docker(swarm.managerHost, 'node', 'ls', '--format', '{{.ID}} {{.Status}} {{.ManagerStatus}}')).split('\n').sort();
    expect(nodes).toEqual([`${swarm.managerNodeId} Ready Leader`, `${swarm.workerNodeId} Ready `].sort());
    expect(await docker(swarm.managerHost, 'node', 'inspect', '--format', '{{.Status.Addr}}', swarm.workerNodeId)).toBe(swarm.workerAddr);
    expect(await docker(swarm.managerHost, 'node', 'inspect', '--format', '{{.ManagerStatus.Addr}}', swarm.managerNodeId)).toBe(`${swarm.managerAddr}:2377`);
    expect(await docker(MAIN, 'info', '--format', '{{.Swarm.NodeID}}')).toBe(swarm.managerNodeId);
    expect(await docker(swarm.workerHost, 'info', '--format', '{{.Swarm.NodeID}}')).toBe(swarm.workerNodeId);
    const [netns] = (await traces()).namespaces.map((l) => l.split(' ')[0]!);
    for (const family of ['-4', '-6']) expect((await run('ip', ['-n', netns!, family, 'route', 'show', 'default'])).stdout).toBe('');
  });

  it('runs a job task on each node, and each task reaches its own node\'s engine through /var/run/docker.sock', async () => {
    const [image] = await swarm.seed([IMAGE]);
    expect(image).toMatch(/^sha256:[0-9a-f]{64}$/);
    await docker(swarm.managerHost, 'service', 'create', '--detach', '--name', 'two-node-probe',
      '--mode', 'replicated-job', '--replicas', '2', '--replicas-max-per-node', '1', '--restart-condition', 'none',
      // By id, not tag: with a tag each node would first try a registry pull.
      '--no-resolve-image', '--mount', 'type=bind,src=/var/run/docker.sock,dst=/var/run/docker.sock',
      '--mount', `type=bind,src=${out},dst=/out`, '--env', 'NODE={{.Node.ID}}',
      image!, 'perl', '-MIO::Socket::UNIX', '-e', PROBE);
    let states: string[] = [];
    for (let i = 0; i < 120 && !(states.length === 2 && states.every((s) => s.startsWith('Complete'))); i++) {
      if (states.some((s) => /^(Failed|Rejected)/.test(s))) break;
      await sleep(250);
      states = (await docker(swarm.managerHost, 'service', 'ps', '--format', '{{.CurrentState}} {{.Error}}', 'two-node-probe')).split('\n');
    }
    expect(states.map((s) => s.split(' ')[0])).toEqual(['Complete', 'Complete']);
    // The file's name is the node swarm ran the task on; its content, the node whose engine the task's socket reached.
    const seen = Object.fromEntries(await Promise.all((await readdir(out)).map(async (f) => [f, await readFile(path.join(out, f), 'utf8')])));
    expect(seen).toEqual({ [swarm.managerNodeId]: swarm.managerNodeId, [swarm.workerNodeId]: swarm.workerNodeId });
  });

  it('close removes everything it made, and the main engine works as before', async () => {
    await swarm.close();
    await swarm.close();
    expect(await traces()).toEqual(before);
    expect(existsSync(new URL(swarm.workerHost).pathname)).toBe(false);
    expect(await docker(MAIN, 'info', '--format', '{{.Swarm.LocalNodeState}}')).toBe('inactive');
    expect(await docker(MAIN, 'ps', '-a', '-q', '--filter', 'label=com.docker.swarm.service.name')).toBe('');
    await docker(MAIN, 'run', '--rm', IMAGE, 'true');
  }, 60_000);

  it('a later sweep removes what a killed process left: the manager\'s swarm, the worker engine and its container, the namespace', async () => {
    // A process that starts a swarm, runs a container on the worker, says so, and is then killed without closing.
    const script = path.join(out, 'killed.ts');
    await writeFile(script, [
      `import { execFileSync } from 'node:child_process';`,
      `import { startTwoNodeSwarm } from ${JSON.stringify(path.resolve('src/test-support/two-node-swarm.ts'))};`,
      `const swarm = await startTwoNodeSwarm();`,
      `const [image] = await swarm.seed([${JSON.stringify(IMAGE)}]);`,
      `execFileSync('docker', ['-H', swarm.workerHost, 'run', '-d', image, 'sleep', 'infinity']);`,
      `console.log('up');`,
      `setInterval(() => {}, 1000);`,
    ].join('\n'));
    const child = spawn(path.resolve('node_modules/.bin/vite-node'), [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const up = await new Promise<boolean>((resolve) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('up') && resolve(true));
      child.on('exit', () => resolve(false));
    });
    expect(up).toBe(true);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    expect(await docker(MAIN, 'info', '--format', '{{.Swarm.LocalNodeState}}')).toBe('active');
    expect((await traces()).dockerds).toHaveLength(before.dockerds.length + 1);

    await sweepTwoNodeSwarms();
    expect(await traces()).toEqual(before);
    expect(await docker(MAIN, 'info', '--format', '{{.Swarm.LocalNodeState}}')).toBe('inactive');
  }, 90_000);
});
