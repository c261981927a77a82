import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, readTrials, runCli, tempDir } from '../../src/test-support/cli.js';

/**
 * Harness variants against the SIMULATED model on a fixed seed set: the harness is the only thing that changes, and
 * its features move the pass rate in the direction they should.
 */
describe('harness variants against the simulated model', () => {
  let out: string;
  beforeAll(async () => {
    out = await tempDir();
  });

  it('hiding exit codes scores lower than the baseline; the runs compare as a regression with per-step traces', async () => {
    const r = await runCli(['run', '--tasks', path.join(FIXTURES, 'tasks'), '--harness', 'baseline', '--harness', 'hide-exit-codes', '--model', 'sim', '--sim-mistake-rate', '0.3', '--seed', '7', '--trials', '12', '--concurrency', '4', '--out', out, '--run-id', 'hide']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('model sim:default (SIMULATED model, not a real LLM)');
    expect(r.stdout).toContain('model sim:default (SIMULATED model, not a real LLM)');
    const dir = path.join(out, 'hide');
    const trials = await readTrials(dir);
    const rate = (h: string) => trials.filter((t) => t.harness === h && t.status === 'passed').length / trials.filter((t) => t.harness === h).length;
    expect(rate('baseline')).toBeGreaterThan(rate('hide-exit-codes'));
    // Common random numbers: a trial the blind variant passes, the baseline passes too.
    for (const t of trials.filter((x) => x.harness === 'hide-exit-codes' && x.status === 'passed')) {
      expect(trials.find((b) => b.harness === 'baseline' && b.taskId === t.taskId && b.trial === t.trial)!.status).toBe('passed');
    }
    const record = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'));
    expect(record.model).toMatchObject({ id: 'sim:default', simulated: true, label: 'SIMULATED model (not a real LLM)' });
    expect(record.harnesses.map((h: { name: string; kind: string }) => [h.name, h.kind])).toEqual([['baseline', 'agent'], ['hide-exit-codes', 'agent']]);
    expect(record.harnesses[1].definition.tools.shell.showExitCode).toBe(false);

    // Per-step trace: one line per model turn, with the fields the analysis needs.
    const traj = (await readFile(path.join(dir, 'trials', 'hello__baseline__1', 'trajectory.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(traj.length).toBeGreaterThanOrEqual(2);
    expect(traj[0]).toMatchObject({ index: 0, taskStep: 'main', action: { tool: 'shell' }, okRule: 'exit code 0' });
    expect(traj[0].tokens.input).toBeGreaterThan(0);
    expect(traj[0].observation).toMatch(/^\[exit code \d+\]/);
    expect(traj.at(-1).action.tool).toBe('finish');
    // The full output of every shell command is on disk, whatever the model was shown.
    expect(existsSync(path.join(dir, 'trials', 'hello__baseline__1', 'agent', 'main-001.stdout.txt'))).toBe(true);
    const blind = (await readFile(path.join(dir, 'trials', 'hello__hide-exit-codes__1', 'trajectory.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(blind[0].observation).not.toMatch(/exit code/);
    expect(typeof blind[0].exitCode).toBe('number');
    const trial = trials.find((t) => t.key === 'hello__baseline__1')!;
    expect(trial.tokens.input).toBeGreaterThan(0);
    expect(trial.actions).toBe(traj.length);

    const cmp = await runCli(['compare', `${dir}#baseline`, `${dir}#hide-exit-codes`, '--format', 'json']);
    expect(cmp.code).toBe(0);
    const result = JSON.parse(cmp.stdout);
    expect(result.meanDiff).toBeLessThan(0);
    expect(result.simulated).toBe(true);

    // Raw model traffic is recorded, and a replay of it reproduces the run call for call without the model.
    const traffic = (await readFile(path.join(dir, 'trials', 'hello__baseline__1', 'model-traffic.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(traffic).toHaveLength(traj.filter((s: { okRule: string }) => s.okRule !== 'harness stop').length);
    expect(traffic[0]).toMatchObject({ replayKey: 'hello__baseline__1/main/1', model: 'sim:default', request: { messages: [{ role: 'system' }, { role: 'user' }] } });
    const replay = await runCli(['run', '--tasks', path.join(FIXTURES, 'tasks'), '--harness', 'baseline', '--harness', 'hide-exit-codes', '--model', `replay:${dir}`, '--trials', '12', '--concurrency', '4', '--out', out, '--run-id', 'replayed']);
    expect(replay.code).toBe(0);
    const replayed = await readTrials(path.join(out, 'replayed'));
    const outcome = (ts: typeof trials) => Object.fromEntries(ts.map((t) => [t.key, [t.status, t.actions]]));
    expect(outcome(replayed)).toEqual(outcome(trials));
  }, 600_000); // 96 simulated-agent trials (run + replay): minutes on a loaded two-core machine

  it('a verification command that checks the goal scores higher than the baseline', async () => {
    const r = await runCli(['run', '--tasks', path.join(FIXTURES, 'tasks'), '--task', 'hello', '--harness', 'baseline', '--harness', path.join(FIXTURES, 'harnesses/verify-hello.yaml'), '--model', 'sim', '--sim-mistake-rate', '0.3', '--seed', '7', '--trials', '20', '--concurrency', '4', '--out', out, '--run-id', 'verify']);
    expect(r.code).toBe(0);
    const trials = await readTrials(path.join(out, 'verify'));
    const passed = (h: string) => trials.filter((t) => t.harness === h && t.status === 'passed').length;
    expect(passed('verify-hello')).toBeGreaterThan(passed('baseline'));
    const fed = trials.filter((t) => t.harness === 'verify-hello');
    const events = await Promise.all(fed.map((t) => readFile(path.join(out, 'verify', 'trials', t.key, 'trajectory.jsonl'), 'utf8')));
    expect(events.some((e) => e.includes('verification_failed'))).toBe(true);
  }, 600_000); // 96 simulated-agent trials (run + replay): minutes on a loaded two-core machine

  it('agent harness files: a wrong field, an extends cycle, no model', async () => {
    const typo = await runCli(['run', '--tasks', path.join(FIXTURES, 'tasks'), '--harness', path.join(FIXTURES, 'harnesses/agent-typo.yaml'), '--model', 'sim', '--out', out]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/agent-typo\.yaml: loop\.maxTurn: unknown field/);
    const cycle = await runCli(['run', '--tasks', path.join(FIXTURES, 'tasks'), '--harness', path.join(FIXTURES, 'harnesses/cycle-a.yaml'), '--model', 'sim', '--out', out]);
    expect(cycle.code).toBe(2);
    expect(cycle.stderr).toMatch(/extends: circular chain cycle-a\.yaml → cycle-b\.yaml → cycle-a\.yaml/);
    const noModel = await runCli(['run', '--tasks', path.join(FIXTURES, 'tasks'), '--harness', 'baseline', '--out', out]);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/harness "baseline" needs a model: pass --model/);
    const badModel = await runCli(['run', '--tasks', path.join(FIXTURES, 'tasks'), '--harness', 'baseline', '--model', 'gemini:x', '--out', out]);
    expect(badModel.stderr).toMatch(/unknown provider "gemini" \(known: sim, openai, anthropic, replay/);
    const noKey = await runCli(['run', '--tasks', path.join(FIXTURES, 'tasks'), '--harness', 'baseline', '--model', 'anthropic:claude-sonnet-4-6', '--out', out], { ANTHROPIC_API_KEY: '' });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/set ANTHROPIC_API_KEY/);
  });
});
