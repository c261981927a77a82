/**
 * `npm run chaos` (kills): a real-Docker run (nop and oracle on the fixture tasks, one of them three steps long)
 * killed with SIGKILL at K random moments, resumed each time, then finished. trials.jsonl is checked against the
 * plan: every planned trial recorded exactly once, none an error; no container of the run left. The moments come
 * from a seed printed with the figure (HBENCH_CHAOS_SEED repeats them). A passing area removes its results folder; a
 * failing one leaves it for a look.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { mulberry32 } from '../../common/prng.js';
import { FIXTURES, containersOfRun, startCli, tempDir } from '../../test-support/cli.js';
import type { ChaosFigure } from './figure.js';
import { checkAgainstPlan, few } from './run-check.js';

const KILLS = Number(process.env.HBENCH_CHAOS_KILLS ?? 5);
/** Trials per task and harness: enough work that the run is still going at the last kill. */
const TRIALS = 8;
/**
 * Where kills land: every other one at a random moment of the first seconds (start-up, the sweep, image and container
 * start), the others at a random moment after the run recorded a new trial (trials in flight, a line being written).
 */
const EARLY_MS = [500, 5_000] as const;
const AFTER_PROGRESS_MS = 3_000;
const PROGRESS_TIMEOUT_MS = 180_000;

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
    const before = await recorded(dir);
    const cli = startCli(existsSync(path.join(dir, 'run.json')) ? resume : fresh);
    const ended = cli.done.then(() => true);
    if (kills % 2 === 0) await Promise.race([ended, sleep(EARLY_MS[0] + random() * (EARLY_MS[1] - EARLY_MS[0]))]);
    else {
      const deadline = Date.now() + PROGRESS_TIMEOUT_MS;
      while (!(await Promise.race([ended, sleep(100).then(() => false)])) && (await recorded(dir)) <= before) {
        if (Date.now() > deadline) throw new Error(`kills: no trial recorded in ${PROGRESS_TIMEOUT_MS / 1000} s after start ${kills + 1}`);
      }
      await Promise.race([ended, sleep(random() * AFTER_PROGRESS_MS)]);
    }
    cli.child.kill('SIGKILL');
    const done = await cli.done;
    if (cli.child.signalCode === 'SIGKILL') {
      kills++;
      leftByKills += await containersOfRun(runId);
      recordedAtKill.push(await recorded(dir));
      continue;
    }
    if (done.code !== 0) throw new Error(`kills: hbench run exited ${done.code} before being killed: ${done.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    throw new Error(`kills: the run finished after ${kills} of ${KILLS} kills; make the run longer (TRIALS)`);
  }
  const last = await startCli(existsSync(path.join(dir, 'run.json')) ? resume : fresh).done;
  if (last.code !== 0) throw new Error(`kills: the final resume exited ${last.code}: ${last.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  const seconds = (performance.now() - started) / 1000;
  const check = await checkAgainstPlan(dir);
  const left = await containersOfRun(runId);
  if (check.lost.length || check.repeated.length || check.stray.length || check.errors.length || left || check.record.status !== 'completed') {
    throw new Error(`kills: after ${kills} kills: lost ${few(check.lost)}, repeated ${few(check.repeated)}, stray ${few(check.stray)}, errors ${few(check.errors)}, ${left} container(s) left, run.json status ${check.record.status}`);
  }
  await rm(out, { recursive: true, force: true });
  return [{
    area: 'kills',
    name: 'kill -9 survived, resumed each time',
    value: `${kills}/${KILLS}, 0 lost, 0 repeated`,
    detail: `${check.planned} trials (nop, oracle × hello, multi-count × ${TRIALS}), real Docker, concurrency 4; trials recorded at each kill ${recordedAtKill.join(', ')}; ${leftByKills} container(s) left by the kills, all swept by the next start; 0 left at the end; ${kills + 1} starts; ${seconds.toFixed(0)} s; seed ${seed}`,
  }];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Lines in the run's trials.jsonl so far (a line cut short by a kill counts: the next start drops it). */
async function recorded(dir: string): Promise<number> {
  const text = await readFile(path.join(dir, 'trials.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).length;
}
