/**
 * Finds and loads tasks. A folder is a task when it holds task.toml (Harbor) or task.yaml (Terminal-Bench 1);
 * a suite is a folder of such folders. Parsing happens once, here.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { HbenchError, TaskError, UsageError, errorMessage } from '../common/errors.js';
import { exists, isDir } from '../common/files.js';
import { loadHarborTask } from './harbor.js';
import type { Task } from './task.js';
import { loadTb1Task } from './tb1.js';

export interface TaskLoadFailure {
  id: string;
  dir: string;
  error: HbenchError;
}

export interface LoadedSuite {
  root: string;
  tasks: Task[];
  failures: TaskLoadFailure[];
}

/** A folder is a task when something is named task.toml or task.yaml in it (if that is no readable file, loading says so). */
export function isTaskDir(dir: string): boolean {
  return exists(path.join(dir, 'task.toml')) || exists(path.join(dir, 'task.yaml'));
}

export async function loadTask(dir: string): Promise<Task> {
  if (exists(path.join(dir, 'task.toml'))) return loadHarborTask(dir);
  if (exists(path.join(dir, 'task.yaml'))) return loadTb1Task(dir);
  throw new TaskError(dir, undefined, 'is not a task folder', 'a task folder holds task.toml (Harbor) or task.yaml (Terminal-Bench 1)');
}

export interface SuiteFilter {
  include?: string[];
  exclude?: string[];
}

/** Loads every task under `root` (or `root` itself when it is a task). Failures are collected, not thrown. */
export async function loadSuite(root: string, filter: SuiteFilter = {}): Promise<LoadedSuite> {
  const abs = path.resolve(root);
  if (!isDir(abs)) throw new UsageError(`${root}: no such folder (pass --tasks with a folder of task folders)`);
  let dirs: string[];
  if (isTaskDir(abs)) {
    dirs = [abs];
  } else {
    const entries = await readdir(abs, { withFileTypes: true });
    dirs = entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => path.join(abs, e.name))
      .filter(isTaskDir)
      .sort();
  }
  const include = filter.include?.length ? picomatch(filter.include) : () => true;
  const exclude = filter.exclude?.length ? picomatch(filter.exclude) : () => false;
  dirs = dirs.filter((d) => include(path.basename(d)) && !exclude(path.basename(d)));

  const tasks: Task[] = [];
  const failures: TaskLoadFailure[] = [];
  const results = await Promise.allSettled(dirs.map((d) => loadTask(d)));
  results.forEach((r, i) => {
    const dir = dirs[i]!;
    if (r.status === 'fulfilled') tasks.push(r.value);
    else failures.push({ id: path.basename(dir), dir, error: r.reason instanceof HbenchError ? r.reason : new TaskError(dir, undefined, errorMessage(r.reason)) });
  });
  return { root: abs, tasks, failures };
}
