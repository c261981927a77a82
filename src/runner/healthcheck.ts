/**
 * A task's healthcheck as a one-shot gate before the agent (Harbor's `healthcheck`, Docker's HEALTHCHECK semantics):
 * run the command until it exits 0; during the start period failures do not count and checks come every start
 * interval; after it, `retries` consecutive failures fail the gate. Every attempt's output is kept in the log.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { HealthcheckError } from '../common/errors.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { Healthcheck } from '../tasks/task.js';

export async function passHealthcheck(sandbox: Sandbox, hc: Healthcheck, o: { signal: AbortSignal; logFile: string; what: string; sleep?: (ms: number) => Promise<void> }): Promise<number> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  await mkdir(path.dirname(o.logFile), { recursive: true });
  const started = performance.now();
  let failures = 0;
  for (let attempt = 1; ; attempt++) {
    o.signal.throwIfAborted();
    const r = await sandbox.exec(hc.command, { timeoutMs: hc.timeoutSec * 1000, signal: o.signal });
    const inStart = (performance.now() - started) / 1000 < hc.startPeriodSec;
    await appendFile(o.logFile, `# ${o.what} attempt ${attempt}: ${r.timedOut ? `timed out after ${hc.timeoutSec} s` : `exit ${r.exitCode}`}${inStart ? ' (start period)' : ''}\n${r.stdout}${r.stderr}`);
    if (r.exitCode === 0 && !r.timedOut) return attempt;
    if (!inStart && ++failures >= hc.retries) {
      throw new HealthcheckError(`${o.what}: \`${hc.command}\` failed ${failures} time(s) in a row after ${attempt} attempt(s); the environment never became ready (output: ${path.basename(o.logFile)})`);
    }
    await sleep((inStart ? hc.startIntervalSec : hc.intervalSec) * 1000);
  }
}
