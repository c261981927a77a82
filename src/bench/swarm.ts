/**
 * `npm run bench` (swarm part), on a real two-node swarm on this machine (src/test-support/two-node-swarm.ts): the same
 * no-op and simulated-model runs (a) on this machine's engine, (b) through `--engine swarm` on one node (the second
 * drained), (c) on both nodes, at equal per-node concurrency. Printed: wall times, the 1 → 2 node speed-up, and the
 * swarm path's overhead per trial against the local run. Shards split single trials (--shard-by trial): the suites are
 * one or two tasks. Both "nodes" share this machine's cores, so the speed-up is
 * a floor of what two real machines give.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureWorkerImage, PACKAGE_ROOT } from '../cluster/swarm/worker-image.js';
import { formatTable } from '../report/table.js';
import { startTwoNodeSwarm } from '../test-support/two-node-swarm.js';

const run = promisify(execFile);
const TRIALS = Number(process.env.HBENCH_BENCH_SWARM_TRIALS ?? 8);
const CONCURRENCY = 2;
const TASKS = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'tasks');
const SLOW = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'slow');

export async function swarmBench(): Promise<string> {
  const out = await mkdtemp(path.join(os.tmpdir(), 'hbench-bench-swarm-'));
  const swarm = await startTwoNodeSwarm({ name: 'hbench-bench-node-2' });
  try {
    const kinds: Array<[string, string[], number]> = [
      ['no-op (nop)', ['--tasks', TASKS, '--harness', 'nop'], 2],
      ['simulated model (baseline)', ['--tasks', TASKS, '--harness', 'baseline', '--model', 'sim', '--seed', '1'], 2],
      // Trials that wait (2 s agent timeout) rather than compute: what two real machines' cores would look like.
      ['waiting agent (2 s per trial)', ['--tasks', SLOW, '--harness', path.join(PACKAGE_ROOT, 'test', 'fixtures', 'harnesses', 'sleepy.yaml')], 1],
    ];
    // Images first (task images, the worker image), so the timed runs measure running, not building.
    const images: string[] = [];
    for (const [i, suite] of [TASKS, SLOW].entries()) {
      await hbench(['run', '--tasks', suite, '--harness', 'oracle', '--out', out, '--run-id', `warm-${i}`]);
      images.push(...Object.values((JSON.parse(await readFile(path.join(out, `warm-${i}`, 'run.json'), 'utf8')) as { images: Record<string, { ref: string }> }).images).map((im) => im.ref));
    }
    await swarm.seed(['debian:bookworm-slim', ...images]);
    await ensureWorkerImage([swarm.workerHost], () => undefined);
    const rows: string[][] = [];
    for (const [label, args, tasks] of kinds) {
      const common = ['run', ...args, '--trials', String(TRIALS), '--concurrency', String(CONCURRENCY), '--reporter', 'summary', '--out', out];
      const id = label.split(' ')[0]!.replace(/[^a-z]/g, '') || 'noop';
      const local = await hbench([...common, '--run-id', `${id}-local`]);
      await node(swarm.workerNodeId, 'drain');
      const one = await hbench([...common, '--run-id', `${id}-one`, '--engine', 'swarm', '--workers', '2', '--shard-by', 'trial', '--copy-worker-to', swarm.workerHost]);
      await node(swarm.workerNodeId, 'active');
      const two = await hbench([...common, '--run-id', `${id}-two`, '--engine', 'swarm', '--workers', '2', '--shard-by', 'trial', '--copy-worker-to', swarm.workerHost]);
      const trials = tasks * TRIALS;
      rows.push(
        [label, `${trials}`, secs(local), `${secs(one)} ${await placement(out, `${id}-one`)}`, `${secs(two)} ${await placement(out, `${id}-two`)}`, `${(one / two).toFixed(2)}×`, `${((one - local) / trials / 1000).toFixed(2)} s`],
      );
    }
    return `Spreading runs over a two-node swarm on this machine (${os.availableParallelism()} cores shared by both nodes; --concurrency ${CONCURRENCY} per node)\n${formatTable(['run', 'trials', 'local', 'swarm, 1 node', 'swarm, 2 nodes', 'speed-up 1 → 2', 'swarm overhead / trial'], rows)}`;
  } finally {
    await swarm.close();
    await rm(out, { recursive: true, force: true });
  }
}

/** Where a swarm run's shards ran, and how many at most at once: `(2 nodes, ≤2 at once)`. */
async function placement(out: string, runId: string): Promise<string> {
  const record = JSON.parse(await readFile(path.join(out, runId, 'run.json'), 'utf8')) as { shards: Array<{ host: string; startedAt: string; endedAt: string | null }> };
  const nodes = new Set(record.shards.map((s) => s.host)).size;
  const spans = record.shards.map((s) => [Date.parse(s.startedAt), Date.parse(s.endedAt ?? s.startedAt)] as const);
  const most = Math.max(...spans.map(([start]) => spans.filter(([a, b]) => a <= start && start < b).length));
  return `(${nodes} node${nodes > 1 ? 's' : ''}, ≤${most} at once)`;
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function node(id: string, availability: 'drain' | 'active'): Promise<void> {
  await run('docker', ['node', 'update', '--availability', availability, id]);
}

/** Wall time of one hbench command (ms); fails on a non-zero exit. */
function hbench(args: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(PACKAGE_ROOT, 'bin', 'hbench.js'), ...args], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: '1' } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`hbench ${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`))));
  });
}
