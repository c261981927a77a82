/**
 * One trial's lifecycle: build → start → setup → (agent → verify) per step → teardown. Teardown runs on every path.
 * Returns null when the run was interrupted mid-trial: such a trial is not recorded, so a resume redoes it.
 */
import { appendFileSync, createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HbenchError, errorMessage, oneLine } from '../common/errors.js';
import type { Harness, HarnessStepContext } from '../harness/harness.js';
import { ZERO_TOKENS } from '../harness/trajectory.js';
import type { ModelGateway } from '../models/gateway.js';
import type { IsolatedNetwork, PreparedImage, Sandbox, SandboxProvider } from '../sandbox/sandbox.js';
import { rollUpReward } from '../scoring/reward.js';
import { rewardPasses, type Task } from '../tasks/task.js';
import type { ResultsStore } from './results-store.js';
import type { StepResult, TrialError, TrialPhase, TrialResult, TrialStatus } from './trial-result.js';
import { gatewayStep } from './gateway-step.js';
import { TrajectoryFile } from './trajectory-file.js';
import { verifyStep } from './verify.js';

export interface TrialSpec {
  key: string;
  task: Task;
  harness: Harness;
  trial: number;
}

export interface TrialDeps {
  runId: string;
  provider: SandboxProvider;
  store: ResultsStore;
  /** Aborted on Ctrl+C. */
  signal: AbortSignal;
  allowNetwork: boolean;
  onImage?(task: Task, image: PreparedImage): void;
  /** The run's model gateway and the isolated network that reaches it, for harnesses that use it. */
  gateway?: { gateway: ModelGateway; network: IsolatedNetwork };
}

class Interrupted extends Error {}

export async function runTrial(spec: TrialSpec, deps: TrialDeps): Promise<TrialResult | null> {
  const { task, harness } = spec;
  const startedAt = new Date();
  const t0 = performance.now();
  const trialDir = await deps.store.resetTrialDir(spec.key);
  await writeFile(path.join(trialDir, 'instruction.md'), instructionText(task));
  const harnessLog = createWriteStream(path.join(trialDir, 'harness.log'));
  const log = (line: string) => harnessLog.write(line.endsWith('\n') ? line : `${line}\n`);
  const recorder = new TrajectoryFile(path.join(trialDir, 'trajectory.jsonl'));
  // Model traffic, from the built-in agent or the gateway: one JSON object per line.
  const trafficFile = path.join(trialDir, 'model-traffic.jsonl');
  const appendTraffic = (entry: unknown) => appendFileSync(trafficFile, `${JSON.stringify(entry)}\n`);
  await writeFile(recorder.file, '');
  const phases: Record<TrialPhase, number> = { build: 0, start: 0, setup: 0, agent: 0, verify: 0, teardown: 0 };
  const steps: StepResult[] = [];
  let phase: TrialPhase = 'build';
  let error: TrialError | null = null;
  let image: PreparedImage | null = null;
  let sandbox: Sandbox | null = null;
  let interrupted = false;
  const environment = deps.allowNetwork ? { ...task.environment, network: 'bridge' as const } : task.environment;
  const viaGateway = harness.gateway && deps.gateway ? deps.gateway : null;
  // Each model call through the gateway is a step of the trajectory.
  const session = viaGateway?.gateway.openSession(spec.key, { budget: harness.gateway!, onTraffic: appendTraffic, onCall: (c) => recorder.record(gatewayStep(c)) });

  const timed = async <T>(p: TrialPhase, fn: () => Promise<T>): Promise<T> => {
    phase = p;
    const s = performance.now();
    try {
      return await fn();
    } finally {
      phases[p] += Math.round(performance.now() - s);
    }
  };
  const checkInterrupt = () => {
    if (deps.signal.aborted) throw new Interrupted();
  };

  try {
    checkInterrupt();
    image = await timed('build', () => deps.provider.prepare(task.environment, { taskFile: task.configFile, logFile: deps.store.buildLog(task.id), signal: deps.signal }));
    deps.onImage?.(task, image);
    checkInterrupt();
    sandbox = await timed('start', () =>
      deps.provider.start({ image: image!, environment, name: spec.key, labels: { 'dev.hbench.task': task.id, 'dev.hbench.trial': spec.key }, signal: deps.signal, isolatedNetwork: viaGateway?.network }),
    );
    const modelEnv = session && viaGateway ? session.env(viaGateway.network.hostAddress) : undefined;
    const base = { task, sandbox, signal: deps.signal, recorder, log, recordModelCall: appendTraffic, trialDir, modelEnv };
    if (harness.setup) await timed('setup', () => harness.setup!(base));

    for (let i = 0; i < task.steps.length; i++) {
      const step = task.steps[i]!;
      checkInterrupt();
      recorder.taskStep = step.name;
      const before = recorder.steps.length;
      if (step.workdirFiles) await sandbox.uploadDir(step.workdirFiles, sandbox.workdir);

      // Agent: its own abort signal, fired by the step's timeout or by Ctrl+C.
      const agentAbort = new AbortController();
      let agentTimedOut = false;
      const timer = setTimeout(() => ((agentTimedOut = true), agentAbort.abort()), step.agentTimeoutSec * 1000);
      const onRunAbort = () => agentAbort.abort();
      deps.signal.addEventListener('abort', onRunAbort, { once: true });
      const agentStart = performance.now();
      try {
        const ctx: HarnessStepContext = { ...base, step, stepIndex: i, instruction: step.instruction, signal: agentAbort.signal };
        phase = 'agent';
        const outcome = await raceAbort(harness.runStep(ctx), agentAbort.signal);
        if (outcome) log(`[step ${step.name}] harness stopped: ${outcome.stopReason}${outcome.detail ? ` (${outcome.detail})` : ''}`);
      } catch (err) {
        if (!agentTimedOut && !deps.signal.aborted) throw err;
      } finally {
        clearTimeout(timer);
        deps.signal.removeEventListener('abort', onRunAbort);
        phases.agent += Math.round(performance.now() - agentStart);
      }
      checkInterrupt();
      if (agentTimedOut) log(`[step ${step.name}] agent timed out after ${step.agentTimeoutSec} s; verifying anyway`);

      // Verify, even after an agent timeout (as Harbor does).
      const outDir = task.multiStep ? path.join(trialDir, 'verifier', step.name) : path.join(trialDir, 'verifier');
      const v = await timed('verify', () => verifyStep({ task, step, stepIndex: i, sandbox: sandbox!, outDir, signal: deps.signal }));
      if (v.interrupted) throw new Interrupted();
      const actions = recorder.steps.slice(before);
      const reward = v.parsed?.reward ?? null;
      const status: TrialStatus = v.error ? 'error' : rewardPasses(reward) ? 'passed' : agentTimedOut || v.timedOut ? 'timeout' : 'failed';
      steps.push({
        name: step.name,
        status,
        reward,
        rewards: v.parsed?.rewards ?? {},
        agentTimedOut,
        verifierTimedOut: v.timedOut,
        actions: actions.length,
        actionsOk: actions.filter((a) => a.ok).length,
        agentMs: Math.round(performance.now() - agentStart) - v.durationMs,
        verifyMs: v.durationMs,
      });
      if (v.error) {
        error = { class: v.error.name, code: v.error.code, message: v.error.message, phase: 'verify' };
        break;
      }
      if (step.minReward !== null && (reward ?? 0) < step.minReward) {
        log(`[step ${step.name}] reward ${reward ?? 'none'} is below min_reward ${step.minReward}: stopping early`);
        break;
      }
    }
  } catch (err) {
    if (err instanceof Interrupted || deps.signal.aborted) interrupted = true;
    else error = toTrialError(err, phase);
  } finally {
    const s = performance.now();
    try {
      await sandbox?.close();
    } catch (err) {
      error ??= toTrialError(err, 'teardown');
    }
    session?.close();
    phases.teardown = Math.round(performance.now() - s);
    await new Promise<void>((resolve) => harnessLog.end(resolve));
  }
  if (interrupted) return null;
  if (error) log(`error (${error.phase}): ${error.message}`);

  for (const step of task.steps.slice(steps.length)) {
    steps.push({ name: step.name, status: 'skipped', reward: null, rewards: {}, agentTimedOut: false, verifierTimedOut: false, actions: 0, actionsOk: 0, agentMs: 0, verifyMs: 0 });
  }
  const ran = steps.filter((s) => s.status !== 'skipped');
  const reward = error ? null : rollUpReward(steps.map((s) => s.reward), task.rewardStrategy);
  const anyTimeout = ran.some((s) => s.agentTimedOut || s.verifierTimedOut);
  const status: TrialStatus = error ? 'error' : rewardPasses(reward) ? 'passed' : anyTimeout ? 'timeout' : 'failed';
  const tokens = { ...ZERO_TOKENS };
  let costUsd = 0;
  for (const a of recorder.steps) {
    tokens.input += a.tokens.input;
    tokens.output += a.tokens.output;
    tokens.cached += a.tokens.cached;
    costUsd += a.costUsd;
  }
  const lastRewards = [...ran].reverse().find((s) => Object.keys(s.rewards).length)?.rewards ?? {};
  return {
    schema: 1,
    runId: deps.runId,
    key: spec.key,
    taskId: task.id,
    harness: harness.descriptor.name,
    trial: spec.trial,
    status,
    reward,
    rewards: task.multiStep ? (reward === null ? {} : { reward }) : lastRewards,
    steps,
    actions: recorder.steps.length,
    actionsOk: recorder.steps.filter((a) => a.ok).length,
    tokens,
    costUsd,
    error,
    phases,
    image: image ? { ref: image.ref, id: image.id } : null,
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - t0),
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

function toTrialError(err: unknown, phase: TrialPhase): TrialError {
  if (err instanceof HbenchError) return { class: err.name, code: err.code, message: err.message, phase };
  const e = err instanceof Error ? err : new Error(String(err));
  return { class: e.name || 'Error', code: phase === 'agent' || phase === 'setup' ? 'HARNESS' : 'INTERNAL', message: oneLine(errorMessage(e)), phase };
}

function instructionText(task: Task): string {
  if (!task.multiStep) return task.steps[0]!.instruction;
  return task.steps.map((s, i) => `# Step ${i + 1}: ${s.name}\n\n${s.instruction.trim()}\n`).join('\n');
}
