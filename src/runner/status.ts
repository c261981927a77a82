/**
 * `hbench status`: how far runs and shards have come, read from their folders alone (run.json and trials.jsonl), so it
 * works on folders another machine is still writing. A folder holding no run.json but run folders (a shared results
 * volume) stands for every run folder in it.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ResultsError } from '../common/errors.js';
import type { RunRecord } from '../records/run-record.js';
import type { TrialStatus } from '../records/trial-result.js';
import { parseRunRecord } from './results-check.js';

export interface FolderStatus {
  dir: string;
  runId: string;
  /** `2/4` for a shard, null for a whole run. */
  shard: string | null;
  /** Trials of the whole run (all shards). */
  wholePlan: number;
  status: RunRecord['status'];
  planned: number;
  done: number;
  counts: Record<TrialStatus, number>;
}

/** One run over its folders: for shards, the whole plan and which shards have no folder yet. */
export interface RunProgress {
  runId: string;
  planned: number;
  done: number;
  /** 0 for a run that is not sharded. */
  shardsTotal: number;
  shardsSeen: number;
  missingShards: number[];
}

export interface StatusReport {
  folders: FolderStatus[];
  runs: RunProgress[];
  total: { planned: number; done: number; counts: Record<TrialStatus, number> };
}

export async function statusOf(dirs: string[]): Promise<StatusReport> {
  const folders: FolderStatus[] = [];
  for (const d of dirs) for (const run of await runFolders(d)) folders.push(await folderStatus(run));
  folders.sort((a, b) => a.runId.localeCompare(b.runId) || shardIndex(a) - shardIndex(b) || a.dir.localeCompare(b.dir));
  const runs = new Map<string, RunProgress>();
  for (const f of folders) {
    const total = f.shard ? Number(f.shard.split('/')[1]) : 0;
    const run = runs.get(f.runId) ?? { runId: f.runId, planned: f.wholePlan, done: 0, shardsTotal: total, shardsSeen: 0, missingShards: [] };
    run.done += f.done;
    if (f.shard) run.shardsSeen++;
    runs.set(f.runId, run);
  }
  for (const run of runs.values()) {
    const seen = new Set(folders.filter((f) => f.runId === run.runId && f.shard).map(shardIndex));
    for (let i = 1; i <= run.shardsTotal; i++) if (!seen.has(i)) run.missingShards.push(i);
  }
  const total = { planned: 0, done: 0, counts: emptyCounts() };
  for (const run of runs.values()) {
    total.planned += run.planned;
    total.done += run.done;
  }
  for (const f of folders) for (const k of Object.keys(f.counts) as TrialStatus[]) total.counts[k] += f.counts[k];
  return { folders, runs: [...runs.values()], total };
}

async function runFolders(dir: string): Promise<string[]> {
  if (existsSync(path.join(dir, 'run.json'))) return [dir];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    throw new ResultsError(`${dir}: no such folder; status takes results folders (results/<run-id>, or a folder of them)`);
  }
  const runs = entries.filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'run.json'))).map((e) => path.join(dir, e.name));
  if (runs.length === 0) throw new ResultsError(`${dir}: no run.json here or in its sub-folders; status takes folders written by hbench run`);
  return runs;
}

async function folderStatus(dir: string): Promise<FolderStatus> {
  const runFile = path.join(dir, 'run.json');
  let text: string;
  try {
    text = await readFile(runFile, 'utf8');
  } catch (err) {
    throw new ResultsError(`${runFile}: cannot be read (${(err as Error).message}); check the file and the folder's permissions`);
  }
  const record = parseRunRecord(runFile, text);
  const counts = emptyCounts();
  let done = 0;
  const file = path.join(dir, 'trials.jsonl');
  if (existsSync(file)) {
    // A line still being written by a live run is not counted yet.
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      if (!line.trim()) continue;
      try {
        const status = (JSON.parse(line) as { status: TrialStatus }).status;
        if (status in counts) counts[status]++;
        done++;
      } catch {
        /* cut short */
      }
    }
  }
  return {
    dir,
    runId: record.runId,
    shard: record.shard ? `${record.shard.index}/${record.shard.total}` : null,
    wholePlan: (record.tasks?.length ?? 0) * (record.harnesses?.length ?? 0) * (record.config?.trials ?? 0),
    status: record.status,
    planned: record.counts?.planned ?? 0,
    done,
    counts,
  };
}

function shardIndex(f: FolderStatus): number {
  return f.shard ? Number(f.shard.split('/')[0]) : 0;
}

function emptyCounts(): Record<TrialStatus, number> {
  return { passed: 0, failed: 0, error: 0, timeout: 0 };
}
