/**
 * `npm run bench` (report part): a results folder of 100,000 trials (200 tasks × 5 harnesses × 100 trials, 2,000 trial
 * folders with trajectories and verifier output) → the HTML report: time to write it and its size, then the time
 * until the page is interactive in headless Chromium. Targets: under 5 s, under 10 MB, interactive under 2 s.
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { RunRecord } from '../records/run-record.js';
import type { TrialResult } from '../records/trial-result.js';
import { writeRunReport } from '../report/html/write-report.js';
import { formatTable } from '../report/table.js';

const TASKS = 200;
const HARNESSES = ['baseline', 'self-verify', 'hide-exit-codes', 'loop-detect', 'truncate-output'];
const TRIALS = Number(process.env.HBENCH_BENCH_REPORT_TRIALS ?? 100);
const WITH_FILES = 2000;

export async function reportBench(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hbench-bench-report-'));
  try {
    const total = await writeResults(dir);
    const started = performance.now();
    const file = await writeRunReport(dir);
    const writeMs = performance.now() - started;
    const size = (await stat(file)).size;
    const interactiveMs = await timeToInteractive(file);
    const rows = [
      ['trials', total.toLocaleString('en-US'), ''],
      ['report written', `${(writeMs / 1000).toFixed(2)} s`, '< 5 s'],
      ['report size', `${(size / 1e6).toFixed(2)} MB`, '< 10 MB'],
      ['page interactive (Chromium)', `${(interactiveMs / 1000).toFixed(2)} s`, '< 2 s'],
    ];
    return `HTML report of a large run\n${formatTable(['', 'measured', 'target'], rows)}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function writeResults(dir: string): Promise<number> {
  const tasks = Array.from({ length: TASKS }, (_, i) => `task-${String(i).padStart(3, '0')}`);
  const record: RunRecord = {
    schema: 1,
    runId: 'bench-report',
    status: 'completed',
    tool: { name: 'harness-bench', version: 'bench', node: process.version },
    config: { tasksDir: '/bench', include: [], exclude: [], harnessSpecs: HARNESSES, trials: TRIALS, concurrency: 8, allowNetwork: false, model: null, seed: '1' },
    tasks: tasks.map((id) => ({ id, format: 'harbor', configFile: `/bench/${id}/task.toml`, contentHash: id.repeat(2), steps: ['main'] })),
    harnesses: HARNESSES.map((name) => ({ name, kind: 'agent', source: `harnesses/${name}.yaml`, definition: {}, hash: name })),
    model: { id: 'sim:default', simulated: true, params: {} },
    git: null,
    images: {},
    startedAt: new Date(0).toISOString(),
    endedAt: new Date(3_600_000).toISOString(),
    resumes: [],
    counts: { planned: TASKS * HARNESSES.length * TRIALS, finished: TASKS * HARNESSES.length * TRIALS },
  };
  await mkdir(path.join(dir, 'trials'), { recursive: true });
  await writeFile(path.join(dir, 'run.json'), JSON.stringify(record));
  const lines: string[] = [];
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let trial = 1; trial <= TRIALS; trial++) {
    for (const [ti, taskId] of tasks.entries()) {
      for (const [hi, harness] of HARNESSES.entries()) {
        const p = ((ti % 10) / 10 + hi * 0.03) % 1;
        const status = rand() < p ? 'passed' : rand() < 0.9 ? 'failed' : rand() < 0.5 ? 'timeout' : 'error';
        const key = `${taskId}__${harness}__${trial}`;
        const r: TrialResult = {
          schema: 1, runId: 'bench-report', key, taskId, harness, trial, status, reward: status === 'passed' ? 1 : status === 'error' ? null : 0, rewards: {},
          steps: [{ name: 'main', status, reward: status === 'passed' ? 1 : 0, rewards: {}, agentTimedOut: status === 'timeout', verifierTimedOut: false, actions: 6, actionsOk: 5, agentMs: 9000, verifyMs: 800 }],
          actions: 6, actionsOk: 5, tokens: { input: 3000, output: 400, cached: 0 }, costUsd: 0.01, error: status === 'error' ? { class: 'DockerApiError', code: 'DOCKER_API', message: 'engine said no', phase: 'start' } : null,
          phases: { build: 0, start: 300, setup: 0, agent: 9000, verify: 800, teardown: 200 }, image: null, startedAt: new Date(0).toISOString(), endedAt: new Date(10_000).toISOString(), durationMs: 10_300,
        };
        lines.push(JSON.stringify(r));
        if (lines.length <= WITH_FILES) await trialFiles(dir, key);
      }
    }
  }
  await writeFile(path.join(dir, 'trials.jsonl'), `${lines.join('\n')}\n`);
  return lines.length;
}

async function trialFiles(dir: string, key: string): Promise<void> {
  const t = path.join(dir, 'trials', key);
  await mkdir(path.join(t, 'verifier'), { recursive: true });
  const actions = Array.from({ length: 6 }, (_, index) =>
    JSON.stringify({ index, taskStep: 'main', startedAt: new Date(0).toISOString(), durationMs: 1500, modelReply: 'Running the next command.', action: { tool: 'shell', command: `make step-${index}` }, exitCode: index === 3 ? 1 : 0, observation: 'x'.repeat(600), bytesCut: 0, tokens: { input: 500, output: 60, cached: 0 }, costUsd: 0.002, events: [], ok: index !== 3, okRule: 'exit code 0' }),
  );
  await writeFile(path.join(t, 'trajectory.jsonl'), `${actions.join('\n')}\n`);
  await writeFile(path.join(t, 'verifier', 'stdout.txt'), 'test_output ... FAILED\n'.repeat(40));
}

async function timeToInteractive(file: string): Promise<number> {
  const browser = await chromium.launch({ executablePath: process.env.HBENCH_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
  try {
    const page = await browser.newPage();
    const started = performance.now();
    await page.goto(pathToFileURL(file).href);
    // Interactive: the leaderboard has its rows and a click on a matrix cell lists its trials.
    await page.locator('[data-testid="leaderboard-row"]').first().waitFor();
    await page.locator('[data-testid="matrix-cell"]').first().click();
    await page.locator('[data-testid="trial-list"]').first().waitFor();
    return performance.now() - started;
  } finally {
    await browser.close();
  }
}
