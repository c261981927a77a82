/**
 * `npm run chaos` (memory): the runner's memory as a run grows. Whole runs of 100, 1,000 and 10,000 no-op trials at
 * concurrency 16 on the in-process backend, each in a fresh `node --expose-gc` child (memory-child.ts): its peak
 * RSS, and its heap after a full GC sampled through the run. What grows with the size of a run is about 1 KB a trial:
 * the limiter holds every planned trial from the start (a queued closure each), and each finished trial's record is
 * kept for the summary and the reporters at the end; nothing else per trial stays (output buffers, trajectories,
 * listeners, sessions and sandboxes all go when the trial ends).
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../../test-support/cli.js';
import type { ChaosFigure } from './figure.js';

const run = promisify(execFile);
const SIZES = [100, 1_000, 10_000];

interface ChildReport {
  trials: number;
  seconds: number;
  peakRssMb: number;
  heapAfterGcMb: Array<[number, number]>;
}

export async function memoryChaos(): Promise<ChaosFigure[]> {
  const reports: ChildReport[] = [];
  for (const trials of SIZES) {
    const out = await tempDir('hbench-chaos-memory-');
    try {
      const { stdout } = await run(process.execPath, ['--expose-gc', path.join(import.meta.dirname, 'memory-child.js'), String(trials), out], { maxBuffer: 1 << 20 });
      reports.push(JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildReport);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }
  const at = (n: number) => reports.find((r) => r.trials === n)!;
  const heapEnd = (r: ChildReport) => r.heapAfterGcMb.at(-1)![1];
  const first = at(100);
  const last = at(10_000);
  const perTrialKb = ((heapEnd(last) - heapEnd(first)) * 1024) / (last.trials - first.trials);
  // Within the 10,000-trial run: heap after GC before the first trial, at 10% of the trials and at the end.
  const tenth = last.heapAfterGcMb.find(([done]) => done >= last.trials / 10)!;
  const mb = ([done, heap]: [number, number]) => `${heap} MB at ${done.toLocaleString('en')}`;
  return [
    ...reports.map((r) => ({ area: 'memory', name: `peak runner RSS at ${r.trials.toLocaleString('en')} trials`, value: `${r.peakRssMb} MB`, detail: `heap after GC at the end ${heapEnd(r)} MB; ${r.seconds.toFixed(1)} s, in-process backend, concurrency 16` })),
    { area: 'memory', name: 'heap growth per trial', value: `${perTrialKb.toFixed(2)} KB`, detail: `heap after GC at the end, 10,000-trial run against the 100-trial run; within the 10,000-trial run ${mb(last.heapAfterGcMb[0]!)}, ${mb(tenth)}, ${mb(last.heapAfterGcMb.at(-1)!)} (the limiter's queue of planned trials up front, then each finished trial's record, kept for the summary)` },
  ];
}
