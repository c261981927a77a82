/**
 * Sharding: a deterministic part of the plan for one machine. Every machine given the same inputs computes the same
 * split, so shards need no coordinator. The unit of work is a group (by default all trials of one task, so a shard
 * builds only its own images); groups are placed longest first on the least-loaded shard (LPT), weighted by the
 * durations of an earlier run when given one, else by trial count.
 */
import os from 'node:os';
import { UsageError } from '../common/errors.js';
import { stableHash } from '../common/stable-hash.js';
import type { RunRecord, ShardRecord } from '../records/run-record.js';
import type { TrialResult } from '../records/trial-result.js';
import type { TrialSpec } from './trial.js';

export interface ShardSpec {
  /** 1-based, as in Playwright's `--shard=2/4`. */
  index: number;
  total: number;
}

export type ShardBy = 'task' | 'trial';

/** Estimated durations (ms) from an earlier run: by `task\u0000harness`, by task, and over everything. */
export interface DurationEstimates {
  source: string;
  byTaskHarness: Map<string, number>;
  byTask: Map<string, number>;
  overall: number;
}

export function parseShard(text: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const total = m ? Number(m[2]) : NaN;
  if (!m || total < 1 || index < 1 || index > total) {
    throw new UsageError(`--shard ${text}: give I/N with 1 ≤ I ≤ N, e.g. --shard 2/4 (the second of four shards)`);
  }
  return { index, total };
}

export function shardFolderName(runId: string, shard: ShardSpec): string {
  return `${runId}.shard-${shard.index}-of-${shard.total}`;
}

/** The group a trial belongs to: its task (default) or the trial itself. */
export function groupOf(spec: Pick<TrialSpec, 'id'>, by: ShardBy): string {
  return by === 'task' ? spec.id.taskId : spec.id.key;
}

/**
 * Splits the plan's groups into `total` shards. Deterministic: groups sorted by weight (heaviest first), then by id;
 * each goes to the least-loaded shard, the lowest index on a tie. Returns the group ids of each shard (index 0 = shard 1).
 */
export function assignGroups(plan: Pick<TrialSpec, 'id'>[], total: number, by: ShardBy, durations: DurationEstimates | null): string[][] {
  const weights = new Map<string, number>();
  for (const s of plan) {
    const g = groupOf(s, by);
    weights.set(g, (weights.get(g) ?? 0) + estimate(s.id.taskId, s.id.harness, durations));
  }
  const groups = [...weights].sort(([a, wa], [b, wb]) => wb - wa || (a < b ? -1 : a > b ? 1 : 0));
  const loads = new Array<number>(total).fill(0);
  const shards: string[][] = Array.from({ length: total }, () => []);
  for (const [g, w] of groups) {
    let best = 0;
    for (let i = 1; i < total; i++) if (loads[i]! < loads[best]!) best = i;
    loads[best]! += w;
    shards[best]!.push(g);
  }
  for (const s of shards) s.sort();
  return shards;
}

function estimate(taskId: string, harness: string, d: DurationEstimates | null): number {
  if (!d) return 1;
  return d.byTaskHarness.get(`${taskId}\u0000${harness}`) ?? d.byTask.get(taskId) ?? d.overall;
}

/** Mean trial durations of an earlier run (errors left out: they end early and say nothing of the work). */
export function durationEstimates(source: string, trials: TrialResult[]): DurationEstimates {
  const sums = new Map<string, [number, number]>();
  const add = (k: string, ms: number) => {
    const [s, n] = sums.get(k) ?? [0, 0];
    sums.set(k, [s + ms, n + 1]);
  };
  let total = 0;
  let count = 0;
  for (const t of trials) {
    if (t.status === 'error' || !Number.isFinite(t.durationMs)) continue;
    add(`${t.taskId}\u0000${t.harness}`, t.durationMs);
    add(`\u0001${t.taskId}`, t.durationMs);
    total += t.durationMs;
    count++;
  }
  if (count === 0) throw new UsageError(`--durations ${source}: the run has no finished trials to take durations from; drop --durations to balance by count`);
  const byTaskHarness = new Map<string, number>();
  const byTask = new Map<string, number>();
  for (const [k, [s, n]] of sums) {
    if (k.startsWith('\u0001')) byTask.set(k.slice(1), s / n);
    else byTaskHarness.set(k, s / n);
  }
  return { source, byTaskHarness, byTask, overall: total / count };
}

/**
 * What must be equal for shards to belong to one run: the suite (task contents), the harness definitions, the model
 * pin and the plan's shape. Merge refuses shards whose digests differ.
 */
export function runDigests(record: Pick<RunRecord, 'tasks' | 'harnesses' | 'config'> & { tool: { version: string } }): ShardRecord['digests'] {
  const { config } = record;
  return {
    suite: stableHash(record.tasks.map((t) => [t.id, t.contentHash])).slice(0, 16),
    harnesses: stableHash(record.harnesses.map((h) => [h.name, h.hash])).slice(0, 16),
    // Where each machine reaches the model (base URL, key variable, price file path) may differ; what it is may not.
    model: stableHash({ model: config.model ? { spec: config.model.spec, params: config.model.params, mistakeRate: config.model.mistakeRate } : null, seed: config.seed }).slice(0, 16),
    plan: stableHash({ trials: config.trials, include: config.include, exclude: config.exclude, allowNetwork: config.allowNetwork, verifier: config.verifier ?? 'shared', artifacts: config.artifacts ?? [] }).slice(0, 16),
    tool: record.tool.version,
  };
}

/** The shard's entry in run.json. */
export function shardRecord(spec: ShardSpec, by: ShardBy, groups: string[], durations: DurationEstimates | null, digests: ShardRecord['digests']): ShardRecord {
  return {
    index: spec.index,
    total: spec.total,
    by,
    balance: durations ? { by: 'durations', source: durations.source } : { by: 'count' },
    groups,
    digests,
    // A swarm worker is told its node (its own hostname names its slot, not the machine).
    host: process.env.HBENCH_MACHINE || os.hostname(),
  };
}

/** The trials of the plan that belong to a shard. */
export function planOfShard<T extends Pick<TrialSpec, 'id'>>(plan: T[], shard: Pick<ShardRecord, 'by' | 'groups'>): T[] {
  const groups = new Set(shard.groups);
  return plan.filter((s) => groups.has(groupOf(s, shard.by)));
}
