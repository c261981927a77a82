/**
 * One trial's lifecycle: build → start → setup → (agent → verify) per step → teardown. Teardown runs on every path.
 * Returns null when the run was interrupted mid-trial: such a trial is not recorded, so a resume redoes it.
 * A write into the trial folder that the disk refuses (full, read-only) stops the trial the same way and is thrown
 * (a StorageError) once it is torn down: a result whose files could not be kept is not recorded.
 */
import path from 'node:path';
import { cutMarker, LOG_FILE_CAP } from '../common/capped-file.js';
import { HbenchError, HealthcheckError, StorageError, errorMessage, oneLine } from '../common/errors.js';
import type { Harness } from '../harness/harness.js';
import type { GatewayCall, ModelGateway } from '../models/gateway.js';
import { ModelApiError, ModelUnreachableError } from '../models/errors.js';
import { outcomeStatus, type StepResult, type TrialError, type TrialIdentity, type TrialPhase, type TrialResult } from '../records/trial-result.js';
import type { EgressProxy } from '../sandbox/egress-proxy.js';
import type { IsolatedNetwork, PreparedImage, Sandbox, SandboxBackend } from '../sandbox/sandbox.js';
import { policyMode, usesAllowlist, wantsInternet } from '../tasks/network-policy.js';
import type { VerificationMode } from '../records/run-record.js';
import type { ArtifactSpec, NetworkPolicy, Task } from '../tasks/task.js';
import { runAgentPhase } from './agent-phase.js';
import { ATTEMPTS_DIR } from './attempts.js';
import { collectArtifacts, writeManifest, type ArtifactEntry } from './artifacts.js';
import { passHealthcheck } from './healthcheck.js';
import { verifySeparately } from './separate-verify.js';
import { gatewayAction } from './gateway-action.js';
import type { ResultsStore } from './results-store.js';
import { TrajectoryFile } from './trajectory-file.js';
import { NO_PHASES, trialRecord } from './trial-record.js';
import { verifyStep } from './verify.js';

export interface TrialSpec {
  id: TrialIdentity;
  task: Task;
  harness: Harness;
}

export interface TrialDeps {
  runId: string;
  sandboxes: SandboxBackend;
  store: ResultsStore;
  /** Aborted on Ctrl+C. */
  signal: AbortSignal;
  /** Told at once when the trial folder refuses a write, so the run stops everything else too. */
  onStorageFault?(fault: StorageError): void;
  allowNetwork: boolean;
  /** Where steps are verified (default shared). */
  verifier?: VerificationMode;
  /** Extra artifacts for every task (`--artifact PATH`). */
  artifacts?: ArtifactSpec[];
  onImage?(task: Task, image: PreparedImage): void;
  /** The run's model gateway and the isolated network that reaches it, for harnesses that use it. */
  gateway?: { gateway: ModelGateway; network: IsolatedNetwork };
  /** The run's egress proxy and its network, for tasks with a network allowlist. */
  egress?: { proxy: EgressProxy; network: IsolatedNetwork };
}

class Interrupted extends Error {}

export async function runTrial(spec: TrialSpec, deps: TrialDeps): Promise<TrialResult | null> {
  const { task, harness, id } = spec;
  const startedAt = new Date();
  const t0 = performance.now();
  const { fs } = deps.store;
  // The first write the trial folder refuses stops this trial (like an interrupt) and, through onStorageFault, the run.
  const stop = new AbortController();
  const signal = AbortSignal.any([deps.signal, stop.signal]);
  let fault: StorageError | null = null;
  const noteFault = (err: unknown, file?: string): boolean => {
    const found = deps.store.storageFault(err, file);
    if (!found) return false;
    if (!fault) {
      fault = found;
      stop.abort();
      deps.onStorageFault?.(found);
    }
    return true;
  };
  // Earlier attempts' evidence (attempts/) stays: see attempts.ts.
  const trialDir = await deps.store.resetTrialDir(id.key, { keep: ATTEMPTS_DIR });
  const writeTrialFile = async (file: string, content: string) => {
    try {
      await fs.writeFile(file, content);
    } catch (err) {
      throw deps.store.storageFault(err, file) ?? err;
    }
  };
  await writeTrialFile(path.join(trialDir, 'instruction.md'), instructionText(task));
  // Appends into the trial folder, each complete on its own (no file stays open, so the folder can be remounted).
  // One the disk refuses stops the trial; any other failure makes the trial an error, never passes unnoticed.
  let writeFailure: unknown = null;
  const onAppendError = (err: unknown, file: string) => noteFault(err, file) || (writeFailure ??= err);
  const appendLine = (file: string, line: string) => {
    if (fault) return;
    try {
      fs.appendFileSync(file, line);
    } catch (err) {
      onAppendError(err, file);
    }
  };
  // harness.log keeps its head and its tail (an agent can make hbench log a line per request it sends): lines past
  // the head wait in a bounded tail, written after a cut marker when the trial ends.
  const harnessLog = path.join(trialDir, 'harness.log');
  const logCap = { written: 0, cut: 0, tail: [] as string[], tailBytes: 0 };
  const log = (text: string) => {
    const line = text.endsWith('\n') ? text : `${text}\n`;
    const bytes = Buffer.byteLength(line);
    if (logCap.cut === 0 && logCap.written + bytes <= LOG_FILE_CAP.headBytes) {
      logCap.written += bytes;
      return appendLine(harnessLog, line);
    }
    logCap.cut += bytes;
    logCap.tail.push(line);
    logCap.tailBytes += bytes;
    while (logCap.tail.length > 1 && logCap.tailBytes > LOG_FILE_CAP.tailBytes) logCap.tailBytes -= Buffer.byteLength(logCap.tail.shift()!);
  };
  const flushLog = () => {
    if (logCap.cut === 0) return;
    appendLine(harnessLog, `${cutMarker(logCap.cut - logCap.tailBytes).slice(1)}${logCap.tail.join('')}`);
    logCap.cut = 0;
    logCap.tail = [];
  };
  const recorder = new TrajectoryFile(path.join(trialDir, 'trajectory.jsonl'), (file, line) => fs.appendFileSync(file, line), (err) => onAppendError(err, recorder.file));
  // Model traffic, from the built-in agent or the gateway: one JSON object per line.
  const trafficFile = path.join(trialDir, 'model-traffic.jsonl');
  const appendTraffic = (entry: unknown) => appendLine(trafficFile, `${JSON.stringify(entry)}\n`);
  await writeTrialFile(recorder.file, '');
  const phases: Record<TrialPhase, number> = { ...NO_PHASES };
  const steps: StepResult[] = [];
  let phase: TrialPhase = 'build';
  let error: TrialError | null = null;
  let image: PreparedImage | null = null;
  let sandbox: Sandbox | null = null;
  let interrupted = false;
  const collected: ArtifactEntry[] = [];
  const environment = deps.allowNetwork ? { ...task.environment, network: 'bridge' as const } : task.environment;
  // Separate when the run or the task asks for it (`--verifier separate` covers every task).
  const mode: VerificationMode = deps.verifier === 'separate' || task.verifierMode === 'separate' ? 'separate' : 'shared';
  const viaGateway = harness.gateway && deps.gateway ? deps.gateway : null;
  // Each model call through the gateway is an action of the trajectory.
  // A call the gateway refused for a reason that is not the agent's (an endpoint it does not serve, a request it cannot
  // read, the pinned model failing) makes the trial an error: the agent never got a fair chance.
  let refused: GatewayCall | null = null;
  const onCall = (c: GatewayCall) => {
    recorder.record(gatewayAction(c));
    if (c.outcome !== 'ok' && c.outcome !== 'budget') refused ??= c;
  };
  const session = viaGateway?.gateway.openSession(id.key, { budget: harness.gateway!, onTraffic: appendTraffic, onCall });
  // Per-phase network policy: the container leaves or joins networks between phases (--allow-network and the
  // gateway's isolated network keep theirs throughout).
  const switching = !deps.allowNetwork && !viaGateway;
  // A task with an allowlist gets a session of the run's egress proxy: its credential tells this trial's requests apart.
  const egress = switching && usesAllowlist(task) ? (deps.egress ?? null) : null;
  const proxy = egress?.proxy.openSession({ onRequest: (r) => log(`[network] ${r.allowed ? 'allowed' : 'denied'} ${r.method} ${r.target}`) });
  proxy?.enter('setup', environment.network);
  const enterNetwork = async (phase: string, policy: NetworkPolicy | null) => {
    if (!switching || !policy) return;
    proxy?.enter(phase, policy);
    await sandbox!.setNetwork(policyMode(policy));
  };

  const timed = async <T>(p: TrialPhase, fn: () => Promise<T>): Promise<T> => {
    phase = p;
    const s = performance.now();
    try {
      return await fn();
    } finally {
      phases[p] += Math.round(performance.now() - s);
    }
  };
  // The separate verifier's own image when the task declares one (built once per run, like the task's).
  const verifierImage = async (): Promise<{ image: PreparedImage; environment: Task['environment'] }> => {
    const v = task.verifierEnvironment;
    if (!v) return { image: image!, environment };
    return { image: await deps.sandboxes.prepare(v, { taskId: `${task.id}-verifier`, taskFile: task.configFile, logFile: deps.store.buildLog(`${task.id}.verifier`), signal }), environment: v };
  };
  const checkInterrupt = () => {
    if (signal.aborted) throw new Interrupted();
  };
  const artifactWriter = { fs, resultsDir: deps.store.dir };

  try {
    checkInterrupt();
    image = await timed('build', () => deps.sandboxes.prepare(task.environment, { taskId: task.id, taskFile: task.configFile, logFile: deps.store.buildLog(task.id), signal }));
    deps.onImage?.(task, image);
    checkInterrupt();
    sandbox = await timed('start', () =>
      deps.sandboxes.start({
        image: image!,
        environment,
        name: id.key,
        labels: { 'dev.hbench.task': task.id, 'dev.hbench.trial': id.key },
        signal,
        isolatedNetwork: viaGateway?.network,
        // Asked for the internet and uses the gateway: both (run.json says model calls could then bypass the gateway).
        publicToo: !!viaGateway && wantsInternet(task, deps.allowNetwork),
        egress: proxy && egress ? { network: egress.network, env: proxy.env(egress.network.hostAddress) } : undefined,
        mounts: (harness.mounts ?? []).filter((m) => m.mode === 'bind'),
      }),
    );
    // What the harness brings in as a copy (a bind needs the engine on this machine; an upload works anywhere).
    for (const m of (harness.mounts ?? []).filter((m) => m.mode === 'upload')) await timed('setup', () => sandbox!.uploadDir(m.hostPath, m.containerPath));
    if (task.healthcheck) {
      const hc = task.healthcheck;
      await timed('start', () => passHealthcheck(sandbox!, hc, { signal, logFile: path.join(trialDir, 'healthcheck.log'), what: `${task.id} [environment.healthcheck]` }));
    }
    const modelEnv = session && viaGateway ? session.env(viaGateway.network.hostAddress) : undefined;
    const base = { trial: id, task, sandbox, signal, recorder, log, recordModelCall: appendTraffic, trialDir, modelEnv };
    if (harness.setup) await timed('setup', () => harness.setup!(base));

    for (let i = 0; i < task.steps.length; i++) {
      const step = task.steps[i]!;
      checkInterrupt();
      recorder.taskStep = step.name;
      const before = recorder.actions.length;
      if (step.workdirFiles) await sandbox.uploadDir(step.workdirFiles, sandbox.workdir);
      if (step.healthcheck) {
        const hc = step.healthcheck;
        const gate = timed('setup', () => passHealthcheck(sandbox!, hc, { signal, logFile: path.join(trialDir, 'healthcheck.log'), what: `${task.id} step ${step.name} healthcheck` }));
        // Before any agent acted, a gate that never passes is the environment's fault (an error). After an earlier
        // step, the agent may have broken it: the step fails, so breaking things never buys an excluded trial.
        const broken = i === 0 ? await gate.then(() => null) : await gate.then(() => null, (e: unknown) => (e instanceof HealthcheckError ? e : Promise.reject(e)));
        if (broken) {
          steps.push({ name: step.name, status: 'failed', reward: null, rewards: {}, agentTimedOut: false, verifierTimedOut: false, actions: 0, actionsOk: 0, agentMs: 0, verifyMs: 0, rewardProblem: `${broken.message} (counted as 0)`, tampering: [] });
          log(`[step ${step.name}] ${broken.message}`);
          break;
        }
      }

      const phaseName = (p: string) => (task.multiStep ? `${step.name}/${p}` : p);
      await enterNetwork(phaseName('agent'), step.agentNetwork);
      const agentStart = performance.now();
      phase = 'agent';
      const agent = await runAgentPhase(harness, { ...base, step, stepIndex: i, instruction: step.instruction }, step.agentTimeoutSec, signal);
      phases.agent += agent.durationMs;
      checkInterrupt();
      if (refused) throw gatewayRefusal(refused);
      if (agent.timedOut) log(`[step ${step.name}] agent timed out after ${step.agentTimeoutSec} s; verifying anyway`);
      // Artifacts are what the agent left, taken before the verifier touches anything.
      const last = i === task.steps.length - 1;
      const specs = [...step.artifacts, ...(last ? [...task.artifacts, ...(deps.artifacts ?? [])] : [])];
      if (specs.length || last) collected.push(...(await collectArtifacts(sandbox, specs, trialDir, signal, last, artifactWriter)));

      // Verify, even after an agent timeout (as Harbor does).
      const outDir = task.multiStep ? path.join(trialDir, 'verifier', step.name) : path.join(trialDir, 'verifier');
      // A separate verifier runs offline in its own container; the agent's waits offline too.
      await enterNetwork(phaseName('verifier'), mode === 'separate' ? 'none' : step.verifierNetwork);
      const verifyOptions = { task, step, stepIndex: i, sandbox: sandbox!, outDir, signal };
      const v = await timed('verify', async () =>
        mode === 'separate'
          ? verifySeparately({ ...verifyOptions, sandboxes: deps.sandboxes, ...(await verifierImage()), name: id.key, labels: { 'dev.hbench.task': task.id, 'dev.hbench.trial': id.key }, artifacts: [...step.artifacts, ...task.artifacts] })
          : verifyStep(verifyOptions),
      );
      if (v.interrupted) throw new Interrupted();
      const actions = recorder.actions.slice(before);
      const reward = v.parsed?.reward ?? null;
      steps.push({
        name: step.name,
        status: outcomeStatus({ error: false, reward, timedOut: agent.timedOut || v.timedOut }),
        reward,
        rewards: v.parsed?.rewards ?? {},
        agentTimedOut: agent.timedOut,
        verifierTimedOut: v.timedOut,
        actions: actions.length,
        actionsOk: actions.filter((a) => a.ok).length,
        agentMs: Math.round(performance.now() - agentStart) - v.durationMs,
        verifyMs: v.durationMs,
        rewardProblem: v.rewardProblem,
        tampering: v.tampering,
        limits: agent.limits,
      });
      if (v.rewardProblem) log(`[step ${step.name}] ${v.rewardProblem}`);
      for (const t of v.tampering) log(`[step ${step.name}] tampering: ${t}`);
      if (step.minReward !== null && (reward ?? 0) < step.minReward) {
        log(`[step ${step.name}] reward ${reward ?? 'none'} is below min_reward ${step.minReward}: stopping early`);
        break;
      }
    }
  } catch (err) {
    if (err instanceof Interrupted || signal.aborted || noteFault(err)) interrupted = true;
    else error = toTrialError(err, phase);
  } finally {
    const s = performance.now();
    try {
      await sandbox?.close();
    } catch (err) {
      error ??= toTrialError(err, 'teardown');
    }
    session?.close();
    proxy?.close();
    await writeManifest(trialDir, collected, artifactWriter).catch((e: unknown) => noteFault(e) || log(`artifacts: manifest not written: ${errorMessage(e)}`));
    phases.teardown = Math.round(performance.now() - s);
    // Before the log is flushed: a retried attempt's log says why it ended.
    if (error && !interrupted) log(`error (${error.phase}): ${error.message}`);
    flushLog();
  }
  if (fault) throw fault;
  if (interrupted) return null;
  if (writeFailure) error ??= toTrialError(writeFailure, 'teardown');

  for (const step of task.steps.slice(steps.length)) {
    steps.push({ name: step.name, status: 'skipped', reward: null, rewards: {}, agentTimedOut: false, verifierTimedOut: false, actions: 0, actionsOk: 0, agentMs: 0, verifyMs: 0 });
  }
  return trialRecord({
    runId: deps.runId,
    id,
    steps,
    rewardStrategy: task.rewardStrategy,
    multiStep: task.multiStep,
    actions: recorder.actions,
    error,
    phases,
    image: image ? { ref: image.ref, id: image.id } : null,
    verification: mode,
    ...(proxy ? { network: { phases: proxy.phases() } } : {}),
    startedAt,
    durationMs: Math.round(performance.now() - t0),
  });
}

function gatewayRefusal(c: GatewayCall): ModelApiError {
  const message = `model gateway refused call ${c.index} (${c.outcome}, HTTP ${c.status}): ${c.error ?? 'no message'} (see model-traffic.jsonl)`;
  return c.outcome === 'upstream-unreachable' ? new ModelUnreachableError(message, c.status) : new ModelApiError(message, c.status);
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
