import { describe, expect, it } from 'vitest';
import type { TrialResult } from '../records/trial-result.js';
import { CircuitBreaker, modelUnreachable, stoppedLine } from './circuit-breaker.js';

let n = 0;
function trial(kind: 'unreachable' | 'refused' | 'answered' | 'docker' | 'no-model'): TrialResult {
  n++;
  const error =
    kind === 'unreachable'
      ? { class: 'ModelUnreachableError', code: 'MODEL_API', message: `openai (http://127.0.0.1:9/v1): connection error: Connection error. (gave up after 6 attempts) #${n}`, phase: 'agent' as const }
      : kind === 'refused'
        ? { class: 'ModelApiError', code: 'MODEL_API', message: 'openai: 401: bad key (check OPENAI_API_KEY)', phase: 'agent' as const }
        : kind === 'docker'
          ? { class: 'DockerApiError', code: 'DOCKER_API', message: 'Docker API error', phase: 'start' as const }
          : null;
  const tokens = kind === 'answered' ? { input: 100, output: 10, cached: 0 } : { input: 0, output: 0, cached: 0 };
  return { key: `t__h__${n}`, status: error ? 'error' : 'passed', error, tokens } as unknown as TrialResult;
}

describe('the circuit breaker', () => {
  it('trips after K trials in a row end with the model unreachable, and aborts its signal', () => {
    const b = new CircuitBreaker(3, new AbortController().signal);
    for (const k of ['unreachable', 'unreachable', 'answered', 'unreachable', 'unreachable'] as const) b.record(trial(k));
    expect(b.tripped).toBeNull();
    expect(b.signal.aborted).toBe(false);
    const third = trial('unreachable');
    b.record(third);
    expect(b.tripped).toMatchObject({ reason: 'model-unreachable', trials: [`t__h__${n - 2}`, `t__h__${n - 1}`, third.key] });
    expect(b.tripped!.message).toMatch(/^3 trial\(s\) in a row ended with the model unreachable \(last: openai .*#\d+\)$/);
    expect(b.signal.aborted).toBe(true);
  });

  it('only an answering model resets the count; other errors and model-less trials leave it; a refusal (401) is not an outage', () => {
    const b = new CircuitBreaker(2, new AbortController().signal);
    b.record(trial('unreachable'));
    b.record(trial('docker'));
    b.record(trial('no-model'));
    b.record(trial('refused'));
    expect(b.tripped).toBeNull();
    b.record(trial('unreachable'));
    expect(b.tripped?.trials).toHaveLength(2);
    expect(modelUnreachable(trial('refused'))).toBe(false);
  });

  it('0 never trips; the run signal aborts its signal too; a bad K is refused', () => {
    const off = new CircuitBreaker(0, new AbortController().signal);
    for (let i = 0; i < 10; i++) off.record(trial('unreachable'));
    expect(off.tripped).toBeNull();
    const run = new AbortController();
    const b = new CircuitBreaker(3, run.signal);
    run.abort();
    expect(b.signal.aborted).toBe(true);
    expect(b.tripped).toBeNull();
    expect(() => new CircuitBreaker(1.5, run.signal)).toThrow(/whole number ≥ 0 \(got 1.5\)/);
  });

  it('says in one line what happened, how many trials did not run and how to finish', () => {
    const b = new CircuitBreaker(1, new AbortController().signal);
    b.record(trial('unreachable'));
    const line = stoppedLine(b.tripped!, { planned: 10, recorded: 4 }, 'hbench run --resume results/r1');
    expect(line).not.toContain('\n');
    expect(line).toMatch(/^model API unreachable, run stopped: 1 trial\(s\) in a row .*; 6 of 10 trials left to run; when the model is back, finish with: hbench run --resume results\/r1$/);
  });
});
