/**
 * Reads the results folders given to the leaderboard. A folder that is not a run gets one line naming it and the
 * fix; the common slip of passing `results/` itself is answered with the run folders inside it.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ResultsError, UsageError } from '../common/errors.js';
import { ResultsStore } from '../runner/results-store.js';
import type { LeaderboardRun } from './leaderboard.js';

export async function loadRuns(dirs: string[]): Promise<LeaderboardRun[]> {
  if (dirs.length === 0) throw new UsageError('no results folders given; pass one or more folders made by `hbench run` (e.g. results/<run-id>)');
  const unique = [...new Set(dirs.map((d) => path.resolve(d)))];
  return Promise.all(unique.map(loadRun));
}

async function loadRun(dir: string): Promise<LeaderboardRun> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new UsageError(`${dir}: no such folder; pass results folders made by \`hbench run\` (e.g. results/<run-id>)`);
  if (!existsSync(path.join(dir, 'run.json'))) {
    const inside = await runsInside(dir);
    const fix = inside.length ? `it holds ${inside.length} run folder${inside.length > 1 ? 's' : ''}: pass ${inside.slice(0, 3).map((d) => path.join(dir, d)).join(' ')}${inside.length > 3 ? ' …' : ''} instead` : 'pass a folder made by `hbench run` (e.g. results/<run-id>)';
    throw new UsageError(`${dir}: not a results folder (no run.json); ${fix}`);
  }
  const store = await ResultsStore.open(dir);
  const record = await store.readRun();
  if (record?.schema !== 1 || typeof record.runId !== 'string' || !Array.isArray(record.tasks) || !Array.isArray(record.harnesses)) {
    throw new ResultsError(`${store.runFile}: not a run record this version of hbench can read (schema ${String(record?.schema)}); re-run it with \`hbench run\``);
  }
  return { dir, record, trials: await store.readTrials() };
}

async function runsInside(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'run.json'))).map((e) => e.name).sort();
}
