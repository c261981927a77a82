/**
 * Helpers of the chaos areas that run the real CLI: its peak memory (sampled from /proc while it runs) and a results
 * folder checked against its plan (every planned trial recorded exactly once).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { RunRecord } from '../../records/run-record.js';
import type { TrialResult } from '../../records/trial-result.js';
import { buildPlanKeys } from '../../runner/plan.js';

/** Samples a child's peak resident memory (VmHWM) until it exits; resolves to MB (null where /proc has none). */
export function peakRssOf(child: ChildProcess, everyMs = 200): Promise<number | null> {
  let peakKb: number | null = null;
  const sample = async () => {
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
    const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
    if (Number.isFinite(kb)) peakKb = Math.max(peakKb ?? 0, kb);
  };
  const timer = setInterval(() => void sample(), everyMs);
  void sample();
  return new Promise((resolve) => {
    child.once('exit', () => {
      clearInterval(timer);
      resolve(peakKb === null ? null : Math.round(peakKb / 1024));
    });
  });
}

export interface PlanCheck {
  planned: number;
  lines: number;
  /** Planned trials with no line. */
  lost: string[];
  /** Trials with more than one line. */
  repeated: string[];
  /** Lines that are not of the plan. */
  stray: string[];
  /** Recorded trials that ended in an infrastructure error, with their message. */
  errors: string[];
  record: RunRecord;
}

/** trials.jsonl of a results folder against the plan its run.json describes. */
export async function checkAgainstPlan(dir: string): Promise<PlanCheck> {
  const record = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8')) as RunRecord;
  const plan = buildPlanKeys(record.tasks.map((t) => t.id), record.harnesses.map((h) => h.name), record.config.trials).map((k) => k.key);
  const text = await readFile(path.join(dir, 'trials.jsonl'), 'utf8').catch(() => '');
  const trials = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as TrialResult);
  const keys = trials.map((t) => t.key);
  const seen = new Map<string, number>();
  for (const k of keys) seen.set(k, (seen.get(k) ?? 0) + 1);
  const planned = new Set(plan);
  return {
    planned: plan.length,
    lines: keys.length,
    lost: plan.filter((k) => !seen.has(k)),
    repeated: [...seen].filter(([, n]) => n > 1).map(([k]) => k),
    stray: [...seen.keys()].filter((k) => !planned.has(k)),
    errors: trials.filter((t) => t.status === 'error').map((t) => `${t.key}: ${t.error?.message ?? 'error'}`),
    record,
  };
}

/** "none", or the first few of a list and how many. */
export function few(list: string[]): string {
  return list.length ? `${list.slice(0, 3).join(', ')}${list.length > 3 ? ` and ${list.length - 3} more` : ''}` : 'none';
}
