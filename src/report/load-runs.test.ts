import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResultsStore } from '../runner/results-store.js';
import { tempDir } from '../test-support/cli.js';
import { runA, runC } from '../test-support/leaderboard-fixtures.js';
import { buildLeaderboard } from './leaderboard.js';
import { loadRuns } from './load-runs.js';

async function saved(root: string, run: typeof runA): Promise<string> {
  const store = await ResultsStore.create(path.join(root, run.record.runId));
  await store.writeRun(run.record);
  for (const t of run.trials) store.appendTrial(t);
  store.close();
  return store.dir;
}

describe('loadRuns', () => {
  it('reads run records and trials from results folders, once per folder', async () => {
    const root = await tempDir();
    const a = await saved(root, runA);
    const c = await saved(root, runC);
    const runs = await loadRuns([a, c, `${a}/`]);
    expect(runs.map((r) => [r.dir, r.record.runId, r.trials.length])).toEqual([
      [a, 'run-a', runA.trials.length],
      [c, 'run-c', runC.trials.length],
    ]);
    expect(buildLeaderboard(runs).groups).toHaveLength(2);
  });

  it('names a folder that is not a run, and the fix', async () => {
    const root = await tempDir();
    await mkdir(path.join(root, 'empty'));
    await expect(loadRuns([path.join(root, 'empty')])).rejects.toThrow(`${path.join(root, 'empty')}: not a results folder (no run.json); pass a folder made by \`hbench run\` (e.g. results/<run-id>)`);
    await expect(loadRuns([path.join(root, 'nope')])).rejects.toThrow(/nope: no such folder; pass results folders made by `hbench run`/);
    await expect(loadRuns([])).rejects.toThrow(/no results folders given/);
  });

  it('points at the runs inside when given the parent results folder', async () => {
    const root = await tempDir();
    await saved(root, runA);
    await saved(root, runC);
    const err = await loadRuns([root]).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'USAGE' });
    expect((err as Error).message).toBe(`${root}: not a results folder (no run.json); it holds 2 run folders: pass ${path.join(root, 'run-a')} ${path.join(root, 'run-c')} instead`);
  });

  it('refuses a run.json that is not a run record', async () => {
    const root = await tempDir();
    await writeFile(path.join(root, 'run.json'), '{"hello":1}');
    await expect(loadRuns([root])).rejects.toThrow(/run\.json: schema: missing, so this is not a run record hbench writes/);
  });
});
