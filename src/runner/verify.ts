/**
 * Verification of one task step: upload the tests (only now, after the agent finished, so it cannot read them),
 * run the verifier with its timeout, read the reward. The verifier's files are kept in the trial folder.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { VerifierError } from '../common/errors.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { entriesFromDir, type TarEntry } from '../common/tar.js';
import { rewardFromFiles, rewardFromPytest, type ParsedReward } from '../scoring/reward.js';
import type { Task, TaskStep } from '../tasks/task.js';

export interface VerifyOutcome {
  parsed: ParsedReward | null;
  timedOut: boolean;
  interrupted: boolean;
  exitCode: number | null;
  durationMs: number;
  /**
   * Set when the verifier produced no usable reward after the agent ran (none, or an unreadable one): the step counts
   * as reward 0, a failure of the agent's work, never an excluded infrastructure error.
   */
  rewardProblem: string | null;
  /** What the agent left that could have forged the reward (discarded before the verifier ran). */
  tampering: string[];
}

export interface VerifyOptions {
  task: Task;
  step: TaskStep;
  stepIndex: number;
  sandbox: Sandbox;
  /** Host folder for the verifier's output. */
  outDir: string;
  signal: AbortSignal;
}

export async function verifyStep(o: VerifyOptions): Promise<VerifyOutcome> {
  const { step, sandbox } = o;
  const started = performance.now();
  await mkdir(o.outDir, { recursive: true });
  // The verifier's inputs and its output folder start clean: only the task's tests judge the work, and only the
  // verifier writes the reward. A reward file the agent planted is discarded and recorded.
  const { tampering, resisted } = await clearVerifierFolders(sandbox, o.signal);
  if (resisted) {
    // The reward could be forged, so nothing the verifier would say is trusted: a failure, not an excluded error.
    return finish({ parsed: null, timedOut: false, interrupted: false, exitCode: null, durationMs: 0, rewardProblem: `${o.task.id}: ${resisted} (counted as 0)`, tampering: [...tampering, resisted] }, started);
  }
  const byName = new Map<string, TarEntry>();
  for (const dir of step.verifier.testsDirs) for (const e of await entriesFromDir(dir, '/tests')) byName.set(e.name, e);
  for (const [host, name] of step.verifier.testsFiles) byName.set(`tests/${name}`, { name: `tests/${name}`, content: await readFile(host), mode: 0o755 });
  const files = [...byName.values()].map((e) => ({ path: e.name, content: e.content, mode: e.mode }));
  await sandbox.writeFiles('/', files, ['/tests', '/logs/verifier']);

  const stdoutFile = path.join(o.outDir, 'stdout.txt');
  const result = await sandbox.exec(step.verifier.command, {
    env: step.verifier.env,
    user: step.verifier.user ?? undefined,
    timeoutMs: step.verifier.timeoutSec * 1000,
    signal: o.signal,
    stdoutFile,
    stderrFile: path.join(o.outDir, 'stderr.txt'),
  });
  const outcome: VerifyOutcome = {
    parsed: null,
    timedOut: result.timedOut,
    interrupted: result.aborted,
    exitCode: result.exitCode,
    durationMs: 0,
    rewardProblem: null,
    tampering,
  };
  if (result.aborted) return finish(outcome, started);

  const written = await sandbox.readDir('/logs/verifier');
  await Promise.all([...written].map(async ([name, content]) => {
    const dest = path.join(o.outDir, 'logs', name);
    await mkdir(path.dirname(dest), { recursive: true });
    await writeFile(dest, content);
  }));
  const where = o.task.multiStep ? `${o.task.id} step ${step.name}` : o.task.id;
  try {
    if (step.verifier.rewardSource === 'reward-file') {
      outcome.parsed = rewardFromFiles(written, where);
      if (!outcome.parsed && !result.timedOut) {
        const script = o.task.multiStep ? `tests/test.sh of step ${step.name}` : 'tests/test.sh';
        outcome.rewardProblem = `${where}: ${script} wrote no reward (counted as 0; a task's test.sh writes 1 or 0 to /logs/verifier/reward.txt; exit code ${result.exitCode} does not count)`;
      }
    } else {
      outcome.parsed = rewardFromPytest(await readFile(stdoutFile, 'utf8'));
      if (!outcome.parsed && !result.timedOut) {
        outcome.rewardProblem = `${where}: run-tests.sh printed no pytest summary (counted as 0; run pytest so its summary line is printed)`;
      }
    }
  } catch (err) {
    if (!(err instanceof VerifierError)) throw err;
    outcome.rewardProblem = `${err.message} (counted as 0)`;
  }
  return finish(outcome, started);
}

function finish(outcome: VerifyOutcome, started: number): VerifyOutcome {
  outcome.durationMs = Math.round(performance.now() - started);
  return outcome;
}

const REWARD_FILES = ['reward.txt', 'reward.json'];

/**
 * One exec (every exec costs a round trip): which reward files the agent left (following links, as the verifier
 * would), remove both folders, and which reward files are still there after that.
 */
async function clearVerifierFolders(sandbox: Sandbox, signal: AbortSignal): Promise<{ tampering: string[]; resisted: string | null }> {
  const probe = (tag: string) => `for f in ${REWARD_FILES.join(' ')}; do [ -e "/logs/verifier/$f" ] && echo "${tag}:$f"; done`;
  const r = await sandbox.exec(['sh', '-c', `cd / && ${probe('before')}; rm -rf /tests /logs/verifier; ${probe('after')}; true`], { signal });
  const lines = r.stdout.split('\n');
  const found = (tag: string) => REWARD_FILES.filter((f) => lines.includes(`${tag}:${f}`));
  const tampering = found('before').map((f) => `/logs/verifier/${f} existed before verification (planted; discarded)`);
  const resisted = found('after').length ? '/logs/verifier could not be cleared before verification (a planted reward file resists removal)' : null;
  return { tampering, resisted };
}
