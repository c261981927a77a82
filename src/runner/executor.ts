/**
 * Runs a plan: one limiter for sandboxes (--concurrency), trials appended to trials.jsonl as each finishes.
 * On interrupt nothing new starts; running trials are stopped, cleaned up and left unrecorded for --resume.
 * The first write the results folder refuses (trials.jsonl or a trial's files: disk full, read-only) stops the run the
 * same way, and is thrown (a StorageError) once every running trial is torn down.
 */
import pLimit from 'p-limit';
import { ResultsError, StorageError, errorMessage } from '../common/errors.js';
import type { TrialResult } from '../records/trial-result.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { Reporter } from './reporter.js';
import { crashedTrialRecord } from './trial-record.js';
import { runTrial, type TrialDeps, type TrialSpec } from './trial.js';

export interface ExecuteOptions extends TrialDeps {
  reporter: Reporter;
  concurrency: number;
  /** Stops the run after a sustained model outage (circuit-breaker.ts): trials run under its signal. */
  breaker?: CircuitBreaker;
}

export async function executePlan(plan: TrialSpec[], o: ExecuteOptions): Promise<{ results: TrialResult[]; interrupted: boolean }> {
  const limit = pLimit(Math.max(1, o.concurrency));
  const results: TrialResult[] = [];
  // A result that cannot be written stops the run: going on would produce results nobody can see. Running trials
  // are stopped as on an interrupt (left unrecorded, so --resume redoes them).
  let cannotRecord: Error | null = null;
  const stop = new AbortController();
  const signal = AbortSignal.any([o.breaker?.signal ?? o.signal, stop.signal]);
  const fail = (err: Error) => {
    cannotRecord ??= err;
    stop.abort();
  };
  const trialDeps = { ...o, signal, onStorageFault: fail };
  await Promise.all(
    plan.map((spec) =>
      limit(async () => {
        if (signal.aborted) return;
        o.reporter.onTrialBegin?.(spec.id.key);
        const started = new Date();
        let result: TrialResult | null;
        try {
          result = await runTrial(spec, trialDeps);
        } catch (err) {
          if (err instanceof StorageError) return fail(err);
          // runTrial records its own failures; this is the last line of defence so one trial never stops the run.
          result = crashedTrialRecord(o.runId, spec.id, started, err);
        }
        if (!result || cannotRecord) return;
        try {
          o.store.appendTrial(result);
        } catch (err) {
          fail(err instanceof StorageError ? err : new ResultsError(`${o.store.trialsFile}: cannot append a trial (${errorMessage(err)}); fix the disk or permissions, then finish with --resume`));
          return;
        }
        results.push(result);
        o.reporter.onTrialEnd?.(result);
        o.breaker?.record(result);
      }),
    ),
  );
  if (cannotRecord) throw cannotRecord;
  return { results, interrupted: signal.aborted };
}
