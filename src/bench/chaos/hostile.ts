/**
 * Chaos figures for hostile tasks and agents: one run of test/fixtures/hostile (an OOM, a fork bomb, a CPU hog,
 * processes ignoring SIGTERM, a 3 GB stdout flood, a disk filler, and a good task) through the CLI at concurrency 3,
 * in its own process so its memory is measured. Needs `npm run build` (the CLI runs dist/).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TrialResult } from '../../records/trial-result.js';
import { FIXTURES, containersOfRun, readTrials, startCli, tempDir } from '../../test-support/cli.js';
import { folderBytes, peakRssDuring } from '../../test-support/process-stats.js';
import type { ChaosFigure } from './figure.js';

const AREA = 'hostile';
const MiB = 1024 * 1024;

/** What each hostile task must end as: the status rule and the reason rule of README "Hostile tasks and agents". */
const EXPECTED: Record<string, Pick<TrialResult, 'status' | 'reason'>> = {
  oom: { status: 'failed', reason: 'oom-killed' },
  'fork-bomb': { status: 'failed', reason: 'pids-limit' },
  'cpu-hog': { status: 'timeout', reason: null },
  'ignore-term': { status: 'timeout', reason: null },
  flood: { status: 'failed', reason: 'output-capped' },
  'disk-fill': { status: 'failed', reason: 'disk-limit' },
};

export async function hostileChaos(): Promise<ChaosFigure[]> {
  const fixtures = path.join(FIXTURES, 'hostile');
  const out = await tempDir('hbench-chaos-hostile-');
  const runId = `chaos-hostile-${process.pid}`;
  const started = performance.now();
  const cli = startCli(['run', '--tasks', path.join(fixtures, 'tasks'), '--harness-dir', path.join(fixtures, 'harnesses'), '--harness', 'hostile', '--concurrency', '3', '--out', out, '--run-id', runId, '--reporter', 'summary']);
  const peak = await peakRssDuring(cli.child.pid!, cli.done);
  const r = await cli.done;
  const wallMs = performance.now() - started;
  if (r.code !== 0) throw new Error(`hostile chaos run exited with ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  const runDir = path.join(out, runId);
  const trials = await readTrials(runDir);
  const by = new Map(trials.map((t) => [t.taskId, t]));

  const contained = Object.entries(EXPECTED).filter(([task, want]) => {
    const t = by.get(task);
    return t && t.status === want.status && t.reason === want.reason && t.error === null;
  });
  const missed = Object.keys(EXPECTED).filter((task) => !contained.some(([c]) => c === task));
  const good = by.get('good');
  const flood = by.get('flood');
  const diskLog = await readFile(path.join(runDir, 'trials', 'disk-fill__hostile__1', 'harness.log'), 'utf8').catch(() => '');
  const written = /reached storage_mb = (\d+) \((\d+) MB written, ([^)]+)\)/.exec(diskLog);
  const slowest = (task: string) => by.get(task)?.durationMs ?? 0;

  const figures: ChaosFigure[] = [
    {
      area: AREA,
      name: 'hostile tasks contained',
      value: `${contained.length}/${Object.keys(EXPECTED).length}`,
      detail: missed.length ? `not as expected: ${missed.map((t) => `${t} (${by.get(t)?.status ?? 'missing'}, ${by.get(t)?.reason ?? 'no reason'})`).join(', ')}` : 'each with its status and reason, none an error',
    },
    { area: AREA, name: 'good task beside them', value: good?.status ?? 'missing' },
    { area: AREA, name: 'results folder size after a 3 GB flood', value: `${(await folderBytes(runDir) / MiB).toFixed(1)} MB`, detail: `7 trials; flood trial ${((flood?.durationMs ?? 0) / 1000).toFixed(1)} s` },
    { area: AREA, name: 'peak runner RSS', value: `${Math.round(peak / MiB)} MB`, detail: 'the hbench process, VmHWM sampled every 250 ms' },
    {
      area: AREA,
      name: 'disk written when the storage cap was found',
      value: written ? `${written[2]} MB` : 'not found in harness.log',
      detail: written ? `storage_mb = ${written[1]}, ${written[3]}` : undefined,
    },
    { area: AREA, name: 'SIGTERM-ignoring trial, end to end', value: `${(slowest('ignore-term') / 1000).toFixed(1)} s`, detail: 'agent timeout 3 s, then SIGKILL; teardown docker rm -f' },
    { area: AREA, name: 'whole run', value: `${(wallMs / 1000).toFixed(1)} s`, detail: 'concurrency 3, images built on first use' },
    { area: AREA, name: 'containers left', value: String(await containersOfRun(runId)) },
  ];
  return figures;
}
