/**
 * A whole `hbench run` in this process (prepareRun → executeRun, reporters and all) with sandboxes from the in-process
 * FakeBackend: what the runner itself costs at thousands of trials, with no engine in the measurement.
 */
import path from 'node:path';
import type { TrialResult } from '../records/trial-result.js';
import { prepareRun } from '../runner/prepare-run.js';
import { ReporterMux, type Reporter } from '../runner/reporter.js';
import { executeRun, type RunOutcome } from '../runner/run.js';
import { FakeBackend } from './fake-backend.js';

export interface FakeRunOptions {
  /** Results go to `<outDir>/<runId>/`. */
  outDir: string;
  runId: string;
  tasksDir: string;
  include?: string[];
  harnesses?: string[];
  trials: number;
  concurrency: number;
  /** Reporters beside none (the run's own bookkeeping is measured, not a console). */
  reporters?: Reporter[];
  onTrialEnd?(result: TrialResult, done: number): void;
  /** The reward each trial's verifier reports, by trial key (default 1). */
  reward?(key: string): number;
}

export async function fakeRun(o: FakeRunOptions): Promise<RunOutcome & { backend: FakeBackend }> {
  const backend = new FakeBackend({ reward: o.reward });
  const prepared = await prepareRun({
    config: { tasksDir: path.resolve(o.tasksDir), include: o.include ?? [], exclude: [], harnessSpecs: o.harnesses ?? ['nop'], trials: o.trials, concurrency: o.concurrency, allowNetwork: false, model: null, seed: '1' },
    resumeDir: null,
    runId: o.runId,
    outDir: o.outDir,
    harnessDir: path.join(o.outDir, 'no-harnesses'),
    concurrency: o.concurrency,
  });
  let done = 0;
  const counter: Reporter = { name: 'counter', onTrialEnd: (r) => o.onTrialEnd?.(r, ++done) };
  const outcome = await executeRun(prepared, {
    reporter: new ReporterMux([...(o.reporters ?? []), counter]),
    signal: new AbortController().signal,
    errorsAsFailures: false,
    displayPath: (p) => p,
    sandboxes: backend,
  });
  return { ...outcome, backend };
}
