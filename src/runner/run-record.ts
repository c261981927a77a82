/** Making and checking run.json records (the type lives in records/run-record.ts). */
import { ResumeMismatchError } from '../common/errors.js';
import { TOOL_VERSION } from '../common/version.js';
import type { Harness } from '../harness/harness.js';
import type { RunConfig, RunRecord } from '../records/run-record.js';
import type { Task } from '../tasks/task.js';

/** A resumed run must see the same tasks and harnesses it started with. */
export function checkUnchanged(record: RunRecord, tasks: Task[], harnesses: Harness[], runFile: string): void {
  const before = new Map(record.tasks.map((t) => [t.id, t.contentHash]));
  const now = new Map(tasks.map((t) => [t.id, t.contentHash]));
  const changed: string[] = [];
  for (const [id, hash] of before) {
    if (!now.has(id)) changed.push(`task ${id} is gone`);
    else if (now.get(id) !== hash) changed.push(`task ${id} changed`);
  }
  for (const id of now.keys()) if (!before.has(id)) changed.push(`task ${id} is new`);
  const hBefore = new Map(record.harnesses.map((h) => [h.name, h.hash]));
  for (const h of harnesses) {
    if (hBefore.get(h.descriptor.name) !== h.descriptor.hash) changed.push(`harness ${h.descriptor.name} changed`);
  }
  if (changed.length) {
    throw new ResumeMismatchError(`${runFile}: cannot resume: ${changed.join('; ')} since the run started (restore them, or start a new run)`);
  }
}

export function taskEntry(t: Task): RunRecord['tasks'][number] {
  return { id: t.id, format: t.format, configFile: t.configFile, contentHash: t.contentHash, steps: t.steps.map((s) => s.name) };
}

export function newRecord(runId: string, config: RunConfig): RunRecord {
  return {
    schema: 1,
    runId,
    status: 'running',
    tool: { name: 'harness-bench', version: TOOL_VERSION, node: process.version },
    config,
    tasks: [],
    harnesses: [],
    model: null,
    git: null,
    images: {},
    startedAt: new Date().toISOString(),
    endedAt: null,
    resumes: [],
    counts: { planned: 0, finished: 0 },
  };
}

export function defaultRunId(): string {
  const stamp = new Date().toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
  return `${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}
