/**
 * Run by `npm run chaos` (memory) as `node --expose-gc memory-child.js TRIALS OUT_DIR`: one whole run of TRIALS no-op
 * trials at concurrency 16 on the in-process backend, the heap measured after a full GC at regular points, and the
 * process's peak RSS. Prints one JSON line: { trials, seconds, peakRssMb, heapAfterGcMb: [[done, MB], ...] }.
 */
import path from 'node:path';
import { ROOT } from '../../test-support/cli.js';
import { fakeRun } from '../../test-support/fake-run.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('memory-child.js needs node --expose-gc');
const trials = Number(process.argv[2]);
const outDir = process.argv[3];
if (!Number.isInteger(trials) || trials < 1 || !outDir) throw new Error('usage: node --expose-gc memory-child.js TRIALS OUT_DIR');

const MB = 1024 * 1024;
const every = Math.max(1, Math.floor(trials / 20));
const heap: Array<[number, number]> = [];
const sample = (done: number) => {
  gc();
  heap.push([done, Math.round((process.memoryUsage().heapUsed / MB) * 10) / 10]);
};
sample(0);
const started = performance.now();
const outcome = await fakeRun({
  outDir,
  runId: `memory-${trials}`,
  tasksDir: path.join(ROOT, 'test/fixtures/tasks'),
  include: ['hello'],
  trials,
  concurrency: 16,
  onTrialEnd: (_r, done) => {
    if (done % every === 0) sample(done);
  },
});
const seconds = (performance.now() - started) / 1000;
if (outcome.all.length !== trials) throw new Error(`memory run recorded ${outcome.all.length} of ${trials} trials`);
process.stdout.write(`${JSON.stringify({ trials, seconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), heapAfterGcMb: heap })}\n`);
