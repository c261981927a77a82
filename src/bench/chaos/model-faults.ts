/**
 * Chaos figures for model API faults. Two parts:
 * - every fault kind (429 with and without retry-after, 500/502/503, no answer, a reset, a reset mid-answer, malformed
 *   JSON) on every way the project calls a model (both wire formats, chat and the gateway's forward, streaming and
 *   not): a fault that clears is survived (answered, retries counted), one that does not ends in one line;
 * - an outage mid-run with real Docker and the CLI (needs `npm run build`): the breaker's stop, the trials it spared,
 *   and `--resume` once the server is back.
 * Figures are measured and printed, never asserted.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ModelUnreachableError } from '../../models/errors.js';
import { FIXTURES, readTrials, runCli, tempDir } from '../../test-support/cli.js';
import { FakeModelServer, openaiCompletion, type RecordedRequest } from '../../test-support/fake-model-server.js';
import { callPaths, FAULT_CASES } from '../../test-support/model-fault-table.js';
import type { ChaosFigure } from './figure.js';

const AREA = 'model-faults';

export async function modelFaultsChaos(): Promise<ChaosFigure[]> {
  return [...(await faultKinds()), ...(await outage())];
}

async function faultKinds(): Promise<ChaosFigure[]> {
  let server = await new FakeModelServer().start();
  const paths = callPaths(() => server, { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 }, 300);
  const survivedKinds: string[] = [];
  const failures: string[] = [];
  let cases = 0;
  let survived = 0;
  let attempts = 0;
  try {
    for (const fault of FAULT_CASES) {
      let all = true;
      for (const p of paths) {
        cases++;
        // Clears after two faults: answered on the third attempt, two retries counted.
        await server.close();
        server = await new FakeModelServer().start();
        server.reply(fault.make(p), fault.make(p), p.answer);
        const cleared = await p.call().then((r) => r.text === 'done' && r.retries === 2, () => false);
        attempts += server.requests.length;
        // Does not clear: one line after exactly the bound.
        await server.close();
        server = await new FakeModelServer().start();
        server.reply(fault.make(p), fault.make(p), fault.make(p), p.answer);
        const err = await p.call().then(() => null, (e: unknown) => e);
        attempts += server.requests.length;
        const gaveUp = err instanceof ModelUnreachableError && !err.message.includes('\n') && server.requests.length === 3;
        if (cleared && gaveUp) survived++;
        else {
          all = false;
          failures.push(`${fault.kind} on ${p.name}`);
        }
      }
      if (all) survivedKinds.push(fault.kind);
    }
  } finally {
    await server.close();
  }
  return [
    { area: AREA, name: 'model faults survived', value: `${survivedKinds.length}/${FAULT_CASES.length} kinds`, detail: `${survived}/${cases} cases (${paths.length} call paths: openai and anthropic, chat and gateway forward, streaming and not); ${attempts} attempts made, each fault retried within 3 attempts${failures.length ? `; not survived: ${failures.join(', ')}` : ''}` },
  ];
}

/** The e2e scenario of test/e2e/model-outage.test.ts, measured: hello × 6 at concurrency 1, K = 2. */
async function outage(): Promise<ChaosFigure[]> {
  const server = await new FakeModelServer().start();
  const out = await tempDir('hbench-chaos-');
  const env = { OPENAI_API_KEY: 'sk-test', HBENCH_MODEL_MAX_ATTEMPTS: '2', HBENCH_MODEL_RETRY_BASE_MS: '20' };
  let armed = true;
  let downAt = 0;
  server.respond((request: RecordedRequest) => {
    const worked = (request.body?.messages ?? []).some((m: { role: string }) => m.role === 'tool');
    const call = (name: string, args: object) => ({ body: openaiCompletion({ tool_calls: [{ id: name, type: 'function', function: { name, arguments: JSON.stringify(args) } }] }) });
    if (!worked) return call('shell', { command: 'echo hello > /app/hello.txt' });
    if (armed) {
      armed = false;
      downAt = performance.now();
      void server.outage('reset');
    }
    return call('finish', {});
  });
  try {
    const dir = path.join(out, 'chaos-outage');
    const r = await runCli(['run', '--tasks', path.join(FIXTURES, 'tasks'), '--task', 'hello', '--harness', 'baseline', '--trials', '6', '--concurrency', '1', '--model', 'openai:gpt-4.1-mini', '--base-url', `${server.url}/v1`, '--max-model-failures', '2', '--out', out, '--run-id', 'chaos-outage'], env);
    const stoppedAfterMs = performance.now() - downAt;
    const record = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'));
    const first = await readTrials(dir);
    const failed = first.filter((t) => t.status === 'failed').length;
    const tripped: string[] = record.stopped?.trials ?? [];
    const notStarted = record.counts.planned - first.length - tripped.length;
    await server.heal();
    const resumed = await runCli(['run', '--resume', dir, '--concurrency', '1'], env);
    const all = await readTrials(dir);
    const after = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'));
    const line = r.stderr.split('\n').find((l) => l.startsWith('model API unreachable')) ?? '(no line)';
    const complete = after.status === 'completed' && all.length === record.counts.planned;
    const passed = all.filter((t) => t.status === 'passed').length;
    const redone = all.filter((t) => tripped.includes(t.key) && t.attempts === 2).length;
    if (r.code !== 3 || !complete || failed > 0 || redone !== tripped.length || resumed.code !== 0) throw new Error(`outage: ${line}; exit ${r.code} then ${resumed.code}; ${all.length}/${record.counts.planned} recorded, ${failed} failed, ${redone}/${tripped.length} redone`);
    return [
      {
        area: AREA,
        name: 'outage',
        value: `breaker tripped after ${tripped.length} trials; ${notStarted} trials not started; ${complete ? `resumed to completion, ${passed}/${all.length} passed` : `resume left the run ${after.status} with ${all.length}/${record.counts.planned}`}`,
        detail: `exit ${r.code} then ${resumed.code}; ${failed} trial(s) counted as failed during the outage; the ${tripped.length} it ended kept as attempts and run again on resume (${redone} took 2 attempts); stopped ${(stoppedAfterMs / 1000).toFixed(1)} s after the server went down; said: ${line}`,
      },
    ];
  } finally {
    await server.close();
  }
}
