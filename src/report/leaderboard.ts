/**
 * Leaderboard across runs, in the style of the Terminal-Bench leaderboard: one row per harness of each run, ranked
 * by task-clustered pass rate. A pass rate only means something against the tasks it was measured on, so rows whose
 * task suites differ (other tasks, or the same ids with changed content) are put in separate groups and ranked
 * apart. Numbers come from the run summary code, so a row equals the run's own summary.
 */
import { createHash } from 'node:crypto';
import type { RunRecord } from '../records/run-record.js';
import type { TrialResult } from '../records/trial-result.js';
import type { RateEstimate } from '../scoring/rates.js';
import { rowFigures, summarise, type SummaryOptions } from '../scoring/summary.js';

export interface LeaderboardRun {
  dir: string;
  record: RunRecord;
  trials: TrialResult[];
}

export type LeaderboardOptions = SummaryOptions;

export interface LeaderboardRow {
  /** 1-based within the group; equal pass rates share a rank; null when no trial could be scored. */
  rank: number | null;
  /** The harness name, or `harness (run-id)` when that name appears in more than one run. */
  label: string;
  harness: string;
  runId: string;
  dir: string;
  model: { id: string; simulated: boolean } | null;
  passRate: RateEstimate | null;
  /** Finished trials per task of the run's suite (min < max when the run is incomplete). */
  trialsPerTask: { min: number; max: number };
  tasks: number;
  trials: number;
  passed: number;
  failed: number;
  timeouts: number;
  errors: number;
  /** When the run started (ISO 8601). */
  date: string;
  meanTokens: number | null;
  meanCostUsd: number | null;
}

export interface SuiteDescription {
  /** sha256 of the sorted `id\0contentHash` lines of the run's tasks. */
  digest: string;
  tasks: Array<{ id: string; contentHash: string }>;
}

export interface LeaderboardGroup {
  suite: SuiteDescription;
  /** Why this group stands alone (or that every row shares one suite). */
  note: string;
  rows: LeaderboardRow[];
}

export interface Leaderboard {
  groups: LeaderboardGroup[];
  /** Some row's model was the simulated one. */
  simulated: boolean;
  errorsCounted: 'excluded' | 'as failures';
}

export function suiteOf(record: RunRecord): SuiteDescription {
  const tasks = record.tasks.map((t) => ({ id: t.id, contentHash: t.contentHash })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const digest = createHash('sha256').update(tasks.map((t) => `${t.id}\0${t.contentHash}`).join('\n')).digest('hex');
  return { digest, tasks };
}

export function buildLeaderboard(runs: LeaderboardRun[], options: LeaderboardOptions = {}): Leaderboard {
  const runsPerHarness = new Map<string, Set<string>>();
  for (const run of runs) {
    for (const h of harnessesOf(run)) runsPerHarness.set(h, (runsPerHarness.get(h) ?? new Set()).add(run.dir));
  }
  const ambiguous = (harness: string) => (runsPerHarness.get(harness)?.size ?? 0) > 1;
  const bySuite = new Map<string, { suite: SuiteDescription; rows: LeaderboardRow[] }>();
  for (const run of runs) {
    const suite = suiteOf(run.record);
    const group = bySuite.get(suite.digest) ?? { suite, rows: [] };
    group.rows.push(...rowsOf(run, options, ambiguous));
    bySuite.set(suite.digest, group);
  }
  const groups = [...bySuite.values()].sort((a, b) => b.rows.length - a.rows.length || b.suite.tasks.length - a.suite.tasks.length || a.suite.digest.localeCompare(b.suite.digest));
  const reference = groups[0]?.suite;
  return {
    groups: groups.map((g, i) => ({ suite: g.suite, note: suiteNote(g.suite, reference!, i, groups.length), rows: ranked(g.rows) })),
    simulated: runs.some((r) => r.record.model?.simulated === true),
    errorsCounted: options.errorsAsFailures ? 'as failures' : 'excluded',
  };
}

function harnessesOf(run: LeaderboardRun): string[] {
  return [...new Set([...run.record.harnesses.map((h) => h.name), ...run.trials.map((t) => t.harness)])];
}

function rowsOf(run: LeaderboardRun, options: LeaderboardOptions, ambiguous: (harness: string) => boolean): LeaderboardRow[] {
  const { record } = run;
  const summary = summarise(record.runId, run.trials, harnessesOf(run), options);
  return summary.harnesses.map((h) => {
    const perTask = record.tasks.map((task) => run.trials.filter((t) => t.harness === h.harness && t.taskId === task.id).length);
    return {
      rank: null,
      label: ambiguous(h.harness) ? `${h.harness} (${record.runId})` : h.harness,
      harness: h.harness,
      runId: record.runId,
      dir: run.dir,
      model: record.model ? { id: record.model.id, simulated: record.model.simulated } : null,
      passRate: h.passRate,
      trialsPerTask: { min: perTask.length ? Math.min(...perTask) : 0, max: perTask.length ? Math.max(...perTask) : 0 },
      ...rowFigures(h),
      date: record.startedAt,
    };
  });
}

/** Best pass rate first (then the higher CI bound, then the label, so the order is stable); ties share a rank. */
function ranked(rows: LeaderboardRow[]): LeaderboardRow[] {
  const sorted = [...rows].sort((a, b) => {
    if (!a.passRate || !b.passRate) return (a.passRate ? 0 : 1) - (b.passRate ? 0 : 1) || a.label.localeCompare(b.label);
    return b.passRate.rate - a.passRate.rate || b.passRate.low - a.passRate.low || a.label.localeCompare(b.label);
  });
  let rank = 0;
  return sorted.map((row, i) => {
    const prev = sorted[i - 1];
    if (!row.passRate) return { ...row, rank: null };
    if (!prev?.passRate || Math.abs(prev.passRate.rate - row.passRate.rate) > 1e-12) rank = i + 1;
    return { ...row, rank };
  });
}

export function shortDigest(digest: string): string {
  return digest.slice(0, 12);
}

function suiteNote(suite: SuiteDescription, reference: SuiteDescription, index: number, groups: number): string {
  const name = `suite ${shortDigest(suite.digest)} (${suite.tasks.length} tasks)`;
  if (groups === 1) return `Every row ran ${name}.`;
  if (index === 0) return `Rows that ran ${name} are ranked together; ${groups - 1} other suite${groups > 2 ? 's are' : ' is'} ranked separately below.`;
  const mine = new Map(suite.tasks.map((t) => [t.id, t.contentHash]));
  const theirs = new Map(reference.tasks.map((t) => [t.id, t.contentHash]));
  const only = [...mine.keys()].filter((id) => !theirs.has(id));
  const missing = [...theirs.keys()].filter((id) => !mine.has(id));
  const changed = [...mine.keys()].filter((id) => theirs.has(id) && theirs.get(id) !== mine.get(id));
  const list = (ids: string[]) => `${ids.slice(0, 5).join(', ')}${ids.length > 5 ? `, … (${ids.length - 5} more)` : ''}`;
  const diffs = [
    only.length ? `${only.length} task${only.length > 1 ? 's' : ''} only here (${list(only)})` : '',
    missing.length ? `${missing.length} missing (${list(missing)})` : '',
    changed.length ? `${changed.length} with changed content (${list(changed)})` : '',
  ].filter(Boolean);
  return `Ranked separately: ${name} differs from suite ${shortDigest(reference.digest)}: ${diffs.join('; ')}. Do not compare these ranks with other groups.`;
}
