import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { packEntries } from '../../common/tar.js';
import type { RunRecord } from '../../records/run-record.js';
import { FIXTURES, ROOT, readTrials, startCli, tempDir, waitFor } from '../../test-support/cli.js';
import { fixtureRun, fixtureTrial } from '../../test-support/fixture-runs.js';
import { makeBundle } from './bundle.js';
import { HubClient } from './hub-client.js';
import { ShardHub, type JobDescription } from './hub.js';
import { prepareRun, planShards } from '../../runner/prepare-run.js';
import { mergeShards } from '../../runner/merge.js';

async function hubFor(config: JobDescription['config'], total: number, out: string) {
  const shard = { spec: { index: 1, total }, by: 'task' as const, durationsDir: null };
  const prepared = await prepareRun({ config, resumeDir: null, runId: 'hubrun', outDir: out, harnessDir: path.join(ROOT, 'harnesses'), concurrency: config.concurrency, shard });
  const { groups, balance } = await planShards(shard, config, prepared.tasks, prepared.harnesses);
  const bundle = await makeBundle(config, path.join(ROOT, 'harnesses'));
  return ShardHub.start({ outDir: out, job: { runId: 'hubrun', total, by: 'task', groups, balance, config: bundle.config, harnessDir: bundle.harnessDir }, bundle: bundle.gz, host: '127.0.0.1' });
}

const worker = (hub: ShardHub, slot: number, root: string) =>
  startCli(['swarm-worker'], { HBENCH_HUB: hub.url, HBENCH_HUB_TOKEN: hub.token, HBENCH_TASK_SLOT: String(slot - 1), HBENCH_WORKER_DIR: root });

describe('shard hub and workers', () => {
  it('workers run their shards and send each trial; one killed with kill -9 is resumed by a successor elsewhere without repeats', async () => {
    const out = await tempDir();
    const config = { tasksDir: path.join(FIXTURES, 'tasks'), include: [], exclude: [], harnessSpecs: ['oracle', 'nop'], trials: 3, concurrency: 1, allowNetwork: false, model: null, seed: '1' };
    const hub = await hubFor(config, 2, out);
    try {
      const first = worker(hub, 1, await tempDir());
      const other = worker(hub, 2, await tempDir());
      await waitFor(() => (hub.progress()[0]?.done ?? 0) >= 1, 120_000, 'shard 1 to send a trial');
      first.child.kill('SIGKILL');
      await first.done;
      const sent = await readTrials(hub.shardDir(1));
      expect(sent.length).toBeGreaterThanOrEqual(1);
      expect(sent.length).toBeLessThan(6);
      // The successor starts in another folder (another node): all it knows comes from the hub.
      const successor = worker(hub, 1, await tempDir());
      const [a, b] = await Promise.all([successor.done, other.done]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      expect(a.stdout).toMatch(new RegExp(`shard 1/2: resuming \\(${sent.length} trial\\(s\\) already recorded\\)`));
      const all = await readTrials(hub.shardDir(1));
      expect(all.slice(0, sent.length)).toEqual(sent);
      expect(new Set(all.map((t) => t.key)).size).toBe(all.length);
      expect(hub.progress()).toEqual([
        { index: 1, planned: 6, done: 6, status: 'completed' },
        { index: 2, planned: 6, done: 6, status: 'completed' },
      ]);
      const record = JSON.parse(await readFile(path.join(hub.shardDir(1), 'run.json'), 'utf8')) as RunRecord;
      expect(record.resumes).toHaveLength(1);
      const merged = await mergeShards([hub.shardDir(1), hub.shardDir(2)], path.join(out, 'merged'));
      expect(merged.trials).toHaveLength(12);
      expect(await readFile(path.join(out, 'merged', 'trials', all[0]!.key, 'harness.log'), 'utf8')).not.toBe('');
    } finally {
      await hub.close();
    }
  }, 240_000);

  it('refuses what does not belong: wrong token, another run or shard, a trial before its run, unsafe paths; a trial sent twice counts once', async () => {
    const out = await tempDir();
    const config = { tasksDir: path.join(FIXTURES, 'tasks'), include: [], exclude: [], harnessSpecs: ['oracle'], trials: 1, concurrency: 1, allowNetwork: false, model: null, seed: '1' };
    const hub = await hubFor(config, 2, out);
    try {
      await expect(new HubClient(hub.url, 'wrong', 1).job()).rejects.toThrow(/401 missing or wrong hub token/);
      const client = new HubClient(hub.url, hub.token, 1);
      const job = await client.job();
      const owner = job.groups.findIndex((g) => g.includes('hello')) + 1;
      const trial = fixtureTrial({ runId: 'hubrun', taskId: 'hello', harness: 'oracle', trial: 1, status: 'passed' });
      await expect(client.putTrial(owner, out, trial)).rejects.toThrow(/409 shard \d: send run\.json before its trials/);
      const record = { ...fixtureRun({ runId: 'hubrun', tasks: { hello: 'h' }, outcomes: { oracle: { hello: ['passed'] } } }).record };
      await expect(client.putRun(owner, { ...record, shard: { index: 3 - owner, total: 2 } } as never)).rejects.toThrow(/409 run\.json is of hubrun shard/);
      await client.putRun(owner, { ...record, shard: { index: owner, total: 2 } } as never);
      await expect(client.putTrial(3 - owner, out, trial)).rejects.toThrow(/409/);
      await client.putTrial(owner, out, trial);
      await client.putTrial(owner, out, trial);
      expect((await readTrials(hub.shardDir(owner))).map((t) => t.key)).toEqual([trial.key]);
      const evil = gzipSync(await packEntries([{ name: 'result.json', content: Buffer.from(JSON.stringify({ ...trial, key: 'hello__oracle__2', trial: 2 })), mode: 0o644 }, { name: 'trials/hello__oracle__2/../../../escape.txt', content: Buffer.from('x'), mode: 0o644 }]));
      const res = await fetch(`${hub.url}/shards/${owner}/trials/hello__oracle__2`, { method: 'POST', body: evil, headers: { authorization: `Bearer ${hub.token}` } });
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/unexpected file in a trial upload/);
    } finally {
      await hub.close();
    }
  });
});
