/**
 * The circuit breaker for a model outage. Each call already retries within its bound (models/retry.ts); when that is
 * not enough, every trial ends as an error after burning its retries, and a long run would burn every remaining trial
 * this way. The rule: after `maxModelFailures` (K) trials in a row end with the model unreachable (a
 * ModelUnreachableError: 429, 5xx, timeouts, resets or broken answers after all retries, from the built-in agent or
 * through the gateway), the breaker trips: no new trial starts, running trials are stopped (unrecorded, as on Ctrl+C,
 * so `--resume` runs them again), and run.json says why (`stopped`).
 *
 * "In a row" is in the order trials end. A trial in which the model answered (tokens were counted) and that did not end
 * unreachable resets the count; a trial that says nothing about the model (another error, a harness without one)
 * leaves it as it is. The executor holds back the trials of an open streak (trials.jsonl is append-only): recorded as
 * errors (code MODEL_API, left out of pass rates) when the model answers again, or, when the breaker trips, kept as an
 * earlier attempt in their folder and left unrecorded, so `--resume` runs them again with the model back.
 */
import { oneLine } from '../common/errors.js';
import type { RunRecord } from '../records/run-record.js';
import type { TrialResult } from '../records/trial-result.js';

/** K when `--max-model-failures` is not given. */
export const DEFAULT_MAX_MODEL_FAILURES = 3;

export type BreakerTrip = NonNullable<RunRecord['stopped']> & { reason: 'model-unreachable' };

export class CircuitBreaker {
  private streakTrials: TrialResult[] = [];
  private readonly stop = new AbortController();
  private trip: BreakerTrip | null = null;
  /** Aborted when the run is interrupted or the breaker trips: what trials run under. */
  readonly signal: AbortSignal;

  /** `maxModelFailures` 0 turns the breaker off. */
  constructor(
    readonly maxModelFailures: number,
    runSignal: AbortSignal,
  ) {
    if (!Number.isInteger(maxModelFailures) || maxModelFailures < 0) throw new TypeError(`maxModelFailures must be a whole number ≥ 0 (got ${maxModelFailures})`);
    this.signal = AbortSignal.any([runSignal, this.stop.signal]);
  }

  get tripped(): BreakerTrip | null {
    return this.trip;
  }

  /** Trials in the current run of unreachable ones (0 once the model answered again). */
  get streak(): number {
    return this.streakTrials.length;
  }

  /** Called with each trial as it is recorded. */
  record(result: TrialResult): void {
    if (this.trip || this.maxModelFailures === 0) return;
    if (modelUnreachable(result)) this.streakTrials.push(result);
    else if (result.tokens.input + result.tokens.output > 0) this.streakTrials = [];
    if (this.streakTrials.length < this.maxModelFailures) return;
    const last = this.streakTrials.at(-1)!;
    this.trip = {
      reason: 'model-unreachable',
      message: `${this.streakTrials.length} trial(s) in a row ended with the model unreachable (last: ${oneLine(last.error!.message, 240)})`,
      at: new Date().toISOString(),
      trials: this.streakTrials.map((r) => r.key),
    };
    this.stop.abort();
  }
}

/** A trial that ended because the model could not be reached after its retries (not a refusal such as a bad key). */
export function modelUnreachable(result: TrialResult): boolean {
  return result.status === 'error' && result.error?.code === 'MODEL_API' && result.error.class === 'ModelUnreachableError';
}

/** The one line the CLI prints when the breaker stopped a run. */
export function stoppedLine(stopped: NonNullable<RunRecord['stopped']>, counts: { planned: number; recorded: number }, resumeCommand: string): string {
  const notRun = counts.planned - counts.recorded;
  const what = stopped.reason === 'model-unreachable' ? ['model API unreachable', 'the model'] : ['Docker engine unreachable', 'the engine'];
  return `${what[0]}, run stopped: ${stopped.message}; ${notRun} of ${counts.planned} trials left to run; when ${what[1]} is back, finish with: ${resumeCommand}`;
}
