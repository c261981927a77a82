/**
 * `npm run bench`: the runner's per-trial overhead on a no-op trial against the raw Docker floor on the same image
 * (create, start, one exec, remove), at concurrency 1 and 8, measured in one run and printed as ratios.
 * Target: ≤ 1.2×.
 */
import { mkdir, mkdtemp, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import { resolveHarness } from '../harness/registry.js';
import { formatTable } from '../report/table.js';
import { buildPlan } from '../runner/plan.js';
import type { Reporter } from '../runner/reporter.js';
import { ResultsStore } from '../runner/results-store.js';
import { RunSession } from '../runner/run-session.js';
import { rawDockerTrial } from '../sandbox/docker-floor.js';
import { loadTask } from '../tasks/loader.js';

const TRIALS = Number(process.env.HBENCH_BENCH_TRIALS ?? 24);
const LEVELS = [1, 8];

export async function overheadBench(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'hbench-bench-'));
  const taskDir = path.join(root, 'tasks', 'noop');
  await mkdir(path.join(taskDir, 'environment'), { recursive: true });
  await mkdir(path.join(taskDir, 'tests'), { recursive: true });
  await writeFile(path.join(taskDir, 'task.toml'), '[environment]\nmemory_mb = 256\n');
  await writeFile(path.join(taskDir, 'instruction.md'), 'Do nothing.\n');
  await writeFile(path.join(taskDir, 'environment', 'Dockerfile'), 'FROM debian:bookworm-slim\n');
  await writeFile(path.join(taskDir, 'tests', 'test.sh'), '#!/bin/sh\necho 0 > /logs/verifier/reward.txt\n');
  await chmod(path.join(taskDir, 'tests', 'test.sh'), 0o755);

  const task = await loadTask(taskDir);
  const nop = await resolveHarness('nop', { harnessDir: root });
  const session = await RunSession.open({ runId: 'bench' });
  const image = await session.sandboxes.prepare(task.environment, { taskId: task.id, taskFile: task.configFile });
  const quiet: Reporter = { name: 'quiet' };

  // Warm both paths once so neither pays first-call costs in the measurement.
  await rawDockerTrial(image.ref);
  const rows: Array<Array<string | number>> = [];
  for (const concurrency of LEVELS) {
    const limit = pLimit(concurrency);
    const floorStart = performance.now();
    await Promise.all(Array.from({ length: TRIALS }, () => limit(() => rawDockerTrial(image.ref))));
    const floorPerTrial = (performance.now() - floorStart) / TRIALS;

    const store = await ResultsStore.create(path.join(root, 'results', `c${concurrency}`));
    const plan = buildPlan(Array.from({ length: 1 }, () => task), [nop], TRIALS);
    const runStart = performance.now();
    const { results } = await session.execute(plan, { store, reporter: quiet, concurrency, signal: new AbortController().signal, allowNetwork: false });
    const runPerTrial = (performance.now() - runStart) / TRIALS;
    store.close();
    const bad = results.filter((r) => r.status === 'error');
    if (bad.length) throw new Error(`bench trials errored: ${bad[0]!.error!.message}`);
    rows.push([concurrency, TRIALS, `${floorPerTrial.toFixed(0)} ms`, `${runPerTrial.toFixed(0)} ms`, `${(runPerTrial / floorPerTrial).toFixed(2)}×`]);
  }
  await session.close();
  return [
    `Per-trial wall time on a no-op trial (${TRIALS} trials per level, image ${image.ref}), target ≤ 1.20×`,
    formatTable(['concurrency', 'trials', 'raw Docker floor', 'hbench runner', 'ratio'], rows),
    'floor = create + start + one exec + remove; runner = the full trial: start, upload tests, verify, read reward, record, remove',
  ].join('\n');
}
