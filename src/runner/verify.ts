/**
 * Verification of one task step: upload the tests (only now, after the agent finished, so it cannot read them),
 * run the verifier with its timeout, read the reward. The verifier's files are kept in the trial folder.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { VerifierError } from '../common/errors.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { entriesFromDir, type TarEntry } from '../sandbox/tar.js';
import { rewardFromFiles, rewardFromPytest, type ParsedReward } from '../scoring/reward.js';
import type { Task, TaskStep } from '../tasks/task.js';

export interface VerifyOutcome {
  parsed: ParsedReward | null;
  timedOut: boolean;
  interrupted: boolean;
  exitCode: number | null;
  durationMs: number;
  /** Set when the verifier produced no usable reward (and did not time out). */
  error: VerifierError | null;
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
  if (o.stepIndex > 0) {
    // Each step is judged by its own tests on a clean verifier folder.
    await sandbox.exec(['sh', '-c', 'rm -rf /tests /logs/verifier'], { signal: o.signal });
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
    error: null,
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
        outcome.error = new VerifierError(`${where}: ${script} wrote no reward (write 1 or 0 to /logs/verifier/reward.txt; exit code ${result.exitCode} does not count)`);
      }
    } else {
      outcome.parsed = rewardFromPytest(await readFile(stdoutFile, 'utf8'));
      if (!outcome.parsed && !result.timedOut) {
        outcome.error = new VerifierError(`${where}: run-tests.sh printed no pytest summary (run pytest so its summary line is printed)`);
      }
    }
  } catch (err) {
    if (!(err instanceof VerifierError)) throw err;
    outcome.error = err;
  }
  return finish(outcome, started);
}

function finish(outcome: VerifyOutcome, started: number): VerifyOutcome {
  outcome.durationMs = Math.round(performance.now() - started);
  return outcome;
}
