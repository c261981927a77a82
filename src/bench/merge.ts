/**
 * `npm run bench` (merge part). `hbench merge` of 100,000 trials (200 tasks × 5 harnesses × 100 trials) in 8 shard
 * folders: every shard checked, trials.jsonl in plan order, run.json and summary.json (target: under 10 s). Trial
 * folders are measured apart, against the file system's own floor in the same run: 10,000 trials with a folder each,
 * merged, beside a plain loop that makes the same folders and links the same files.
 */
import { linkSync, mkdirSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TrialStatus } from '../records/trial-result.js';
import { formatTable } from '../report/table.js';
import { mergeShards } from '../runner/merge.js';
import { summarise } from '../scoring/summary.js';
import { fixtureRun } from '../test-support/fixture-runs.js';
import { writeFixtureShards } from '../test-support/fixture-shards.js';

const HARNESSES = ['baseline', 'self-verify', 'hide-exit-codes', 'loop-detect', 'truncate-output'];
const SHARDS = 8;

export async function mergeBench(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hbench-bench-merge-'));
  try {
    const records = await timeMerge(path.join(dir, 'records'), 200, Number(process.env.HBENCH_BENCH_MERGE_TRIALS ?? 100), false);
    const folders = await timeMerge(path.join(dir, 'folders'), 100, 20, true);
    const floor = linkFloor(folders.shards, path.join(dir, 'floor'));
    const rows = [
      [`merge ${records.trials.toLocaleString('en-US')} trials (records, checks, run.json, summary.json)`, `${(records.ms / 1000).toFixed(2)} s`, '< 10 s'],
      [`merge ${folders.trials.toLocaleString('en-US')} trials with a folder each`, `${(folders.ms / 1000).toFixed(2)} s`, ''],
      [`file-system floor: make the same ${floor.folders.toLocaleString('en-US')} folders, link their files`, `${(floor.ms / 1000).toFixed(2)} s`, ''],
      ['merge with folders ÷ floor', `${(folders.ms / floor.ms).toFixed(2)}×`, ''],
    ];
    return `Merging shards (${SHARDS} shards)\n${formatTable(['', 'measured', 'target'], rows)}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function timeMerge(dir: string, taskCount: number, trials: number, withFolders: boolean): Promise<{ ms: number; trials: number; shards: string[] }> {
  const statuses: TrialStatus[] = ['passed', 'failed', 'passed', 'timeout', 'error'];
  const tasks = Object.fromEntries(Array.from({ length: taskCount }, (_, i) => [`task-${String(i).padStart(3, '0')}`, `hash-${i}`]));
  const outcomes = Object.fromEntries(HARNESSES.map((h, hi) => [h, Object.fromEntries(Object.keys(tasks).map((t, ti) => [t, Array.from({ length: trials }, (_, k) => statuses[(ti + hi + k) % statuses.length]!)]))]));
  const run = fixtureRun({ runId: 'bench', tasks, outcomes });
  const shards = await writeFixtureShards(dir, run, SHARDS, { trialFiles: withFolders });
  const started = performance.now();
  const merged = await mergeShards(shards, path.join(dir, 'bench'), {
    finish: async (out, record, all) => {
      const summary = summarise(record.runId, all, record.harnesses.map((h) => h.name), { errorsAsFailures: false });
      await writeFile(path.join(out, 'summary.json'), JSON.stringify(summary));
    },
  });
  return { ms: performance.now() - started, trials: merged.trials.length, shards };
}

/** The same folders and links made by a bare loop: what any merge that keeps one folder per trial has to pay. */
function linkFloor(shards: string[], out: string): { ms: number; folders: number } {
  mkdirSync(out, { recursive: true });
  const started = performance.now();
  let folders = 0;
  for (const shard of shards) {
    const trials = path.join(shard, 'trials');
    for (const key of readdirSync(trials)) {
      mkdirSync(path.join(out, key));
      for (const f of readdirSync(path.join(trials, key))) linkSync(path.join(trials, key, f), path.join(out, key, f));
      folders++;
    }
  }
  return { ms: performance.now() - started, folders };
}
