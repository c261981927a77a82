/**
 * Runs a plan: one limiter for sandboxes (--concurrency), trials appended to trials.jsonl as each finishes.
 * On interrupt nothing new starts; running trials are stopped, cleaned up and left unrecorded for --resume.
 * The first write the results folder refuses (trials.jsonl or a trial's files: disk full, read-only) stops the run the
 * same way, and is thrown (a StorageError) once every running trial is torn down; so does the circuit breaker after a
 * sustained model outage (circuit-breaker.ts).
 *
 * A trial that ends as an infrastructure error may be tried again (`retry`, see retry-policy.ts): the failed attempt's
 * files move to `trials/<key>/attempts/<n>/` and only the last attempt is recorded, with how many it took. After any
 * error the engine is pinged; while it does not answer nothing starts (engine-gate.ts), and when it stays away past
 * `engineWaitMs` the run stops with `stopReason`, the trials it was running left unrecorded for --resume.
 */
import pLimit from 'p-limit';
import { setTimeout as sleep } from 'node:timers/promises';
import { ResultsError, StorageError, errorMessage } from '../common/errors.js';
import type { RetryConfig } from '../records/run-record.js';
import type { EarlierAttempt, TrialResult } from '../records/trial-result.js';
import { archiveAttempt, earlierAttempts } from './attempts.js';
import { modelUnreachable, type CircuitBreaker } from './circuit-breaker.js';
import { EngineGate, type EngineEvents } from './engine-gate.js';
import type { Reporter } from './reporter.js';
import { DEFAULT_ENGINE_WAIT_SEC, isEngineError, NO_RETRIES, retryWaitMs, shouldRetry } from './retry-policy.js';
import { crashedTrialRecord } from './trial-record.js';
import { runTrial, type TrialDeps, type TrialSpec } from './trial.js';

export interface ExecuteOptions extends TrialDeps {
  reporter: Reporter;
  concurrency: number;
  /** Stops the run after a sustained model outage (circuit-breaker.ts): trials run under its signal. */
  breaker?: CircuitBreaker;
  /** Which errors are retried and how often (default: none). */
  retry?: RetryConfig;
  /** How long an unreachable engine is waited for (default 300 s). */
  engineWaitMs?: number;
  /** First wait before a retry (doubling per retry, at most 30 s); default 1 s. */
  retryWaitMs?: number;
  /** After an engine error while the engine still answers: how long to wait before looking again; default 3 s. */
  engineSettleMs?: number;
  /** Told when the engine goes away, comes back or is given up on. */
  engine?: EngineEvents & { pollMs?: number };
}

export interface ExecuteOutcome {
  results: TrialResult[];
  interrupted: boolean;
  /** Why the run stopped before its plan was done, other than an interrupt (the engine was lost). */
  stopReason?: string;
}

export async function executePlan(plan: TrialSpec[], o: ExecuteOptions): Promise<ExecuteOutcome> {
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
  const deps: ExecuteOptions = { ...o, signal, onStorageFault: fail };
  const gate = new EngineGate(o.sandboxes, { waitMs: o.engineWaitMs ?? DEFAULT_ENGINE_WAIT_SEC * 1000, signal, events: o.engine, pollMs: o.engine?.pollMs });
  const stopped = () => signal.aborted || !!gate.lost;
  const record = (result: TrialResult): boolean => {
    if (cannotRecord) return false;
    try {
      o.store.appendTrial(result);
    } catch (err) {
      fail(err instanceof StorageError ? err : new ResultsError(`${o.store.trialsFile}: cannot append a trial (${errorMessage(err)}); fix the disk or permissions, then finish with --resume`));
      return false;
    }
    results.push(result);
    o.reporter.onTrialEnd?.(result);
    return true;
  };
  // Trials that ended with the model unreachable wait while an outage may be going on: recorded once the model answers
  // again (or the plan ends without the breaker tripping). When the breaker trips they were the outage's victims, not
  // outcomes: each is kept as an earlier attempt (trials/<key>/attempts/<n>/) and left for --resume to run again.
  const held: TrialResult[] = [];
  const hold = o.breaker && o.breaker.maxModelFailures > 0 ? o.breaker : null;
  await Promise.all(
    plan.map((spec) =>
      limit(async () => {
        if (stopped() || !(await gate.ready())) return;
        o.reporter.onTrialBegin?.(spec.id.key);
        const result = await runAttempts(spec, deps, gate, fail);
        if (!result || cannotRecord) return;
        if (hold && modelUnreachable(result)) {
          held.push(result);
          hold.record(result);
          return;
        }
        if (!record(result)) return;
        o.breaker?.record(result);
        if (hold && !hold.tripped && hold.streak === 0) for (const r of held.splice(0)) if (!record(r)) return;
      }),
    ),
  );
  if (hold?.tripped) {
    for (const r of held.splice(0)) {
      try {
        await archiveAttempt(o.store.trialDir(r.key), { attempt: r.attempts ?? 1, error: r.error!, startedAt: r.startedAt, durationMs: r.durationMs });
      } catch (err) {
        fail(o.store.storageFault(err, o.store.trialDir(r.key)) ?? new ResultsError(`${o.store.trialDir(r.key)}: cannot keep the attempt the outage ended (${errorMessage(err)}); fix the disk or permissions, then finish with --resume`));
      }
    }
  } else for (const r of held.splice(0)) if (!record(r)) break;
  if (cannotRecord) throw cannotRecord;
  return { results, interrupted: signal.aborted || !!gate.lost, ...(gate.lost ? { stopReason: gate.lost } : {}) };
}

/** Attempts broken while the engine was unreachable that do not use up --retries, per trial. */
const MAX_FREE_OUTAGES = 3;

/** One trial, tried until it ends other than as a retried error; null when it must be left for --resume. */
async function runAttempts(spec: TrialSpec, o: ExecuteOptions, gate: EngineGate, fail: (err: Error) => void): Promise<TrialResult | null> {
  const policy = o.retry ?? NO_RETRIES;
  const trialDir = o.store.trialDir(spec.id.key);
  // Attempts a killed or stopped invocation made before (their evidence kept): counting goes on from them.
  const earlier: EarlierAttempt[] = await earlierAttempts(trialDir);
  for (let attempt = (earlier.at(-1)?.attempt ?? 0) + 1; ; attempt++) {
    const started = new Date();
    let result: TrialResult | null;
    try {
      result = await runTrial(spec, o);
    } catch (err) {
      if (err instanceof StorageError) return (fail(err), null);
      // runTrial records its own failures; this is the last line of defence so one trial never stops the run.
      result = crashedTrialRecord(o.runId, spec.id, started, err);
    }
    if (!result) return null;
    if (result.status === 'error') {
      let engineDown = await gate.check();
      if (!engineDown && isEngineError(result.error!) && !o.signal.aborted) {
        // A restarting engine still answers pings while it stops its containers (the error is then "container not
        // running"): wait a moment and look again, so the retry does not start on an engine about to go away.
        await sleep(o.engineSettleMs ?? 3000, undefined, { signal: o.signal }).catch(() => undefined);
        engineDown = await gate.check();
      }
      // Left for --resume (the engine is lost, or the run was interrupted while waiting for it): the attempt is kept as
      // evidence, and the resume counts it.
      const leave = !!gate.lost || (engineDown && o.signal.aborted);
      // An attempt the engine's own outage broke is not the trial's: up to MAX_FREE_OUTAGES of them do not count against
      // --retries (a restarting engine can break an attempt twice: while it stops its containers, then once it is gone).
      const outages = Math.min(MAX_FREE_OUTAGES, earlier.filter((a) => a.engineDown).length + (engineDown ? 1 : 0));
      if (leave || (!o.signal.aborted && shouldRetry(policy, result.error, attempt - outages, engineDown))) {
        const previous: EarlierAttempt = { attempt, error: result.error!, ...(engineDown ? { engineDown } : {}), startedAt: result.startedAt, durationMs: result.durationMs };
        try {
          await archiveAttempt(trialDir, previous);
        } catch (err) {
          fail(o.store.storageFault(err, trialDir) ?? new ResultsError(`${trialDir}: cannot keep attempt ${attempt} (${errorMessage(err)}); fix the disk or permissions, then finish with --resume`));
          return null;
        }
        earlier.push(previous);
        if (leave) return null;
        // An outage was already waited out, an engine error settled; otherwise Harbor's exponential wait.
        if (!engineDown && !isEngineError(result.error!)) await sleep(retryWaitMs(earlier.length, o.retryWaitMs ?? 1000), undefined, { signal: o.signal }).catch(() => undefined);
        if (!(await gate.ready())) return null;
        continue;
      }
    }
    return { ...result, attempts: attempt, ...(earlier.length ? { earlierAttempts: earlier } : {}) };
  }
}
