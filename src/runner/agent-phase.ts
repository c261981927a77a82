/**
 * The agent phase of one task step: the harness acts under the step's timeout and the run's interrupt. A harness that
 * ignores its abort signal is not waited for past a short grace period.
 *
 * While it acts, a watchdog samples the sandbox from outside (the engine's figures, which the agent cannot forge): the
 * phase is stopped when the sandbox's filesystem reaches [environment] storage_mb or its processes stay at pids_limit.
 * After such a stop, or when the agent took the sandbox's main process down, every process in the sandbox is killed
 * and its main process started again, so the verifier still runs on the files the agent left. What the agent ran into
 * is returned as ContainedLimit values: the agent's doing, never an infrastructure error.
 */
import { errorMessage, oneLine } from '../common/errors.js';
import type { Harness, HarnessStepContext } from '../harness/harness.js';
import { ModelUnreachableError } from '../models/errors.js';
import { CONTAINED_LIMITS, type ContainedLimit } from '../records/trial-result.js';
import { MAX_OUTPUT_BYTES, type LimitCounters, type Sandbox, type SandboxUsage } from '../sandbox/sandbox.js';

export interface AgentPhaseResult {
  timedOut: boolean;
  durationMs: number;
  /** Limits of the sandbox the agent ran into, in CONTAINED_LIMITS order. */
  limits: ContainedLimit[];
}

const MiB = 1024 * 1024;
/** Pause between two samples; longer (4 × the last sample's time) when the engine is slow to measure. */
export const SAMPLE_MS = 500;
/** Consecutive samples near the pids limit that stop the phase: a sandbox that stays full can run nothing. */
const PIDS_SAMPLES = 2;
/** "Near": a fork bomb hovers just under its limit as its processes die and retry. */
const PIDS_NEAR = 0.85;

function nearPidsLimit(u: SandboxUsage | null, pidsLimit: number): number | null {
  const limit = u?.pidsLimit || pidsLimit;
  return u?.pids != null && u.pids >= Math.min(limit - 1, Math.floor(limit * PIDS_NEAR)) ? limit : null;
}

type StopLimit = 'disk-limit' | 'pids-limit';

export async function runAgentPhase(harness: Harness, ctx: Omit<HarnessStepContext, 'signal'>, timeoutSec: number, runSignal: AbortSignal): Promise<AgentPhaseResult> {
  const { sandbox, log } = ctx;
  const env = ctx.task.environment;
  const step = ctx.step.name;
  const abort = new AbortController();
  let timedOut = false;
  let stoppedBy: StopLimit | null = null;
  const counters = await sandbox.limitCounters();
  const cutBefore = sandbox.outputBytesCut;
  const timer = setTimeout(() => ((timedOut = true), abort.abort()), timeoutSec * 1000);
  const onRunAbort = () => abort.abort();
  runSignal.addEventListener('abort', onRunAbort, { once: true });
  const watchdog = watchLimits(sandbox, { diskBytes: env.storageMb * MiB, pidsLimit: env.pidsLimit }, (hit, detail) => {
    if (abort.signal.aborted) return;
    stoppedBy = hit;
    log(`[step ${step}] ${hit}: ${detail}; agent stopped`);
    abort.abort();
  });
  const started = performance.now();
  try {
    const outcome = await raceAbort(harness.runStep({ ...ctx, signal: abort.signal }), abort.signal);
    if (outcome) ctx.log(`[step ${step}] harness stopped: ${outcome.stopReason}${outcome.detail ? ` (${outcome.detail})` : ''}`);
  } catch (err) {
    // A harness that throws after its timeout, a limit or an interrupt was only stopped. One whose command could not
    // start because the agent filled the sandbox with processes was stopped by the agent: not an infrastructure error.
    // A timeout that stopped a model call while the model was failing is an error: the model was unreachable, not slow.
    if (!timedOut && !runSignal.aborted && nearPidsLimit(await sandbox.usage().catch(() => null), env.pidsLimit)) stoppedBy ??= 'pids-limit';
    if (stoppedBy) log(`[step ${step}] ${stoppedBy}: the harness failed (${oneLine(errorMessage(err), 200)})`);
    else if (!runSignal.aborted && (!timedOut || err instanceof ModelUnreachableError)) throw err;
  } finally {
    watchdog.stop();
    clearTimeout(timer);
    runSignal.removeEventListener('abort', onRunAbort);
  }
  const limits = new Set<ContainedLimit>(stoppedBy ? [stoppedBy] : []);
  if (!runSignal.aborted) {
    const usage = await sandbox.usage().catch(() => null);
    // Processes the agent left behind can keep the sandbox full after its command ended (a fork bomb's children).
    const full = stoppedBy ? null : nearPidsLimit(usage, env.pidsLimit);
    if (full) {
      stoppedBy = 'pids-limit';
      limits.add('pids-limit');
      log(`[step ${step}] pids-limit: the agent's processes stayed at pids_limit = ${full} after it finished`);
    }
    // Read before a restart, which resets them; unreadable while the sandbox is full of processes.
    const after = stoppedBy === 'pids-limit' ? null : await sandbox.limitCounters();
    if (!after && counters && !stoppedBy) {
      // Readable before the agent acted, not now: nothing can start in the sandbox. Still filling up is a fork bomb.
      const again = await sandbox.usage().catch(() => null);
      if (again?.pids != null && usage?.pids != null && again.pids >= (again.pidsLimit || env.pidsLimit) / 2) {
        stoppedBy = 'pids-limit';
        limits.add('pids-limit');
        log(`[step ${step}] pids-limit: nothing could start in the sandbox after the agent finished (${again.pids} processes of pids_limit = ${again.pidsLimit || env.pidsLimit})`);
      }
    }
    for (const hit of counted(counters, after)) limits.add(hit);
    if (sandbox.outputBytesCut > cutBefore) {
      limits.add('output-capped');
      log(`[step ${step}] output-capped: ${sandbox.outputBytesCut - cutBefore} bytes of the agent's output were cut (each stream keeps its head and tail; a command printing more than ${MAX_OUTPUT_BYTES / MiB} MiB is killed)`);
    }
    const running = usage?.running ?? true;
    if (stoppedBy || !running) {
      log(`[step ${step}] ${running ? 'killing every process in the sandbox' : "the sandbox's main process is gone"}; restarting it (its files stay) for the verifier`);
      await sandbox.restart();
    }
  }
  if (limits.has('oom-killed')) log(`[step ${step}] oom-killed: the kernel killed a process at memory_mb = ${env.memoryMb}`);
  if (limits.has('pids-limit') && stoppedBy !== 'pids-limit') log(`[step ${step}] pids-limit: a fork was refused at pids_limit = ${env.pidsLimit}`);
  return { timedOut, durationMs: Math.round(performance.now() - started), limits: CONTAINED_LIMITS.filter((l) => limits.has(l)) };
}

function counted(before: LimitCounters | null, after: LimitCounters | null): ContainedLimit[] {
  if (!after) return [];
  const base = before ?? { oomKills: 0, forksRefused: 0 };
  return [...(after.forksRefused > base.forksRefused ? ['pids-limit' as const] : []), ...(after.oomKills > base.oomKills ? ['oom-killed' as const] : [])];
}

/**
 * Samples the sandbox until stopped; calls `onHit` once when its filesystem reaches `diskBytes` or its processes stay
 * at the pids limit. A sample that fails (the engine busy) is skipped.
 */
export function watchLimits(sandbox: Sandbox, caps: { diskBytes: number; pidsLimit: number }, onHit: (hit: StopLimit, detail: string) => void): { stop(): void } {
  let stopped = false;
  let wake: (() => void) | null = null;
  let full = 0;
  void (async () => {
    while (!stopped) {
      const t = performance.now();
      const u = await sandbox.usage().catch(() => null);
      const took = performance.now() - t;
      if (stopped) return;
      if (u?.diskBytes != null && u.diskBytes >= caps.diskBytes - (sandbox.storageCappedByEngine ? MiB : 0)) {
        stopped = true;
        const how = sandbox.storageCappedByEngine ? 'capped by the engine' : 'sampled by hbench';
        return onHit('disk-limit', `the sandbox's filesystem reached storage_mb = ${caps.diskBytes / MiB} (${Math.round(u.diskBytes / MiB)} MB written, ${how})`);
      }
      const limit = nearPidsLimit(u, caps.pidsLimit);
      full = limit ? full + 1 : 0;
      if (limit && full >= PIDS_SAMPLES) {
        stopped = true;
        return onHit('pids-limit', `the sandbox stayed at pids_limit = ${limit} processes`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(SAMPLE_MS, 4 * took));
        wake = () => (clearTimeout(timer), resolve());
      });
    }
  })();
  return {
    stop() {
      stopped = true;
      wake?.();
    },
  };
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
