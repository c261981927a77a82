import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../records/run-record.js';
import { tempDir } from '../test-support/cli.js';
import { fixtureRun } from '../test-support/fixture-runs.js';
import { writeFixtureShards } from '../test-support/fixture-shards.js';
import { mergeShards } from './merge.js';

const run = () =>
  fixtureRun({
    runId: 'nightly',
    tasks: { a: 'ha', b: 'hb', c: 'hc', d: 'hd', e: 'he' },
    outcomes: {
      base: { a: ['passed', 'failed'], b: ['passed', 'passed'], c: ['failed', 'error'], d: ['timeout', 'passed'], e: ['passed', 'passed'] },
      cand: { a: ['passed', 'passed'], b: ['failed', 'passed'], c: ['passed', 'passed'], d: ['passed', 'failed'], e: ['failed', 'passed'] },
    },
  });

async function shards(total = 3, by: 'task' | 'trial' = 'task') {
  const base = await tempDir('hbench-merge-');
  const r = run();
  return { base, r, dirs: await writeFixtureShards(base, r, total, { by }) };
}

const readRecord = async (dir: string) => JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8')) as RunRecord;
const editRecord = async (dir: string, edit: (r: RunRecord) => void) => {
  const r = await readRecord(dir);
  edit(r);
  await writeFile(path.join(dir, 'run.json'), JSON.stringify(r));
};

describe('merge', () => {
  it('makes one results folder with every trial once, in plan order, and the shards listed', async () => {
    for (const by of ['task', 'trial'] as const) {
      const { base, r, dirs } = await shards(3, by);
      const out = path.join(base, 'nightly');
      const finished: string[] = [];
      const outcome = await mergeShards([...dirs].reverse(), out, { finish: async (dir) => void finished.push(dir) });
      expect(outcome.trials.map((t) => t.key).sort()).toEqual(r.trials.map((t) => t.key).sort());
      const lines = (await readFile(path.join(out, 'trials.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).key);
      expect(lines[0]).toBe('a__base__1');
      expect(lines).toHaveLength(20);
      expect(lines.indexOf('e__cand__1')).toBeLessThan(lines.indexOf('a__base__2'));
      const record = await readRecord(out);
      expect(record.shard).toBeUndefined();
      expect(record.shards!.map((s) => [s.index, s.trials])).toEqual(dirs.map((_, i) => [i + 1, expect.any(Number)]));
      expect(record.shards!.reduce((n, s) => n + s.trials, 0)).toBe(20);
      expect(record.counts).toEqual({ planned: 20, finished: 20 });
      expect((await readdir(path.join(out, 'trials'))).sort()).toEqual(r.trials.map((t) => t.key).sort());
      expect(await readFile(path.join(out, 'trials', 'c__cand__2', 'harness.log'), 'utf8')).toBe('trial c__cand__2\n');
      // finish() saw the folder before it was renamed into place.
      expect(finished).toEqual([`${out}.merging-${process.pid}`]);
      expect(existsSync(finished[0]!)).toBe(false);
    }
  });

  it('refuses shards of different runs, naming the file, the field and the fix', async () => {
    const cases: Array<[(r: RunRecord) => void, RegExp]> = [
      [(r) => (r.runId = 'other'), /run\.json: runId is "other" but .* has "nightly": these are shards of different runs \(merge only folders of one --run-id\)/],
      [(r) => (r.shard!.digests.suite = 'x'), /shard\.digests\.suite .*the task suite differs between machines/],
      [(r) => (r.shard!.digests.harnesses = 'x'), /shard\.digests\.harnesses .*harness definitions differ/],
      [(r) => (r.shard!.digests.model = 'x'), /shard\.digests\.model .*the model, its parameters or the seed differ/],
      [(r) => (r.shard!.digests.tool = '9.9.9'), /shard\.digests\.tool .*same hbench version/],
      [(r) => (r.shard!.total = 4), /shard\.total .*same N/],
      [(r) => delete r.shard, /run\.json: no "shard" field: merge takes folders written by hbench run --shard/],
    ];
    for (const [edit, message] of cases) {
      const { base, dirs } = await shards();
      await editRecord(dirs[1]!, edit);
      await expect(mergeShards(dirs, path.join(base, 'out'))).rejects.toThrow(message);
      expect(existsSync(path.join(base, 'out'))).toBe(false);
      expect((await readdir(base)).filter((n) => n.includes('merging'))).toEqual([]);
    }
  });

  it('names a missing shard and how to run it; --allow-incomplete merges what is there', async () => {
    const { base, dirs } = await shards();
    await expect(mergeShards([dirs[0]!, dirs[2]!], path.join(base, 'out'))).rejects.toThrow(
      /shard 2 of 3 missing \(expected nightly\.shard-2-of-3\); run it with hbench run --shard I\/3 --run-id nightly, or merge anyway with --allow-incomplete/,
    );
    const partial = await mergeShards([dirs[0]!, dirs[2]!], path.join(base, 'out'), { allowIncomplete: true });
    expect(partial.missing.shards).toEqual([2]);
    expect(partial.record.status).toBe('interrupted');
    expect(partial.record.counts.planned).toBe(20);
  });

  it('names trials a shard did not record, with the resume command', async () => {
    const { base, dirs } = await shards();
    const file = path.join(dirs[0]!, 'trials.jsonl');
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    await writeFile(file, `${lines.slice(1).join('\n')}\n`);
    const missing = JSON.parse(lines[0]!).key as string;
    await expect(mergeShards(dirs, path.join(base, 'out'))).rejects.toThrow(new RegExp(`1 trial\\(s\\) not recorded by their shard \\(${missing}\\); finish with hbench run --resume .*nightly\\.shard-1-of-3`));
  });

  it('never counts a trial twice: a repeated line or a shard given twice is refused', async () => {
    const { base, dirs } = await shards();
    const file = path.join(dirs[1]!, 'trials.jsonl');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text + text.split('\n')[0] + '\n');
    await expect(mergeShards(dirs, path.join(base, 'out'))).rejects.toThrow(/trial .* is recorded twice .*remove one line so it counts once/);
    await writeFile(file, text);
    await expect(mergeShards([...dirs, dirs[0]!], path.join(base, 'out'))).rejects.toThrow(/shard 1\/3 is given twice/);
  });

  it('refuses a trial that belongs to another shard (folders mixed up)', async () => {
    const { base, dirs } = await shards();
    const stray = (await readFile(path.join(dirs[0]!, 'trials.jsonl'), 'utf8')).split('\n')[0]!;
    await rm(path.join(dirs[0]!, 'trials.jsonl'));
    await writeFile(path.join(dirs[1]!, 'trials.jsonl'), `${stray}\n${await readFile(path.join(dirs[1]!, 'trials.jsonl'), 'utf8')}`);
    await expect(mergeShards(dirs, path.join(base, 'out'))).rejects.toThrow(/does not belong to shard 2\/3/);
  });

  it('never writes over a folder that holds something, and leaves nothing half-written when finishing fails', async () => {
    const { base, dirs } = await shards();
    const out = path.join(base, 'out');
    await mkdir(out);
    await writeFile(path.join(out, 'keep.txt'), 'mine');
    await expect(mergeShards(dirs, out)).rejects.toThrow(/--out .*exists and is not empty/);
    expect(await readFile(path.join(out, 'keep.txt'), 'utf8')).toBe('mine');
    const out2 = path.join(base, 'out2');
    await expect(mergeShards(dirs, out2, { finish: async () => { throw new Error('disk full'); } })).rejects.toThrow('disk full');
    expect(existsSync(out2)).toBe(false);
    expect((await readdir(base)).filter((n) => n.includes('merging'))).toEqual([]);
  });
});
