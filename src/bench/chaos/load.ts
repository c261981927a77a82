/**
 * `npm run chaos` (load): the model gateway with 64 sessions streaming at once; 1,000 no-op trials at concurrency 16
 * through the whole runner on the in-process backend; and a real-Docker run of no-op trials at concurrency 16 through
 * the CLI (HBENCH_CHAOS_DOCKER_TRIALS, default 160: 1,000 real trials take about 25 minutes on 2 shared cores). Every
 * figure is measured in this run; a check that fails throws, so the area fails.
 */
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { driveGatewayLoad, percentile } from '../../models/gateway-load.js';
import { ECHO_USAGE, EchoModelServer } from '../../test-support/echo-model-server.js';
import { FIXTURES, containersOfRun, startCli, tempDir } from '../../test-support/cli.js';
import { fakeRun } from '../../test-support/fake-run.js';
import type { ChaosFigure } from './figure.js';
import { checkAgainstPlan, few, peakRssOf } from './run-check.js';

const SESSIONS = 64;
const DOCKER_TRIALS = Number(process.env.HBENCH_CHAOS_DOCKER_TRIALS ?? 160);

export async function loadChaos(): Promise<ChaosFigure[]> {
  return [...(await gatewayLoad()), ...(await runnerLoad()), ...(await dockerLoad())];
}

async function gatewayLoad(): Promise<ChaosFigure[]> {
  const upstream = await new EchoModelServer({ chunkDelayMs: 20 }).start();
  try {
    const r = await driveGatewayLoad({ upstreamUrl: upstream.url, tokensPerCall: ECHO_USAGE.prompt_tokens + ECHO_USAGE.completion_tokens, sessions: SESSIONS });
    const problems: string[] = [];
    for (const s of r.sessions) {
      const answered = s.index % 2 ? 2 : 1;
      s.replies.slice(0, answered).forEach((reply, i) => {
        if (!('text' in reply) || reply.text !== `echo: ${s.nonce} call ${i + 1}`) problems.push(`session ${s.index} call ${i + 1}: ${JSON.stringify(reply).slice(0, 120)}`);
      });
      if (!s.replies[answered] || !('status' in s.replies[answered]!) || s.replies[answered]!.status !== 400) problems.push(`session ${s.index}: not refused by its own budget after ${answered} call(s)`);
      if (s.traffic.length !== answered + 1) problems.push(`session ${s.index}: ${s.traffic.length} traffic entries for ${answered + 1} calls`);
      const recorded = JSON.stringify(s.traffic);
      if (r.sessions.some((o) => o !== s && recorded.includes(o.nonce))) problems.push(`session ${s.index}: another session's words in its traffic`);
    }
    if (problems.length) throw new Error(`gateway load: ${problems.length} problem(s): ${few(problems)}`);
    const via = r.sessions.map((s) => s.durationsMs[0]!);
    const ms = (v: number) => `${Math.round(v)} ms`;
    return [
      { area: 'load', name: `gateway: ${SESSIONS} concurrent streams`, value: `${(r.round1Ms / 1000).toFixed(2)} s`, detail: `${SESSIONS}/${SESSIONS} complete with their own words (half OpenAI SDK forwarded, half Anthropic SDK translated); 1 traffic entry per call; budgets per session; ${upstream.peakStreaming} upstream streams open at once` },
      { area: 'load', name: 'gateway: added latency p50 / p95', value: `${ms(percentile(via, 50) - percentile(r.directMs, 50))} / ${ms(percentile(via, 95) - percentile(r.directMs, 95))}`, detail: `whole stream, ${SESSIONS} at once: via gateway p50 ${ms(percentile(via, 50))}, p95 ${ms(percentile(via, 95))}; straight to upstream p50 ${ms(percentile(r.directMs, 50))}, p95 ${ms(percentile(r.directMs, 95))}; machine load ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores` },
    ];
  } finally {
    await upstream.close();
  }
}

async function runnerLoad(): Promise<ChaosFigure[]> {
  const out = await tempDir('hbench-chaos-');
  const started = performance.now();
  const outcome = await fakeRun({ outDir: out, runId: 'load-1000', tasksDir: path.join(FIXTURES, 'tasks'), include: ['hello'], trials: 1000, concurrency: 16 });
  const seconds = (performance.now() - started) / 1000;
  const check = await checkAgainstPlan(outcome.dir);
  if (check.lost.length || check.repeated.length || check.lines !== 1000 || outcome.backend.running) {
    throw new Error(`1,000 in-process trials: ${check.lines} lines, lost ${few(check.lost)}, repeated ${few(check.repeated)}, ${outcome.backend.running} sandboxes left open`);
  }
  await rm(out, { recursive: true, force: true });
  return [{ area: 'load', name: '1,000 no-op trials, concurrency 16, in-process backend', value: `${seconds.toFixed(1)} s`, detail: `${(1000 / seconds).toFixed(0)} trials/s through the whole runner (no engine); 0 lost, 0 repeated; ${outcome.backend.peak} sandboxes at once at most` }];
}

async function dockerLoad(): Promise<ChaosFigure[]> {
  const out = await tempDir('hbench-chaos-');
  const runId = `chaos-load-${process.pid}`;
  const started = performance.now();
  const cli = startCli(['run', '--tasks', path.join(FIXTURES, 'tasks'), '--task', 'hello', '--harness', 'nop', '--trials', String(DOCKER_TRIALS), '--concurrency', '16', '--out', out, '--run-id', runId, '--reporter', 'summary']);
  const [peakMb, done] = await Promise.all([peakRssOf(cli.child), cli.done]);
  const seconds = (performance.now() - started) / 1000;
  // nop fails hello by design; an infrastructure error would make the exit code 1.
  if (done.code !== 0) throw new Error(`real-Docker load run exited ${done.code}: ${done.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  const check = await checkAgainstPlan(path.join(out, runId));
  const left = await containersOfRun(runId);
  if (check.lost.length || check.repeated.length || check.errors.length || left) {
    throw new Error(`real-Docker load run: lost ${few(check.lost)}, repeated ${few(check.repeated)}, errors ${few(check.errors)}, ${left} container(s) left`);
  }
  await rm(out, { recursive: true, force: true });
  return [{
    area: 'load',
    name: `${DOCKER_TRIALS} no-op trials, concurrency 16, real Docker`,
    value: `${seconds.toFixed(0)} s`,
    detail: `${(DOCKER_TRIALS / seconds).toFixed(2)} trials/s; peak runner RSS ${peakMb ?? '?'} MB; 0 lost, 0 repeated, 0 containers left${DOCKER_TRIALS < 1000 ? ' (1,000: HBENCH_CHAOS_DOCKER_TRIALS=1000)' : ''}`,
  }];
}
