/**
 * The agent phase of one task step: the harness acts under the step's timeout and the run's interrupt. A harness that
 * ignores its abort signal is not waited for past a short grace period.
 */
import type { Harness, HarnessStepContext } from '../harness/harness.js';
import { ModelUnreachableError } from '../models/errors.js';

export interface AgentPhaseResult {
  timedOut: boolean;
  durationMs: number;
}

export async function runAgentPhase(harness: Harness, ctx: Omit<HarnessStepContext, 'signal'>, timeoutSec: number, runSignal: AbortSignal): Promise<AgentPhaseResult> {
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => ((timedOut = true), abort.abort()), timeoutSec * 1000);
  const onRunAbort = () => abort.abort();
  runSignal.addEventListener('abort', onRunAbort, { once: true });
  const started = performance.now();
  try {
    const outcome = await raceAbort(harness.runStep({ ...ctx, signal: abort.signal }), abort.signal);
    if (outcome) ctx.log(`[step ${ctx.step.name}] harness stopped: ${outcome.stopReason}${outcome.detail ? ` (${outcome.detail})` : ''}`);
  } catch (err) {
    // A harness that throws after its timeout or an interrupt was only stopped; anything else is an error of the trial.
    // So is a timeout that stopped a model call while the model was failing: the model was unreachable, not slow.
    if (!runSignal.aborted && (!timedOut || err instanceof ModelUnreachableError)) throw err;
  } finally {
    clearTimeout(timer);
    runSignal.removeEventListener('abort', onRunAbort);
  }
  return { timedOut, durationMs: Math.round(performance.now() - started) };
}

/** A harness that ignores its signal must not hold the trial past its timeout. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T | null> {
  if (signal.aborted) return Promise.resolve(null);
  return new Promise<T | null>((resolve, reject) => {
    const onAbort = () => setTimeout(() => resolve(null), 2000).unref();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
