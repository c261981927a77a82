/**
 * `hbench merge`: shard folders of one run → one results folder, exactly as if one machine had run the plan. Shards of
 * different runs are refused (run id, digests of suite, harnesses, model, plan and tool version), as are missing
 * shards or trials and a trial recorded twice. The merged folder is written beside its final place (holding its lock)
 * and renamed into it at the end: nothing half-written is ever left under the name asked for, and a folder a run is
 * still writing is never merged into.
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync } from 'node:fs';
import { readdir, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { ResultsError, UsageError } from '../common/errors.js';
import type { MergedShard, RunRecord, ShardRecord } from '../records/run-record.js';
import type { TrialResult } from '../records/trial-result.js';
import { buildPlanKeys } from './plan.js';
import { ResultsStore } from './results-store.js';
import { assertUnlocked, LOCK_FILE, RunLock } from './run-lock.js';
import { groupOf, shardFolderName } from './shard.js';

export interface MergeOptions {
  /** Merge what is there even if shards or trials are missing (the run is then marked `interrupted`). */
  allowIncomplete?: boolean;
  /**
   * Called with the merged folder (still under its temporary name) once run.json and trials.jsonl are written:
   * where summary and report are added.
   */
  finish?(dir: string, record: RunRecord, trials: TrialResult[]): Promise<void>;
}

export interface MergeOutcome {
  dir: string;
  record: RunRecord;
  trials: TrialResult[];
  /** What was missing (only with allowIncomplete). */
  missing: { shards: number[]; trials: string[] };
}

interface ShardInput {
  dir: string;
  record: RunRecord & { shard: ShardRecord };
  trials: TrialResult[];
}

export async function mergeShards(dirs: string[], outDir: string, options: MergeOptions = {}): Promise<MergeOutcome> {
  if (dirs.length === 0) throw new UsageError('merge needs shard folders: hbench merge results/RUN.shard-*-of-N --out results/RUN');
  const out = path.resolve(outDir);
  // A folder a run is still writing is refused by name of its owner, before the plainer "not empty".
  await assertUnlocked(out);
  if (existsSync(out) && (await readdir(out)).filter((name) => name !== LOCK_FILE).length > 0) {
    throw new ResultsError(`--out ${outDir}: the folder exists and is not empty; merge into a new folder (a run is never overwritten)`);
  }
  const shards = await Promise.all(dirs.map(readShard));
  shards.sort((a, b) => a.record.shard.index - b.record.shard.index);
  checkSameRun(shards);
  const first = shards[0]!;
  const total = first.record.shard.total;

  const byIndex = new Map<number, ShardInput>();
  for (const s of shards) {
    const other = byIndex.get(s.record.shard.index);
    if (other) throw new UsageError(`shard ${s.record.shard.index}/${total} is given twice (${other.dir} and ${s.dir}); give each shard once`);
    byIndex.set(s.record.shard.index, s);
  }
  const missingShards = [...Array(total).keys()].map((i) => i + 1).filter((i) => !byIndex.has(i));
  if (missingShards.length && !options.allowIncomplete) {
    const run = first.record.runId;
    throw new UsageError(
      `shard${missingShards.length > 1 ? 's' : ''} ${missingShards.join(', ')} of ${total} missing (expected ${missingShards.map((i) => shardFolderName(run, { index: i, total })).join(', ')}); run ${missingShards.length > 1 ? 'them' : 'it'} with hbench run --shard I/${total} --run-id ${run}, or merge anyway with --allow-incomplete`,
    );
  }

  // Every trial once, in the shard that owns it.
  const seen = new Map<string, string>();
  for (const s of shards) {
    const groups = new Set(s.record.shard.groups);
    for (const t of s.trials) {
      const where = seen.get(t.key);
      if (where) throw new ResultsError(`trial ${t.key} is recorded twice (${where} and ${s.dir}/trials.jsonl); remove one line so it counts once`);
      seen.set(t.key, `${s.dir}/trials.jsonl`);
      if (!groups.has(groupOf({ id: t }, s.record.shard.by))) {
        throw new ResultsError(`${s.dir}/trials.jsonl: trial ${t.key} does not belong to shard ${s.record.shard.index}/${total}; the folder was mixed with another run's`);
      }
      if (t.runId !== first.record.runId) throw new ResultsError(`${s.dir}/trials.jsonl: trial ${t.key} is of run ${t.runId}, not ${first.record.runId}`);
    }
  }
  const planKeys = buildPlanKeys(first.record.tasks.map((t) => t.id), first.record.harnesses.map((h) => h.name), first.record.config.trials);
  const missingTrials = planKeys.filter((k) => !seen.has(k.key));
  const ownerOf = (taskId: string, key: string) => shards.find((s) => s.record.shard.groups.includes(s.record.shard.by === 'task' ? taskId : key));
  const missingFromGiven = missingTrials.filter((k) => ownerOf(k.taskId, k.key));
  if (missingFromGiven.length && !options.allowIncomplete) {
    const first5 = missingFromGiven.slice(0, 5).map((k) => k.key).join(', ');
    const owners = [...new Set(missingFromGiven.map((k) => ownerOf(k.taskId, k.key)!.dir))];
    throw new ResultsError(
      `${missingFromGiven.length} trial(s) not recorded by their shard (${first5}${missingFromGiven.length > 5 ? ', …' : ''}); finish with ${owners.map((d) => `hbench run --resume ${d}`).join(' and ')}, or merge anyway with --allow-incomplete`,
    );
  }

  // Plan order: the same file whatever order shards finished in.
  const order = new Map(planKeys.map((k, i) => [k.key, i]));
  const trials = shards.flatMap((s) => s.trials).sort((a, b) => order.get(a.key)! - order.get(b.key)!);
  const record = mergedRecord(shards, planKeys.length, trials.length, missingShards.length > 0 || missingTrials.length > 0);

  const tmp = `${out}.merging-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  const lock = await RunLock.acquire(tmp);
  try {
    const store = await ResultsStore.create(tmp);
    for (const s of shards) {
      for (const t of s.trials) linkTree(path.join(s.dir, 'trials', t.key), store.trialDir(t.key));
      linkTree(path.join(s.dir, 'builds'), path.join(tmp, 'builds'), { keepExisting: true });
    }
    store.appendTrials(trials);
    store.close();
    await store.writeRun(record);
    await options.finish?.(tmp, record, trials);
    await makeRoom(out, outDir);
    // Released before the rename: the lock file must not travel into the finished folder.
    lock.release();
    await rename(tmp, out);
  } catch (err) {
    lock.release();
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
  return { dir: out, record, trials, missing: { shards: missingShards, trials: missingTrials.map((k) => k.key) } };
}

/**
 * The merged folder's place must still be free when the merge is done: absent or empty (a dead process's lock aside),
 * and not taken by a runner meanwhile. Never removed recursively: what someone wrote there since the start stays.
 */
async function makeRoom(out: string, outDir: string): Promise<void> {
  await assertUnlocked(out, { removeStale: true });
  try {
    await rmdir(out);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') throw new ResultsError(`--out ${outDir}: something was written into the folder during the merge; merge into a new folder (a run is never overwritten)`);
    throw err;
  }
}

async function readShard(dir: string): Promise<ShardInput> {
  const abs = path.resolve(dir);
  const store = await ResultsStore.open(abs, 'merge takes the shard folders written by hbench run --shard I/N');
  const record = await store.readRun();
  if (!record.shard) throw new UsageError(`${dir}/run.json: no "shard" field: merge takes folders written by hbench run --shard I/N`);
  return { dir, record: record as ShardInput['record'], trials: await store.readTrials() };
}

/** Shards of one run agree on everything but their part: anything else is two runs mixed up. */
function checkSameRun(shards: ShardInput[]): void {
  const first = shards[0]!;
  const a = first.record;
  for (const s of shards.slice(1)) {
    const b = s.record;
    const differ = (what: string, x: unknown, y: unknown, fix: string) => {
      if (x !== y) throw new UsageError(`${s.dir}/run.json: ${what} is ${JSON.stringify(y)} but ${first.dir} has ${JSON.stringify(x)}: these are shards of different runs (${fix})`);
    };
    differ('runId', a.runId, b.runId, 'merge only folders of one --run-id');
    differ('shard.total', a.shard.total, b.shard.total, 'every shard must be run with the same N in --shard I/N');
    differ('shard.by', a.shard.by, b.shard.by, 'every shard must use the same --shard-by');
    differ('shard.digests.tool', a.shard.digests.tool, b.shard.digests.tool, 'run every shard with the same hbench version');
    differ('shard.digests.suite', a.shard.digests.suite, b.shard.digests.suite, 'the task suite differs between machines; run every shard on the same tasks');
    differ('shard.digests.harnesses', a.shard.digests.harnesses, b.shard.digests.harnesses, 'harness definitions differ between machines');
    differ('shard.digests.model', a.shard.digests.model, b.shard.digests.model, 'the model, its parameters or the seed differ between machines');
    differ('shard.digests.plan', a.shard.digests.plan, b.shard.digests.plan, 'trials, task filters, network, verifier or artifacts differ between machines');
  }
}

function mergedRecord(shards: ShardInput[], planned: number, finished: number, incomplete: boolean): RunRecord {
  const records = shards.map((s) => s.record);
  const first = records[0]!;
  const { shard: _shard, ...base } = first;
  const images: RunRecord['images'] = {};
  for (const r of records) Object.assign(images, r.images);
  const started = records.map((r) => r.startedAt).sort()[0]!;
  const ends = records.map((r) => r.endedAt);
  const allDone = records.every((r) => r.status === 'completed') && !incomplete;
  const weakIsolation = records.find((r) => r.hostIsolation && !r.hostIsolation.enforced)?.hostIsolation;
  const bypassable = [...new Set(records.flatMap((r) => r.gatewayBypassable ?? []))].sort();
  const merged: RunRecord = {
    ...base,
    status: allDone ? 'completed' : records.some((r) => r.status === 'failed') ? 'failed' : 'interrupted',
    images,
    startedAt: started,
    endedAt: ends.every((e) => e) ? (ends as string[]).sort().at(-1)! : null,
    resumes: records.flatMap((r) => r.resumes).sort(),
    counts: { planned, finished },
    shards: shards.map(
      (s): MergedShard => ({
        index: s.record.shard.index,
        dir: s.dir,
        host: s.record.shard.host,
        status: s.record.status,
        startedAt: s.record.startedAt,
        endedAt: s.record.endedAt,
        resumes: s.record.resumes,
        trials: s.trials.length,
      }),
    ),
  };
  if (weakIsolation) merged.hostIsolation = weakIsolation;
  else if (first.hostIsolation) merged.hostIsolation = first.hostIsolation;
  if (bypassable.length) merged.gatewayBypassable = bypassable;
  else delete merged.gatewayBypassable;
  return merged;
}

/**
 * Hard links where the file system allows (fast, no extra space; results are never edited), else copies. Synchronous
 * on purpose: a merge does nothing else meanwhile, and 100,000 small folders go several times faster without a round
 * trip through the thread pool per call.
 */
function linkTree(from: string, to: string, options: { keepExisting?: boolean } = {}): void {
  let entries;
  try {
    entries = readdirSync(from, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  mkdirSync(to, { recursive: true });
  for (const e of entries) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isDirectory()) linkTree(src, dst, options);
    else if (e.isFile()) {
      try {
        linkSync(src, dst);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // Two shards that built the same image (--shard-by trial) both have its build log: the first is kept.
        if (code === 'EEXIST' && options.keepExisting) continue;
        if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw err;
        copyFileSync(src, dst);
      }
    }
  }
}
