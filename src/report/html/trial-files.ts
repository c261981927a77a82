/**
 * The raw files of one trial folder, as the report reads them: trajectory.jsonl and each step's verifier stdout.
 * Single-step tasks keep the verifier output in `verifier/`, multi-step tasks in `verifier/<step>/`.
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ActionRecord } from '../../records/action-record.js';
import type { TrialResult } from '../../records/trial-result.js';
import type { TrialDetail, TrialView } from './model-types.js';

/** The verifier output shown per step: its end, where test summaries and failures are. */
export const VERIFIER_TAIL_BYTES = 8 * 1024;

export type DetailLoader = ((key: string, trial: TrialResult) => Promise<TrialDetail | null>) & {
  /** Keys that may have details at all; any other has none, and is not worth a call (most trials of a large run). */
  candidates?: () => Promise<ReadonlySet<string>>;
};

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** Verifier stdout files that exist, relative to the trial folder. */
async function verifierFiles(trialDir: string, trial: TrialResult): Promise<Array<{ step: string; stdout: string }>> {
  const found: Array<{ step: string; stdout: string }> = [];
  for (const s of trial.steps) {
    const rel = `verifier/${s.name}/stdout.txt`;
    if (await isFile(path.join(trialDir, rel))) found.push({ step: s.name, stdout: rel });
  }
  if (found.length === 0 && (await isFile(path.join(trialDir, 'verifier/stdout.txt')))) {
    found.push({ step: trial.steps[0]?.name ?? 'main', stdout: 'verifier/stdout.txt' });
  }
  return found;
}

export async function probeTrialFiles(runDir: string, trial: TrialResult): Promise<NonNullable<TrialView['files']>> {
  const dir = path.join(runDir, 'trials', trial.key);
  return { trajectory: await isFile(path.join(dir, 'trajectory.jsonl')), verifier: await verifierFiles(dir, trial) };
}

/**
 * Names under `<runDir>/trials/`, read once: a large run has files for only some of its trials, and a stat per
 * trial that has none cost minutes. Empty when the folder does not exist.
 */
export async function listTrialFolders(runDir: string): Promise<Set<string>> {
  try {
    return new Set(await readdir(path.join(runDir, 'trials')));
  } catch {
    return new Set();
  }
}

/** Open files are limited and each probe is a few stats: this many trials are probed or loaded at once. */
export const IO_CONCURRENCY = 16;

/** `fn` over `items` with at most `limit` calls in flight; results in the order of `items`. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const NO_FILES = (): NonNullable<TrialView['files']> => ({ trajectory: false, verifier: [] });

/** The raw files of many trials of one results folder: only folders that exist are probed. */
export async function probeRunFiles(runDir: string, trials: readonly TrialResult[]): Promise<Array<NonNullable<TrialView['files']>>> {
  const present = await listTrialFolders(runDir);
  return mapLimit(trials, IO_CONCURRENCY, (t) => (present.has(t.key) ? probeTrialFiles(runDir, t) : Promise.resolve(NO_FILES())));
}

/** Trajectory lines; a line cut short by a crash is skipped rather than failing the report. */
export function parseTrajectory(text: string): ActionRecord[] {
  const steps: ActionRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      steps.push(JSON.parse(line) as ActionRecord);
    } catch {
      // keep the readable lines
    }
  }
  return steps;
}

async function tail(file: string, bytes: number): Promise<{ text: string; size: number }> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const start = Math.max(0, size - bytes);
    const buf = Buffer.alloc(size - start);
    await fh.read(buf, 0, buf.length, start);
    return { text: buf.toString('utf8'), size };
  } finally {
    await fh.close();
  }
}

/** Reads trial details from a results folder (`<runDir>/trials/<key>/`). */
export function fileDetailLoader(runDir: string, tailBytes = VERIFIER_TAIL_BYTES): DetailLoader {
  // Listed on first use; trials without a folder then cost nothing.
  let present: Promise<Set<string>> | null = null;
  const candidates = () => (present ??= listTrialFolders(runDir));
  const load: DetailLoader = async (key, trial) => {
    if (!(await candidates()).has(key)) return null;
    const dir = path.join(runDir, 'trials', key);
    const trajFile = path.join(dir, 'trajectory.jsonl');
    const trajectory = (await isFile(trajFile)) ? parseTrajectory(await readFile(trajFile, 'utf8')) : null;
    const verifier: TrialDetail['verifier'] = [];
    for (const v of await verifierFiles(dir, trial)) {
      const t = await tail(path.join(dir, v.stdout), tailBytes);
      verifier.push({ step: v.step, stdoutTail: t.text, bytes: t.size, path: v.stdout });
    }
    if (trajectory === null && verifier.length === 0) return null;
    return { trajectory, verifier };
  };
  load.candidates = candidates;
  return load;
}
