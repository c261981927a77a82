import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrialResult } from '../../src/records/trial-result.js';
import { readTrials, runCli, startCli, tempDir, waitFor } from '../../src/test-support/cli.js';
import { NAP_IMAGE, napSuite } from '../../src/test-support/nap-suite.js';
import { docker, startPrivateEngine, type PrivateEngine } from '../../src/test-support/private-engine.js';

describe('a Docker engine restart mid-run (a private second dockerd, really stopped and started)', () => {
  let engine: PrivateEngine;
  let suite: Awaited<ReturnType<typeof napSuite>>;
  const env = () => ({ DOCKER_HOST: engine.host });
  /** hbench's containers and networks on the private engine. */
  const leftovers = async () => ({
    containers: (await docker(engine.host, 'ps', '-aq', '--filter', 'label=dev.hbench.managed=true')).split('\n').filter(Boolean),
    networks: (await docker(engine.host, 'network', 'ls', '-q', '--filter', 'label=dev.hbench.managed=true')).split('\n').filter(Boolean),
  });
  const running = async () => (await docker(engine.host, 'ps', '-q', '--filter', 'label=dev.hbench.managed=true')).split('\n').filter(Boolean).length;
  const record = async (dir: string) => JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'));

  beforeAll(async () => {
    // No skip: without Docker, root or the namespace tools, starting fails and so does this file.
    [engine, suite] = await Promise.all([startPrivateEngine(), napSuite()]);
    await engine.seed([NAP_IMAGE]);
  }, 90_000);
  afterAll(async () => {
    await engine?.close();
  });

  it('in-flight trials end as errors and are retried once the engine is back; nothing lost, repeated or left behind', async () => {
    const out = await tempDir();
    const run = startCli(['run', '--tasks', suite.tasks, '--harness', suite.harness, '--trials', '4', '--concurrency', '2', '--retries', '2', '--engine-wait', '60', '--reporter', 'summary', '--out', out, '--run-id', 'restart'], env());
    await waitFor(async () => (await running()) === 2, 60_000, 'two trials in flight');
    await sleep(1000);
    await engine.stop();
    expect(await engine.up()).toBe(false);
    await sleep(3000);
    await engine.start();
    const r = await run.done;
    expect(r.stderr).toMatch(/Docker engine unreachable since \d\d:\d\d:\d\d; waiting up to 60 s \(--engine-wait\)/);
    // The trials remove their stopped containers themselves while the engine is still stopping; what it leaves goes then.
    expect(r.stderr).toMatch(/Docker engine reachable again after \d+ s; removed \d+ stopped container\(s\)/);
    expect(r.code).toBe(0);

    const dir = path.join(out, 'restart');
    const trials = await readTrials(dir);
    expect(trials.map((t) => t.key).sort()).toEqual([1, 2, 3, 4].map((n) => `nap__napper__${n}`));
    expect(trials.every((t) => t.status === 'passed')).toBe(true);
    // The two in flight were retried (a stopping engine can break an attempt twice: while it stops its containers and
    // once it is gone); the two after it ran once.
    const retried = trials.filter((t) => (t.attempts ?? 1) >= 2);
    expect(retried).toHaveLength(2);
    expect(trials.filter((t) => t.attempts === 1)).toHaveLength(2);
    for (const t of retried) {
      expect(t.earlierAttempts).toHaveLength(t.attempts! - 1);
      expect(t.earlierAttempts!.some((a) => a.engineDown)).toBe(true);
      for (const [i, a] of t.earlierAttempts!.entries()) {
        expect(a).toMatchObject({ attempt: i + 1, error: { code: expect.stringMatching(/^DOCKER_/) } });
        const kept = path.join(dir, 'trials', t.key, `attempts/${i + 1}`);
        expect(JSON.parse(await readFile(path.join(kept, 'attempt.json'), 'utf8'))).toMatchObject({ attempt: i + 1, error: a.error });
        expect(existsSync(path.join(kept, 'harness.log'))).toBe(true);
        expect(existsSync(path.join(kept, 'instruction.md'))).toBe(true);
      }
      // The last attempt's files are where they always are.
      expect(existsSync(path.join(dir, 'trials', t.key, 'verifier/reward.txt')) || existsSync(path.join(dir, 'trials', t.key, 'verifier/logs/reward.txt'))).toBe(true);
    }
    expect(await record(dir)).toMatchObject({ status: 'completed', counts: { planned: 4, finished: 4 }, config: { retry: { maxRetries: 2 }, engineWaitSec: 60 } });
    expect(await leftovers()).toEqual({ containers: [], networks: [] });
  }, 120_000);

  it('an engine that stays away past --engine-wait stops the run cleanly; --resume finishes it once the engine is back', async () => {
    const out = await tempDir();
    const dir = path.join(out, 'lost');
    const run = startCli(['run', '--tasks', suite.tasks, '--harness', suite.harness, '--trials', '2', '--concurrency', '2', '--retries', '1', '--engine-wait', '3', '--reporter', 'summary', '--out', out, '--run-id', 'lost'], env());
    await waitFor(async () => (await running()) === 2, 60_000, 'two trials in flight');
    await sleep(1000);
    await engine.stop();
    const r = await run.done;
    expect(r.stderr).toMatch(/Docker engine unreachable since \d\d:\d\d:\d\d; waiting up to 3 s/);
    expect(r.stderr).toContain(`finish with: hbench run --resume ${dir}`);
    expect(r.code).toBe(3);
    const stopped = await record(dir);
    expect(stopped).toMatchObject({ status: 'interrupted', stopped: { reason: 'engine-unreachable', message: expect.stringContaining('unreachable') } });
    expect(r.stderr).toMatch(/^Docker engine unreachable, run stopped: .*; 2 of 2 trials left to run; when the engine is back, finish with: hbench run --resume /m);
    // The trials it was running are not recorded (a resume redoes them); their attempt is kept.
    expect(existsSync(path.join(dir, 'trials.jsonl')) ? await readTrials(dir) : []).toEqual([]);
    const kept = [1, 2].filter((n) => existsSync(path.join(dir, 'trials', `nap__napper__${n}`, 'attempts/1/attempt.json')));
    expect(kept).toHaveLength(2);

    await engine.start();
    const resumed = await runCli(['run', '--resume', dir, '--reporter', 'summary'], env());
    expect(resumed.code).toBe(0);
    const trials: TrialResult[] = await readTrials(dir);
    expect(trials.map((t) => t.key).sort()).toEqual([1, 2].map((n) => `nap__napper__${n}`));
    expect(trials.every((t) => t.status === 'passed')).toBe(true);
    // The attempts the lost engine broke count: those trials took more than one.
    expect(trials.filter((t) => (t.attempts ?? 1) >= 2).map((t) => t.trial).sort()).toEqual(kept);
    const done = await record(dir);
    expect(done).toMatchObject({ status: 'completed', counts: { planned: 2, finished: 2 } });
    expect(done.stopped).toBeUndefined();
    expect(await leftovers()).toEqual({ containers: [], networks: [] });
  }, 120_000);
});
