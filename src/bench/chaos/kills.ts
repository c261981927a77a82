/**
 * `npm run chaos` (kills): a real-Docker run (nop and oracle on the fixture tasks, one of them three steps long)
 * killed with SIGKILL at K random moments, resumed each time, then finished. trials.jsonl is checked against the
 * plan: every planned trial recorded exactly once, none an error; no container of the run left. The moments come
 * from a seed printed with the figure (HBENCH_CHAOS_SEED repeats them).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { mulberry32 } from '../../common/prng.js';
import { FIXTURES, containersOfRun, startCli, tempDir } from '../../test-support/cli.js';
import type { ChaosFigure } from './figure.js';
import { checkAgainstPlan, few } from './run-check.js';

const KILLS = Number(process.env.HBENCH_CHAOS_KILLS ?? 5);
/** Trials per task and harness: enough work that the run is still going at the last kill. */
const TRIALS = 8;
/** A kill lands this long after the process starts, drawn uniformly (the CLI itself needs about a second to start). */
const WINDOW_MS = [1_000, 7_000] as const;

export async function killsChaos(): Promise<ChaosFigure[]> {
  const seed = Number(process.env.HBENCH_CHAOS_SEED ?? Date.now() % 1_000_000);
  const random = mulberry32(seed);
  const out = await tempDir('hbench-chaos-kills-');
  const runId = `chaos-kills-${process.pid}`;
  const dir = path.join(out, runId);
  const fresh = ['run', '--tasks', path.join(FIXTURES, 'tasks'), '--task', 'hello', '--task', 'multi-count', '--harness', 'nop', '--harness', 'oracle', '--trials', String(TRIALS), '--concurrency', '4', '--out', out, '--run-id', runId, '--reporter', 'summary'];
  const resume = ['run', '--resume', dir, '--reporter', 'summary'];
  const started = performance.now();
  let kills = 0;
  let leftByKills = 0;
  const recordedAtKill: number[] = [];
  while (kills < KILLS) {
    const cli = startCli(existsSync(path.join(dir, 'run.json')) ? resume : fresh);
    const delay = WINDOW_MS[0] + random() * (WINDOW_MS[1] - WINDOW_MS[0]);
    const timer = setTimeout(() => cli.child.kill('SIGKILL'), delay);
    const done = await cli.done;
    clearTimeout(timer);
    if (cli.child.signalCode === 'SIGKILL') {
      kills++;
      leftByKills += await containersOfRun(runId);
      recordedAtKill.push(existsSync(path.join(dir, 'run.json')) ? (await checkAgainstPlan(dir)).lines : 0);
      continue;
    }
    if (done.code !== 0) throw new Error(`kills: hbench run exited ${done.code} before being killed: ${done.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    throw new Error(`kills: the run finished after ${kills} of ${KILLS} kills; make the kill window (${WINDOW_MS.join('–')} ms) shorter or the run longer (TRIALS)`);
  }
  const last = await startCli(existsSync(path.join(dir, 'run.json')) ? resume : fresh).done;
  if (last.code !== 0) throw new Error(`kills: the final resume exited ${last.code}: ${last.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  const seconds = (performance.now() - started) / 1000;
  const check = await checkAgainstPlan(dir);
  const left = await containersOfRun(runId);
  if (check.lost.length || check.repeated.length || check.stray.length || check.errors.length || left || check.record.status !== 'completed') {
    throw new Error(`kills: after ${kills} kills: lost ${few(check.lost)}, repeated ${few(check.repeated)}, stray ${few(check.stray)}, errors ${few(check.errors)}, ${left} container(s) left, run.json status ${check.record.status}`);
  }
  return [{
    area: 'kills',
    name: 'kill -9 survived, resumed each time',
    value: `${kills}/${KILLS}, 0 lost, 0 repeated`,
    detail: `${check.planned} trials (nop, oracle × hello, multi-count × ${TRIALS}), real Docker, concurrency 4; trials recorded at each kill ${recordedAtKill.join(', ')}; ${leftByKills} container(s) left by the kills, all swept by the next start; 0 left at the end; ${check.record.resumes.length} resumes; ${seconds.toFixed(0)} s; seed ${seed}`,
  }];
}
