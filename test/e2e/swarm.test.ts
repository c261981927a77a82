import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/records/run-record.js';
import type { TrialResult } from '../../src/records/trial-result.js';
import { outcomesByKey, summaryRates } from '../../src/test-support/same-results.js';
import { FIXTURES, readTrials, runCli, startCli, tempDir, waitFor } from '../../src/test-support/cli.js';
import { startTwoNodeSwarm } from '../../src/test-support/two-node-swarm.js';

const engine = (host: string) => new Docker({ socketPath: host.replace('unix://', '') });

describe('a run spread over a real two-node Docker Swarm', () => {
  it('runs shards as a replicated job on both nodes (gateway included), survives a killed worker, and merges into the single-machine results', async () => {
    const out = await tempDir();
    const suite = path.join(out, 'suite');
    await cp(path.join(FIXTURES, 'tasks'), suite, { recursive: true });
    await cp(path.join(FIXTURES, 'tb1', 'tb1-hello'), path.join(suite, 'tb1-hello'), { recursive: true });
    // Three tasks as four shards: split by trial (so every shard has work, and a task's image is needed on both nodes).
    const common = ['--tasks', suite, '--shard-by', 'trial', '--harness', 'oracle', '--harness', 'nop', '--harness', 'baseline', '--harness', path.join(FIXTURES, 'harnesses/tcp-agent.yaml'), '--model', 'sim', '--seed', '5', '--trials', '2', '--reporter', 'summary', '--out', out];
    const local = await runCli(['run', ...common, '--run-id', 'local', '--concurrency', '4']);
    expect(local.code, local.stderr).toBe(0);
    const localRecord = JSON.parse(await readFile(path.join(out, 'local', 'run.json'), 'utf8')) as RunRecord;

    await using swarm = await startTwoNodeSwarm({ name: 'hbench-node-2' });
    // No registry here: the second node gets the base image and the task images the way a user would load them.
    await swarm.seed(['debian:bookworm-slim', ...Object.values(localRecord.images).map((i) => i.ref)]);
    const run = startCli(['run', ...common, '--run-id', 'spread', '--engine', 'swarm', '--workers', '4', '--concurrency', '2', '--copy-worker-to', swarm.workerHost]);

    // Kill the worker on the second node (as a crash would) once its shard has sent a trial.
    const node2 = engine(swarm.workerHost);
    let killed: { slot: number; before: TrialResult[] } | null = null;
    await waitFor(async () => {
      if (run.child.exitCode !== null) return true;
      const workers = await node2.listContainers({ filters: JSON.stringify({ label: ['com.docker.swarm.service.name=hbench-spread'] }) });
      for (const w of workers) {
        const env = ((await node2.getContainer(w.Id).inspect()) as { Config: { Env: string[] } }).Config.Env;
        const value = env.find((e) => e.startsWith('HBENCH_TASK_SLOT='))!.split('=')[1]!;
        const slot = (/^\d+$/.test(value) ? Number(value) : 0) + 1;
        const sent = await readTrials(path.join(out, `spread.shard-${slot}-of-4`)).catch(() => []);
        if (sent.length >= 1 && sent.length < 6) {
          await node2.getContainer(w.Id).kill();
          killed = { slot, before: sent };
          return true;
        }
      }
      return false;
    }, 400_000, 'a worker on node 2 to send a trial');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(killed, 'a worker was killed mid-way').not.toBeNull();
    expect(r.stderr).toMatch(/restarted [1-9]/);
    expect(r.stderr).toMatch(/all 4 shard\(s\) complete on 2 node\(s\)/);

    const k = killed as unknown as { slot: number; before: TrialResult[] };
    const after = await readTrials(path.join(out, `spread.shard-${k.slot}-of-4`));
    expect(after.slice(0, k.before.length)).toEqual(k.before); // nothing finished was repeated
    const merged = await readTrials(path.join(out, 'spread'));
    const single = await readTrials(path.join(out, 'local'));
    expect(merged).toHaveLength(single.length);
    expect(outcomesByKey(merged)).toEqual(outcomesByKey(single));
    const summary = async (run: string) => JSON.parse(await readFile(path.join(out, run, 'summary.json'), 'utf8'));
    expect(summaryRates(await summary('spread'))).toEqual(summaryRates(await summary('local')));

    const record = JSON.parse(await readFile(path.join(out, 'spread', 'run.json'), 'utf8')) as RunRecord;
    expect(record).toMatchObject({ status: 'completed', counts: { planned: single.length, finished: single.length } });
    expect(record.config.tasksDir).toBe(suite); // this machine's paths, not a worker's bundle
    expect(new Set(record.shards!.map((s) => s.host.split(' ')[0])).size).toBe(2);
    expect(record.shards!.find((s) => s.index === k.slot)!.resumes).toHaveLength(1);
    // Each worker ran its own gateway, and its containers reached only it (host rules set on both nodes).
    for (const t of merged.filter((t) => t.harness === 'tcp-agent')) {
      const traffic = await readFile(path.join(out, 'spread', 'trials', t.key, 'model-traffic.jsonl'), 'utf8');
      expect(traffic.trim().split('\n').length, t.key).toBeGreaterThanOrEqual(1);
    }
    expect(record.hostIsolation).toMatchObject({ enforced: true });

    // Nothing left running: no service, no trial container or network on either node. (Exited worker containers
    // are Swarm's own task history: it reaps them, and closing the test swarm removes them.)
    const manager = new Docker();
    expect(await manager.listServices({ filters: JSON.stringify({ label: ['dev.hbench.run=spread'] }) } as never)).toEqual([]);
    for (const d of [manager, node2]) {
      expect(await d.listContainers({ all: true, filters: JSON.stringify({ label: ['dev.hbench.managed=true', 'dev.hbench.run=spread'] }) })).toEqual([]);
      expect(await d.listNetworks({ filters: JSON.stringify({ label: ['dev.hbench.managed=true', 'dev.hbench.run=spread'] }) })).toEqual([]);
      expect((await d.listContainers({ filters: JSON.stringify({ label: ['dev.hbench.run=spread'] }) })).map((c) => c.Names[0])).toEqual([]);
    }
  }, 900_000);
});
