/**
 * A whole run, from prepared input to summary: results folder and run record, the session (sandboxes, sweep, gateway),
 * the plan (built once; finished trials of a resumed run left out), execution, the final record and the reporters'
 * end. Set-up is undone in reverse order on every path; a run that stops on an error says so in run.json (when the
 * disk still takes it), and what trials.jsonl holds stays valid for --resume.
 */
import { storageFaultOf } from '../common/errors.js';
import { gitState } from '../common/git.js';
import { artifacts } from '../tasks/harbor-fields.js';
import { usesAllowlist, wantsInternet } from '../tasks/network-policy.js';
import type { RunRecord } from '../records/run-record.js';
import type { TrialResult } from '../records/trial-result.js';
import type { SandboxBackend } from '../sandbox/sandbox.js';
import { summarise, type RunSummary } from '../scoring/summary.js';
import { CircuitBreaker, DEFAULT_MAX_MODEL_FAILURES } from './circuit-breaker.js';
import { clock } from './engine-gate.js';
import { Lifecycle } from './lifecycle.js';
import { DEFAULT_ENGINE_WAIT_SEC, NO_RETRIES } from './retry-policy.js';
import { buildPlan } from './plan.js';
import { planOfShard } from './shard.js';
import type { PreparedRun } from './prepare-run.js';
import type { ReporterMux } from './reporter.js';
import { ResultsStore } from './results-store.js';
import { describeOwner, RunLock } from './run-lock.js';
import { RunSession } from './run-session.js';
import { newRecord, taskEntry } from './run-record.js';

export interface RunHooks {
  reporter: ReporterMux;
  /** Aborted on the first Ctrl+C. */
  signal: AbortSignal;
  errorsAsFailures: boolean;
  /** Shows a path to the user (relative inside the working directory). */
  displayPath(p: string): string;
  /** Said once leftovers of killed runs were removed. */
  onSwept?(swept: { containers: number; networks: number }): void;
  /** A one-line warning for the user (stderr). */
  onWarning?(message: string): void;
  /** Trials in a row ending with the model unreachable that stop the run (circuit-breaker.ts); 0: never. */
  maxModelFailures?: number;
  /** Sandboxes from this backend instead of a new Docker one (scale and memory tests, benches). */
  sandboxes?: SandboxBackend;
  /** How often an unreachable engine is polled at first (tests); default 500 ms. */
  enginePollMs?: number;
}

export interface RunOutcome {
  record: RunRecord;
  dir: string;
  /** Every trial of the run, earlier invocations included. */
  all: TrialResult[];
  summary: RunSummary;
  interrupted: boolean;
  /** Set when the run stopped on its own (the circuit breaker, or the engine lost; then `interrupted` too). */
  stopped: RunRecord['stopped'] | null;
}

export async function executeRun(prepared: PreparedRun, hooks: RunHooks): Promise<RunOutcome> {
  const { config, tasks, harnesses } = prepared;
  // First of all, and released last (after the final record and the reporters' files): one runner per folder. A
  // refused run has written nothing, swept nothing and started nothing.
  const lock = await RunLock.acquire(prepared.dir, {
    onTakeover: (stale) => hooks.onWarning?.(`note: took over the lock of ${hooks.displayPath(prepared.dir)} left by a process that is gone (${describeOwner(stale)})`),
  }).catch((err: unknown) => Promise.reject(storageFaultOf(err, prepared.dir) ?? err));
  const lifecycle = new Lifecycle();
  try {
    const session = await lifecycle.step('session', () => RunSession.open({ runId: prepared.runId, sandboxes: hooks.sandboxes, gatewayModel: harnesses.some((h) => h.gateway) ? prepared.provider : null, egress: !config.allowNetwork && tasks.some(usesAllowlist) }), (s) => s.close());
    const store = prepared.existing?.store ?? (await ResultsStore.create(prepared.dir));
    lifecycle.defer('results store', () => store.close());
    const record = prepared.existing?.record ?? (await newRunRecord(prepared));
    if (session.swept.containers || session.swept.networks) hooks.onSwept?.(session.swept);
    const bypassable = harnesses.some((h) => h.gateway) ? tasks.filter((t) => wantsInternet(t, config.allowNetwork)).map((t) => t.id) : [];
    if (bypassable.length) {
      record.gatewayBypassable = bypassable;
      hooks.onWarning?.(`warning: ${bypassable.length} task(s) asked for the internet, so gateway harnesses got it too and their model calls could bypass the gateway (${bypassable.slice(0, 5).join(', ')}${bypassable.length > 5 ? ', …' : ''})`);
    }
    if (session.hostIsolation) {
      record.hostIsolation = session.hostIsolation;
      // Never silently weaker: the user learns that gateway containers could reach other host ports.
      if (!session.hostIsolation.enforced) hooks.onWarning?.(`warning: containers on the gateway's network can reach other ports of this host: ${session.hostIsolation.reason}`);
    }

    const previous = await store.readTrials();
    const done = new Set(previous.map((r) => r.key));
    const whole = buildPlan(tasks, harnesses, config.trials);
    const full = record.shard ? planOfShard(whole, record.shard) : whole;
    const plan = full.filter((s) => !done.has(s.id.key));
    if (prepared.existing) record.resumes.push(new Date().toISOString());
    delete record.stopped;
    record.status = 'running';
    record.counts = { planned: full.length, finished: previous.length };
    await store.writeRun(record);

    const names = harnesses.map((h) => h.descriptor.name);
    hooks.reporter.onBegin({ runId: record.runId, outDir: hooks.displayPath(store.dir), planned: plan.length, alreadyDone: previous.length, harnesses: names, tasks: tasks.length, trials: config.trials, model: record.model });
    const breaker = new CircuitBreaker(hooks.maxModelFailures ?? DEFAULT_MAX_MODEL_FAILURES, hooks.signal);
    let outcome: Awaited<ReturnType<RunSession['execute']>>;
    try {
      outcome = await session.execute(plan, {
        store,
        reporter: hooks.reporter,
        concurrency: config.concurrency,
        breaker,
        signal: hooks.signal,
        allowNetwork: config.allowNetwork,
        verifier: config.verifier ?? 'shared',
        artifacts: artifacts(config.artifacts),
        onImage: (task, image) => {
          const before = record.images[task.id];
          // A resumed run whose image changed (its build context or a base image was rebuilt) mixes two environments.
          if (before && before.id !== image.id) hooks.onWarning?.(`warning: task ${task.id} now runs on image ${shortId(image.id)} (${image.ref}); the run started on ${shortId(before.id)} (${before.ref}): its Dockerfile or a base image changed since`);
          record.images[task.id] = { ref: image.ref, id: image.id, ...(image.bases ? { bases: image.bases } : {}) };
        },
        retry: config.retry ?? NO_RETRIES,
        engineWaitMs: (config.engineWaitSec ?? DEFAULT_ENGINE_WAIT_SEC) * 1000,
        engine: {
          pollMs: hooks.enginePollMs,
          onEngineDown: (e) => hooks.onWarning?.(`Docker engine unreachable since ${clock(e.since)}; waiting up to ${e.waitSec} s (--engine-wait) for it before going on … (${e.detail})`),
          onEngineBack: (e) => hooks.onWarning?.(`Docker engine reachable again after ${Math.round(e.downMs / 1000)} s; removed ${e.swept.containers} stopped container(s) and ${e.swept.networks} network(s) it left; going on`),
          onEngineLost: (e) => hooks.onWarning?.(`Docker engine not back after ${e.waitSec} s: stopping the run (running trials are left for --resume)`),
        },
      });
    } catch (err) {
      record.status = 'failed';
      record.endedAt = new Date().toISOString();
      await store.writeRun(record).catch(() => undefined);
      throw err;
    }
    await lifecycle.close();

    const all = [...previous, ...outcome.results];
    record.status = outcome.interrupted ? 'interrupted' : 'completed';
    if (breaker.tripped) record.stopped = breaker.tripped;
    else if (outcome.stopReason) record.stopped = { reason: 'engine-unreachable', message: outcome.stopReason, at: new Date().toISOString(), trials: [] };
    record.endedAt = new Date().toISOString();
    record.counts.finished = all.length;
    await store.writeRun(record);
    const summary = summarise(record.runId, all, names, { errorsAsFailures: hooks.errorsAsFailures });
    await hooks.reporter.onEnd(summary, all, outcome.interrupted);
    return { record, dir: store.dir, all, summary, interrupted: outcome.interrupted, stopped: record.stopped ?? null };
  } finally {
    await lifecycle.close();
    lock.release();
  }
}

function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

async function newRunRecord(prepared: PreparedRun): Promise<RunRecord> {
  const record = newRecord(prepared.runId, prepared.config);
  record.tasks = prepared.tasks.map(taskEntry);
  record.harnesses = prepared.harnesses.map((h) => h.descriptor);
  record.git = await gitState(process.cwd());
  record.model = prepared.model?.record ?? null;
  if (prepared.shard) record.shard = prepared.shard;
  return record;
}
