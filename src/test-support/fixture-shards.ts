/** Shard folders written in code (no Docker): a fixture run split the way `hbench run --shard` splits it. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunRecord } from '../records/run-record.js';
import type { TrialResult } from '../records/trial-result.js';
import { assignGroups, planOfShard, runDigests, shardFolderName, shardRecord, type ShardBy } from '../runner/shard.js';

/** Writes one folder per shard under `base` and returns their paths (index 0 = shard 1). */
export async function writeFixtureShards(base: string, run: { record: RunRecord; trials: TrialResult[] }, total: number, options: { by?: ShardBy; trialFiles?: boolean } = {}): Promise<string[]> {
  const by = options.by ?? 'task';
  const specs = run.trials.map((t) => ({ id: t }));
  const groups = assignGroups(specs, total, by, null);
  const digests = runDigests(run.record);
  const dirs: string[] = [];
  for (let i = 0; i < total; i++) {
    const shard = shardRecord({ index: i + 1, total }, by, groups[i]!, null, digests);
    const dir = path.join(base, shardFolderName(run.record.runId, { index: i + 1, total }));
    const mine = planOfShard(specs, shard).map((s) => s.id);
    await mkdir(path.join(dir, 'trials'), { recursive: true });
    const record: RunRecord = { ...run.record, shard, counts: { planned: mine.length, finished: mine.length } };
    await writeFile(path.join(dir, 'run.json'), JSON.stringify(record, null, 2));
    await writeFile(path.join(dir, 'trials.jsonl'), mine.map((t) => `${JSON.stringify(t)}\n`).join(''));
    if (options.trialFiles !== false) {
      for (const t of mine) {
        await mkdir(path.join(dir, 'trials', t.key), { recursive: true });
        await writeFile(path.join(dir, 'trials', t.key, 'harness.log'), `trial ${t.key}\n`);
      }
    }
    dirs.push(dir);
  }
  return dirs;
}
