/**
 * The executor's retries and engine waits over a sandbox backend with no engine behind it: what is retried, where
 * each attempt's files go, what is recorded (once), and what happens when the "engine" stops answering.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DockerApiError, DockerUnavailableError, VerifierError } from '../common/errors.js';
import type { Harness, HarnessStepContext } from '../harness/harness.js';
import { trialIdentity, type EarlierAttempt, type TrialResult } from '../records/trial-result.js';
import type { PreparedImage, Sandbox, SandboxBackend } from '../sandbox/sandbox.js';
import { loadTask } from '../tasks/loader.js';
import { FIXTURES, tempDir } from '../test-support/cli.js';
import { execResult, fakeSandbox } from '../test-support/fake-sandbox.js';
import { ModelUnreachableError } from '../models/errors.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { executePlan, type ExecuteOptions } from './executor.js';
import { ResultsStore } from './results-store.js';
import { retryConfig } from './retry-policy.js';
import type { TrialSpec } from './trial.js';

/** What the agent does on each attempt of a trial, in order (the last one repeats). */
type Act = 'pass' | 'fail' | 'docker' | 'verifier' | 'engine-down' | 'engine-gone' | 'model-down' | 'model-ok';

class FakeBackend implements SandboxBackend {
  /** The engine does not answer while this is true. */
  down = false;
  recovered = 0;
  readonly rewards = new Map<string, string>();
  async ping(): Promise<void> {
    if (this.down) throw new DockerUnavailableError('fake engine down');
  }
  async prepare(): Promise<PreparedImage> {
    return { ref: 'fake:1', id: 'sha256:fake', workdir: '/app', built: false, durationMs: 0 };
  }
  async start(o: { name: string }): Promise<Sandbox> {
    const box = fakeSandbox(() => execResult());
    box.readDir = async (p) => (p === '/logs/verifier' ? new Map([['reward.txt', Buffer.from(this.rewards.get(o.name) ?? '1')]]) : new Map());
    box.exportDir = async () => null;
    return box;
  }
  async createIsolatedNetwork(name: string) {
    return { name, hostAddress: '127.0.0.1' };
  }
  async restrictNetwork() {
    return { enforced: false as const, reason: 'fake' };
  }
  async removeNetwork() {}
  async sweep() {
    return { containers: 0, networks: 0 };
  }
  async recover() {
    this.recovered++;
    return { containers: 1, networks: 0 };
  }
  async close() {}
}

function scriptedHarness(backend: FakeBackend, script: Record<number, Act[]>): Harness & { calls: Map<number, number> } {
  const calls = new Map<number, number>();
  return {
    descriptor: { name: 'scripted', kind: 'test', source: 'test', definition: {}, hash: 'x' },
    calls,
    async runStep(ctx: HarnessStepContext) {
      const n = (calls.get(ctx.trial.trial) ?? 0) + 1;
      calls.set(ctx.trial.trial, n);
      const acts = script[ctx.trial.trial] ?? ['pass'];
      const act = acts[Math.min(n, acts.length) - 1]!;
      ctx.log(`attempt ${n}: ${act}`);
      backend.rewards.set(ctx.trial.key, act === 'fail' ? '0' : '1');
      if (act === 'docker') throw new DockerApiError('running a command', new Error('container not running'));
      if (act === 'verifier') throw new VerifierError('the test script is broken');
      if (act === 'model-down') throw new ModelUnreachableError('openai: connection error: ECONNRESET (gave up after 6 attempts)', null);
      if (act === 'model-ok') ctx.recorder.record({ startedAt: new Date().toISOString(), durationMs: 1, action: null, exitCode: null, ok: true, okRule: 'model', tokens: { input: 10, output: 5, cached: 0 } });
      if (act === 'engine-down' || act === 'engine-gone') {
        backend.down = true;
        if (act === 'engine-down') setTimeout(() => (backend.down = false), 150);
        throw new DockerApiError('running a command', new Error('connect ECONNREFUSED /var/run/docker.sock'));
      }
      return { stopReason: 'finished' as const };
    },
  };
}

async function setUp(script: Record<number, Act[]>, trials = Object.keys(script).length) {
  const backend = new FakeBackend();
  const harness = scriptedHarness(backend, script);
  const task = await loadTask(path.join(FIXTURES, 'slow/slow-agent'));
  const plan: TrialSpec[] = Array.from({ length: trials }, (_, i) => ({ id: trialIdentity(task.id, 'scripted', i + 1), task, harness }));
  const dir = path.join(await tempDir(), 'run');
  const store = await ResultsStore.create(dir);
  const events: string[] = [];
  const options = (more: Partial<ExecuteOptions> = {}): ExecuteOptions => ({
    runId: 'r',
    sandboxes: backend,
    store,
    signal: new AbortController().signal,
    allowNetwork: false,
    reporter: { name: 'test' },
    concurrency: 2,
    retry: retryConfig({ retries: 2, include: [], exclude: [] }),
    retryWaitMs: 0,
    engineSettleMs: 0,
    engineWaitMs: 5000,
    engine: {
      pollMs: 20,
      onEngineDown: (e) => events.push(`down ${e.waitSec}`),
      onEngineBack: (e) => events.push(`back ${e.swept.containers}`),
      onEngineLost: () => events.push('lost'),
    },
    ...more,
  });
  const key = (n: number) => plan[n - 1]!.id.key;
  return { backend, harness, plan, store, events, options, key, trialDir: (n: number) => store.trialDir(key(n)) };
}

describe('executor retries', () => {
  it('retries an engine error, keeps the failed attempt in attempts/1/ and records the trial once, with its attempts', async () => {
    const t = await setUp({ 1: ['docker', 'pass'], 2: ['pass'] });
    const { results } = await executePlan(t.plan, t.options());
    const byTrial = Object.fromEntries(results.map((r) => [r.trial, r]));
    expect(byTrial[1]).toMatchObject({ status: 'passed', attempts: 2, earlierAttempts: [{ attempt: 1, error: { code: 'DOCKER_API', phase: 'agent' } }] });
    expect(byTrial[2]).toMatchObject({ status: 'passed', attempts: 1 });
    expect(byTrial[2]!.earlierAttempts).toBeUndefined();
    const lines = (await readFile(t.store.trialsFile, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
    // Each attempt's evidence: the first in attempts/1 (with why it failed), the last where it always is.
    const first = path.join(t.trialDir(1), 'attempts/1');
    expect(await readFile(path.join(first, 'harness.log'), 'utf8')).toMatch(/attempt 1: docker\n.*error \(agent\): Docker API error while running a command/);
    expect(JSON.parse(await readFile(path.join(first, 'attempt.json'), 'utf8'))).toMatchObject({ attempt: 1, error: { code: 'DOCKER_API' } });
    expect(existsSync(path.join(first, 'instruction.md'))).toBe(true);
    expect(await readFile(path.join(t.trialDir(1), 'harness.log'), 'utf8')).toContain('attempt 2: pass');
    expect((await readdir(t.trialDir(1))).sort()).toContain('attempts');
  });

  it('never retries the agent’s own failure, nor an error class that is not included', async () => {
    const t = await setUp({ 1: ['fail', 'pass'], 2: ['verifier', 'pass'] });
    const { results } = await executePlan(t.plan, t.options({ retry: retryConfig({ retries: 3, include: ['HARNESS', 'INTERNAL', 'DOCKER_API'], exclude: [] }) }));
    const byTrial = Object.fromEntries(results.map((r) => [r.trial, r]));
    expect(byTrial[1]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(byTrial[2]).toMatchObject({ status: 'error', attempts: 1, error: { code: 'VERIFIER' } });
    expect(t.harness.calls.get(1)).toBe(1);
    expect(existsSync(path.join(t.trialDir(1), 'attempts'))).toBe(false);
  });

  it('gives up after --retries, recording the last error with every attempt kept', async () => {
    const t = await setUp({ 1: ['docker'] });
    const { results } = await executePlan(t.plan, t.options());
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'error', attempts: 3, error: { code: 'DOCKER_API' } });
    expect(results[0]!.earlierAttempts!.map((a) => a.attempt)).toEqual([1, 2]);
    expect((await readdir(path.join(t.trialDir(1), 'attempts'))).sort()).toEqual(['1', '2']);
  });

  it('with no retry settings (tasks check, the benchmark) nothing is retried', async () => {
    const t = await setUp({ 1: ['docker', 'pass'] });
    const { results } = await executePlan(t.plan, t.options({ retry: undefined }));
    expect(results[0]).toMatchObject({ status: 'error', attempts: 1 });
  });

  it('a resume after a kill goes on counting from the attempts found, and records the trial once', async () => {
    const t = await setUp({ 1: ['pass'] });
    // What a killed process left: attempt 1 archived, attempt 2 half-moved (it names itself), attempt 3 running.
    const earlier = (n: number): EarlierAttempt => ({ attempt: n, error: { class: 'DockerApiError', code: 'DOCKER_API', message: 'x', phase: 'agent' }, startedAt: new Date().toISOString(), durationMs: 5 });
    for (const [folder, n] of [['1', 1], ['2.partial', 2]] as const) {
      await mkdir(path.join(t.trialDir(1), 'attempts', folder), { recursive: true });
      await writeFile(path.join(t.trialDir(1), 'attempts', folder, 'attempt.json'), JSON.stringify(earlier(n)));
    }
    await mkdir(path.join(t.trialDir(1), 'attempts/3.partial'), { recursive: true });
    await writeFile(path.join(t.trialDir(1), 'harness.log'), 'the killed attempt 3\n');
    const { results } = await executePlan(t.plan, t.options());
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'passed', attempts: 3, earlierAttempts: [{ attempt: 1 }, { attempt: 2 }] });
    expect((await readdir(path.join(t.trialDir(1), 'attempts'))).sort()).toEqual(['1', '2']);
    expect(await readFile(path.join(t.trialDir(1), 'harness.log'), 'utf8')).not.toContain('killed');
    expect((await t.store.readTrials()).map((r: TrialResult) => r.key)).toEqual([t.key(1)]);
  });
});

describe('executor engine waits', () => {
  it('waits for an engine that stopped answering, removes what it left, then retries; other trials wait too', async () => {
    const t = await setUp({ 1: ['engine-down', 'pass'], 2: ['pass'], 3: ['pass'] });
    const { results, interrupted, stopReason } = await executePlan(t.plan, t.options({ concurrency: 1 }));
    expect(interrupted).toBe(false);
    expect(stopReason).toBeUndefined();
    expect(t.events).toEqual(['down 5', 'back 1']);
    expect(t.backend.recovered).toBe(1);
    expect(results.map((r) => [r.trial, r.status, r.attempts])).toEqual([[1, 'passed', 2], [2, 'passed', 1], [3, 'passed', 1]]);
    expect(results[0]!.earlierAttempts).toMatchObject([{ attempt: 1, engineDown: true }]);
  });

  it('excluding DOCKER_API and DOCKER_UNAVAILABLE keeps an outage’s trials from being retried (the run still waits for the engine)', async () => {
    const t = await setUp({ 1: ['engine-down', 'pass'] });
    const { results } = await executePlan(t.plan, t.options({ retry: retryConfig({ retries: 1, include: [], exclude: ['DOCKER_API', 'DOCKER_UNAVAILABLE'] }) }));
    expect(results[0]).toMatchObject({ status: 'error', attempts: 1 });
    expect(t.events).toEqual(['down 5', 'back 1']);
  });

  it('stops the run when the engine stays away past the wait: nothing recorded for the trials it broke, their attempt kept, nothing new started', async () => {
    const t = await setUp({ 1: ['engine-gone', 'docker'], 2: ['pass'], 3: ['pass'] });
    const { results, interrupted, stopReason } = await executePlan(t.plan, t.options({ concurrency: 1, engineWaitMs: 200 }));
    expect(interrupted).toBe(true);
    expect(stopReason).toMatch(/^the Docker engine was unreachable from \d\d:\d\d:\d\d for 0 s \(--engine-wait\): no Docker engine is reachable \(fake engine down\)/);
    expect(results).toEqual([]);
    expect(t.events).toEqual(['down 0', 'lost']);
    expect(t.harness.calls.get(2)).toBeUndefined();
    expect(JSON.parse(await readFile(path.join(t.trialDir(1), 'attempts/1/attempt.json'), 'utf8'))).toMatchObject({ attempt: 1, engineDown: true });

    // The engine is back: a resume (same folder, a new executor) finishes, counting the attempt the outage broke — which
    // does not use up --retries (2): two more engine errors of its own, then it is recorded.
    t.backend.down = false;
    const resumed = await executePlan(t.plan, t.options({ concurrency: 1 }));
    expect(resumed.results.map((r) => [r.trial, r.status, r.attempts])).toEqual([[1, 'error', 4], [2, 'passed', 1], [3, 'passed', 1]]);
    expect(resumed.results[0]!.earlierAttempts!.map((a) => [a.attempt, !!a.engineDown])).toEqual([[1, true], [2, false], [3, false]]);
  });
});

describe('executor and the circuit breaker', () => {
  it('a tripping outage leaves its trials unrecorded, each kept as attempt 1, and a resume runs them again as attempt 2', async () => {
    const t = await setUp({ 1: ['pass'], 2: ['model-down', 'pass'], 3: ['model-down', 'pass'], 4: ['pass'] });
    const breaker = new CircuitBreaker(2, new AbortController().signal);
    const first = await executePlan(t.plan, t.options({ concurrency: 1, breaker, signal: breaker.signal }));
    expect(breaker.tripped).toMatchObject({ reason: 'model-unreachable', trials: [t.key(2), t.key(3)] });
    expect(first.interrupted).toBe(true);
    expect(first.results.map((r) => r.trial)).toEqual([1]);
    expect((await readFile(t.store.trialsFile, 'utf8')).trim().split('\n')).toHaveLength(1);
    for (const n of [2, 3]) expect(JSON.parse(await readFile(path.join(t.trialDir(n), 'attempts/1/attempt.json'), 'utf8'))).toMatchObject({ attempt: 1, error: { class: 'ModelUnreachableError', code: 'MODEL_API' } });
    expect(t.harness.calls.get(4)).toBeUndefined();

    const rest = t.plan.filter((s) => s.id.trial !== 1);
    const again = new CircuitBreaker(2, new AbortController().signal);
    const resumed = await executePlan(rest, t.options({ concurrency: 1, breaker: again, signal: again.signal }));
    expect(resumed.results.map((r) => [r.trial, r.status, r.attempts])).toEqual([[2, 'passed', 2], [3, 'passed', 2], [4, 'passed', 1]]);
    expect(resumed.results[0]!.earlierAttempts).toEqual([expect.objectContaining({ attempt: 1, error: expect.objectContaining({ class: 'ModelUnreachableError' }) })]);
  });

  it('an outage the model recovers from before the breaker trips: its trials are recorded as errors, once', async () => {
    const t = await setUp({ 1: ['model-down'], 2: ['model-ok'], 3: ['model-down'] });
    const breaker = new CircuitBreaker(2, new AbortController().signal);
    const { results, interrupted } = await executePlan(t.plan, t.options({ concurrency: 1, breaker, signal: breaker.signal }));
    expect(breaker.tripped).toBeNull();
    expect(interrupted).toBe(false);
    expect(results.map((r) => [r.trial, r.status])).toEqual([[2, 'passed'], [1, 'error'], [3, 'error']]);
    expect((await readFile(t.store.trialsFile, 'utf8')).trim().split('\n')).toHaveLength(3);
  });
});
