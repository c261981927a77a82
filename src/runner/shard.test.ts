import { describe, expect, it } from 'vitest';
import { trialIdentity } from '../records/trial-result.js';
import { fixtureRun } from '../test-support/fixture-runs.js';
import { buildPlanKeys } from './plan.js';
import { assignGroups, durationEstimates, parseShard, planOfShard, runDigests, shardFolderName } from './shard.js';

const plan = (tasks: number, harnesses = 2, trials = 3) =>
  buildPlanKeys(
    Array.from({ length: tasks }, (_, i) => `task-${String(i).padStart(2, '0')}`),
    Array.from({ length: harnesses }, (_, i) => `h${i}`),
    trials,
  ).map((id) => ({ id }));

describe('--shard I/N', () => {
  it('parses I/N (1-based) and refuses anything else with the fix', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, total: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, total: 1 });
    for (const bad of ['0/4', '5/4', '2', '2/0', 'a/b', '-1/3', '1.5/3']) expect(() => parseShard(bad)).toThrow(/--shard .*give I\/N with 1 ≤ I ≤ N/);
    expect(shardFolderName('nightly', { index: 2, total: 4 })).toBe('nightly.shard-2-of-4');
  });

  it('splits the plan into disjoint shards that cover it, keeping a task on one machine', () => {
    const p = plan(10);
    const groups = assignGroups(p, 3, 'task', null);
    const parts = groups.map((g) => planOfShard(p, { by: 'task', groups: g }));
    const keys = parts.flat().map((s) => s.id.key).sort();
    expect(keys).toEqual(p.map((s) => s.id.key).sort());
    expect(new Set(keys).size).toBe(keys.length);
    for (const part of parts) for (const task of new Set(part.map((s) => s.id.taskId))) {
      expect(parts.filter((q) => q.some((s) => s.id.taskId === task))).toHaveLength(1);
    }
    // Balanced by count: 10 equal tasks over 3 shards → 4, 3, 3.
    expect(parts.map((x) => x.length / 6).sort()).toEqual([3, 3, 4]);
  });

  it('is the same on every machine: independent of the order the plan was built in', () => {
    const p = plan(7);
    const shuffled = [...p].reverse();
    expect(assignGroups(shuffled, 3, 'task', null)).toEqual(assignGroups(p, 3, 'task', null));
  });

  it('balances by an earlier run\'s durations (longest first on the least-loaded shard)', () => {
    const p = plan(4, 1, 1);
    const trials = [
      { taskId: 'task-00', harness: 'h0', status: 'passed', durationMs: 100_000 },
      { taskId: 'task-01', harness: 'h0', status: 'failed', durationMs: 10_000 },
      { taskId: 'task-02', harness: 'h0', status: 'passed', durationMs: 10_000 },
      { taskId: 'task-03', harness: 'h0', status: 'passed', durationMs: 10_000 },
      { taskId: 'task-03', harness: 'h0', status: 'error', durationMs: 999_999 },
    ] as never;
    const d = durationEstimates('earlier', trials);
    expect(d.byTask.get('task-03')).toBe(10_000); // errors say nothing of the work
    expect(assignGroups(p, 2, 'task', d)).toEqual([['task-00'], ['task-01', 'task-02', 'task-03']]);
    // By count the long task would share a shard.
    expect(assignGroups(p, 2, 'task', null)).toEqual([['task-00', 'task-02'], ['task-01', 'task-03']]);
    expect(() => durationEstimates('empty', [])).toThrow(/--durations empty: the run has no finished trials/);
  });

  it('can split single trials (--shard-by trial), and leaves shards empty when there are fewer groups', () => {
    const p = plan(1, 1, 4);
    expect(assignGroups(p, 4, 'trial', null).map((g) => g.length)).toEqual([1, 1, 1, 1]);
    expect(assignGroups(p, 2, 'task', null)).toEqual([['task-00'], []]);
    expect(trialIdentity('task-00', 'h0', 1).key).toBe(assignGroups(p, 4, 'trial', null)[0]![0]);
  });

  it('digests change with the suite, the harnesses, the model and the plan, not with the machine', () => {
    const run = fixtureRun({ runId: 'r', tasks: { a: 'h1', b: 'h2' }, outcomes: { x: { a: ['passed'], b: ['failed'] } } }).record;
    const base = runDigests(run);
    expect(runDigests({ ...run, config: { ...run.config, tasksDir: '/elsewhere', concurrency: 16 } })).toEqual(base);
    expect(runDigests({ ...run, tasks: [{ ...run.tasks[0]!, contentHash: 'changed' }, run.tasks[1]!] }).suite).not.toBe(base.suite);
    expect(runDigests({ ...run, harnesses: [{ ...run.harnesses[0]!, hash: 'other' }] }).harnesses).not.toBe(base.harnesses);
    expect(runDigests({ ...run, config: { ...run.config, seed: '2' } }).model).not.toBe(base.model);
    expect(runDigests({ ...run, config: { ...run.config, trials: 9 } }).plan).not.toBe(base.plan);
  });
});
