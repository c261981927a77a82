/**
 * `npm run chaos` (engine): a real run on a private second dockerd (never the machine's shared engine) whose engine
 * is stopped (SIGTERM, waited for) and started again on the same data root R times while trials are in flight, with
 * `--retries 2`. trials.jsonl is checked against the plan: every planned trial recorded exactly once and passed;
 * the trials the restarts hit were retried (their first attempt kept in attempts/); no container or network of hbench
 * left on the engine.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TrialResult } from '../../records/trial-result.js';
import { startCli, tempDir } from '../../test-support/cli.js';
import { NAP_IMAGE, napSuite } from '../../test-support/nap-suite.js';
import { docker, startPrivateEngine } from '../../test-support/private-engine.js';
import type { ChaosFigure } from './figure.js';

const RESTARTS = Number(process.env.HBENCH_CHAOS_RESTARTS ?? 2);
const CONCURRENCY = 2;
/** Enough trials that a round of CONCURRENCY is in flight at each restart. */
const TRIALS = CONCURRENCY * (RESTARTS + 1);
/** How long the engine stays down at each restart. */
const DOWN_MS = 3000;

export async function engineChaos(): Promise<ChaosFigure[]> {
  const area = 'engine';
  const [engine, suite, out] = await Promise.all([startPrivateEngine(), napSuite(3), tempDir('hbench-chaos-engine-')]);
  try {
    await engine.seed([NAP_IMAGE]);
    const managed = async (what: 'ps' | 'network') =>
      (await docker(engine.host, ...(what === 'ps' ? ['ps', '-aq'] : ['network', 'ls', '-q']), '--filter', 'label=dev.hbench.managed=true')).split('\n').filter(Boolean).length;
    const running = async () => (await docker(engine.host, 'ps', '-q', '--filter', 'label=dev.hbench.managed=true')).split('\n').filter(Boolean).length;
    const runId = `chaos-engine-${process.pid}`;
    const recorded = async () => (await readFile(path.join(out, runId, 'trials.jsonl'), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
    const started = performance.now();
    const cli = startCli(['run', '--tasks', suite.tasks, '--harness', suite.harness, '--trials', String(TRIALS), '--concurrency', String(CONCURRENCY), '--retries', '2', '--engine-wait', '60', '--reporter', 'summary', '--out', out, '--run-id', runId], { DOCKER_HOST: engine.host });
    let ended = false;
    void cli.done.then(() => (ended = true));
    let restarts = 0;
    while (restarts < RESTARTS && !ended) {
      // Restart only with a full round in flight, and not twice in the same round.
      while (!ended && (await running()) < CONCURRENCY) await sleep(100);
      if (ended) break;
      await sleep(1000);
      await engine.stop();
      await sleep(DOWN_MS);
      await engine.start();
      restarts++;
      // The next restart hits the next round: the one just hit has to be recorded first.
      while (!ended && (await recorded()) < restarts * CONCURRENCY) await sleep(100);
    }
    const r = await cli.done;
    const seconds = (performance.now() - started) / 1000;
    const text = await readFile(path.join(out, runId, 'trials.jsonl'), 'utf8').catch(() => '');
    const trials = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as TrialResult);
    const keys = new Set(trials.map((t) => t.key));
    const lost = TRIALS - keys.size;
    const repeated = trials.length - keys.size;
    const retried = trials.filter((t) => (t.attempts ?? 1) > 1);
    const notPassed = trials.filter((t) => t.status !== 'passed').length;
    const [containers, networks] = [await managed('ps'), await managed('network')];
    const survived = r.code === 0 && lost === 0 && repeated === 0 && notPassed === 0 ? restarts : 0;
    const waits = (r.stderr.match(/Docker engine unreachable since/g) ?? []).length;
    if (survived !== RESTARTS) {
      throw new Error(`engine: ${RESTARTS - survived} of ${RESTARTS} restarts not survived (exit ${r.code}, ${lost} lost, ${repeated} repeated, ${notPassed} not passed); stderr ends: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
    return [
      {
        area,
        name: 'engine restarts survived',
        value: `${survived}/${RESTARTS}, ${lost} lost, ${repeated} repeated, in-flight trials retried: ${retried.length}`,
        detail: `${TRIALS} trials at concurrency ${CONCURRENCY}, --retries 2; dockerd stopped (SIGTERM) and started on the same data root with a round in flight, down ${DOWN_MS / 1000} s each time; ${waits} wait(s) announced; ${seconds.toFixed(0)} s in all`,
      },
      { area, name: 'attempts of the retried trials', value: retried.map((t) => t.attempts).join(', ') || 'none', detail: 'the first attempt of each kept in trials/<key>/attempts/1/' },
      { area, name: 'left on the engine after the restarts', value: `${containers} container(s), ${networks} network(s) of hbench` },
    ];
  } finally {
    await engine.close();
  }
}
