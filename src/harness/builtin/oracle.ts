/** `oracle`: runs the task's reference solution. A task that the oracle cannot pass is broken. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HbenchError } from '../../common/errors.js';
import type { Harness, HarnessDescriptor, HarnessStepContext, HarnessStepOutcome } from '../harness.js';

export class OracleHarness implements Harness {
  constructor(readonly descriptor: HarnessDescriptor) {}

  async runStep(ctx: HarnessStepContext): Promise<HarnessStepOutcome> {
    const solution = ctx.step.solution;
    if (!solution) {
      const where = ctx.task.multiStep ? `steps/${ctx.step.name}/solution/solve.sh` : 'a reference solution';
      throw new HbenchError('TASK_INVALID', `${ctx.task.configFile}: the oracle needs ${where}, which the task does not have`);
    }
    const commands: string[] = [];
    if (solution.kind === 'script') {
      if (solution.scriptOnly) await ctx.sandbox.writeFiles('/solution', [{ path: solution.script, content: await readFile(path.join(solution.dir, solution.script)), mode: 0o755 }]);
      else await ctx.sandbox.uploadDir(solution.dir, '/solution');
      commands.push(`bash /solution/${solution.script}`);
    } else {
      commands.push(...solution.commands);
    }
    for (const command of commands) {
      const startedAt = new Date().toISOString();
      const result = await ctx.sandbox.exec(command, { env: solution.env, signal: ctx.signal });
      ctx.log(`$ ${command}\n${result.stdout}${result.stderr}`);
      ctx.recorder.record({
        startedAt,
        durationMs: result.durationMs,
        action: { tool: 'solution', command },
        exitCode: result.exitCode,
        observation: result.stdout + result.stderr,
        bytesCut: result.stdoutBytesCut + result.stderrBytesCut,
        ok: result.exitCode === 0,
        okRule: 'exit code 0',
      });
      if (result.timedOut || result.aborted) break;
    }
    return { stopReason: 'finished' };
  }
}
