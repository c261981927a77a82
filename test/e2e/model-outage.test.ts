/**
 * A model outage in the middle of a real run (Docker, the built-in agent, the official OpenAI SDK against a local
 * server speaking its wire format): the server goes down after the first trial and stays down. Each call is retried
 * within its bound (short here: HBENCH_MODEL_MAX_ATTEMPTS / HBENCH_MODEL_RETRY_BASE_MS), the trials that cannot reach
 * the model are errors (never failures), the circuit breaker stops the run with one line and exit 3, and once the
 * server is back `hbench run --resume` finishes it. A gateway agent meeting the same outage is an error too.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containersOfRun, FIXTURES, readTrials, runCli, tempDir } from '../../src/test-support/cli.js';
import { FakeModelServer, openaiCompletion, type RecordedRequest } from '../../src/test-support/fake-model-server.js';

const PATIENCE = { OPENAI_API_KEY: 'sk-test', HBENCH_MODEL_MAX_ATTEMPTS: '2', HBENCH_MODEL_RETRY_BASE_MS: '20' };
const call = (id: string, name: string, args: object) => openaiCompletion({ tool_calls: [{ id, type: 'function', function: { name, arguments: JSON.stringify(args) } }] });

/** The "model": write the file, then finish. The first finish it gives also starts the outage. */
function agentTurns(server: FakeModelServer, outageAfterFirstTrial: { armed: boolean }) {
  return (request: RecordedRequest) => {
    const worked = (request.body?.messages ?? []).some((m: { role: string }) => m.role === 'tool');
    if (!worked) return { body: call('c1', 'shell', { command: 'echo hello > /app/hello.txt' }) };
    if (outageAfterFirstTrial.armed) {
      outageAfterFirstTrial.armed = false;
      // Set at once (before the next request can arrive): every later request has its connection reset.
      void server.outage('reset');
    }
    return { body: call('c2', 'finish', {}) };
  };
}

describe('a model outage mid-run', () => {
  let upstream: FakeModelServer;
  let out: string;
  beforeAll(async () => {
    upstream = await new FakeModelServer().start();
    out = await tempDir();
  });
  afterAll(() => upstream.close());

  it('the breaker stops the run after 2 unreachable trials (exit 3, one line); healed, --resume finishes it', async () => {
    upstream.respond(agentTurns(upstream, { armed: true }));
    const args = ['--tasks', path.join(FIXTURES, 'tasks'), '--task', 'hello', '--harness', 'baseline', '--trials', '5', '--concurrency', '1', '--model', 'openai:gpt-4.1-mini', '--base-url', `${upstream.url}/v1`, '--max-model-failures', '2', '--out', out, '--run-id', 'outage'];
    const r = await runCli(['run', ...args], PATIENCE);
    const dir = path.join(out, 'outage');
    expect(r.code, r.stderr).toBe(3);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('model API unreachable'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^model API unreachable, run stopped: 2 trial\(s\) in a row ended with the model unreachable \(last: openai \(http:\/\/127\.0\.0\.1:\d+\/v1\): connection error: .*gave up after 2 attempts.*\); 4 of 5 trials left to run; when the model is back, finish with: hbench run --resume \S+outage$/);

    const record = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'));
    expect(record).toMatchObject({ status: 'interrupted', stopped: { reason: 'model-unreachable', trials: ['hello__baseline__2', 'hello__baseline__3'] }, counts: { planned: 5 } });
    expect(record.model.provider).toMatchObject({ retry: { maxAttempts: 2, baseDelayMs: 20 } });
    // The two trials that met the outage are not outcomes: each is kept as attempt 1 in its folder, left for --resume.
    const trials = await readTrials(dir);
    expect(trials.map((t) => [t.key, t.status])).toEqual([['hello__baseline__1', 'passed']]);
    for (const key of ['hello__baseline__2', 'hello__baseline__3']) {
      const attempt = JSON.parse(await readFile(path.join(dir, 'trials', key, 'attempts/1/attempt.json'), 'utf8'));
      expect(attempt).toMatchObject({ attempt: 1, error: { class: 'ModelUnreachableError', code: 'MODEL_API', phase: 'agent' } });
      expect(existsSync(path.join(dir, 'trials', key, 'attempts/1/trajectory.jsonl'))).toBe(true);
    }
    // Each unreachable trial asked exactly twice (the bound), then nothing more was asked.
    expect(upstream.requests.filter((q) => q.failed)).toHaveLength(4);
    expect(await containersOfRun('outage')).toBe(0);

    // Back, with one 503 on the way: retried, recorded on the action and the trial.
    await upstream.heal();
    upstream.reply({ status: 503, body: { error: { message: 'warming up' } } });
    const resumed = await runCli(['run', '--resume', dir, '--concurrency', '1', '--max-model-failures', '2'], PATIENCE);
    // The run is whole, with real outcomes: the trials the outage ended ran again (their second attempt).
    expect(resumed.code, resumed.stderr).toBe(0);
    const all = await readTrials(dir);
    expect(all.map((t) => [t.key, t.status, t.attempts])).toEqual([
      ['hello__baseline__1', 'passed', 1],
      ['hello__baseline__2', 'passed', 2],
      ['hello__baseline__3', 'passed', 2],
      ['hello__baseline__4', 'passed', 1],
      ['hello__baseline__5', 'passed', 1],
    ]);
    expect(all[1]!.earlierAttempts).toEqual([expect.objectContaining({ attempt: 1, error: expect.objectContaining({ class: 'ModelUnreachableError' }) })]);
    const retried = all.find((t) => t.modelRetries === 1)!;
    expect(retried.key).toBe('hello__baseline__2');
    const trajectory = (await readFile(path.join(dir, 'trials', retried.key, 'trajectory.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(trajectory[0].events).toContain('retried:1');
    const after = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'));
    expect(after).toMatchObject({ status: 'completed', counts: { planned: 5, finished: 5 } });
    expect(after.stopped).toBeUndefined();
    expect(after.resumes).toHaveLength(1);
  });

  it('an agent behind the gateway meets the outage: the gateway gives up upstream and the trial is an error', async () => {
    await upstream.outage({ status: 502 });
    const before = upstream.requests.length;
    const r = await runCli(
      ['run', '--tasks', path.join(FIXTURES, 'tasks'), '--task', 'hello', '--harness', path.join(FIXTURES, 'harnesses/tcp-agent.yaml'), '--model', 'openai:gpt-4.1-mini', '--base-url', `${upstream.url}/v1`, '--max-model-failures', '1', '--out', out, '--run-id', 'gw-outage'],
      PATIENCE,
    );
    expect(r.code, r.stderr).toBe(3);
    // It tripped the breaker (K = 1): kept as an attempt, left for --resume, never a failure.
    expect(existsSync(path.join(out, 'gw-outage', 'trials.jsonl')) ? await readTrials(path.join(out, 'gw-outage')) : []).toEqual([]);
    const trial = JSON.parse(await readFile(path.join(out, 'gw-outage', 'trials', 'hello__tcp-agent__1', 'attempts/1/attempt.json'), 'utf8'));
    expect(trial).toMatchObject({ error: { class: 'ModelUnreachableError', code: 'MODEL_API', phase: 'agent' } });
    expect(trial.error.message).toMatch(/model gateway refused call 0 \(upstream-unreachable, HTTP 503\): upstream model unreachable: .*502: .*gave up after 2 attempts/);
    expect(upstream.requests.length - before).toBe(2);
  });
});
