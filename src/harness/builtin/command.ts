/**
 * `kind: command`: a third-party CLI agent. `install` runs once per trial in the task container (as root, before the
 * first step); `run` runs once per step with the instruction in $HBENCH_INSTRUCTION and in /logs/agent/instruction.md.
 * With `model:`, the agent reaches the run's pinned model through the gateway: OPENAI_BASE_URL / ANTHROPIC_BASE_URL
 * and a per-trial key in OPENAI_API_KEY / ANTHROPIC_API_KEY (never the real key), and HBENCH_MODEL.
 */
import type { Budget } from '../../records/budget.js';
import type { Harness, HarnessDescriptor, HarnessStepContext, HarnessStepOutcome } from '../harness.js';

export interface CommandHarnessDefinition {
  install: string | null;
  run: string;
  env: Record<string, string>;
  user: string | null;
  /** Reach the run's pinned model through the gateway, within this budget per trial. */
  model: Budget | null;
}

export class CommandHarness implements Harness {
  readonly gateway?: Budget;

  constructor(
    readonly descriptor: HarnessDescriptor,
    private readonly def: CommandHarnessDefinition,
  ) {
    if (def.model) this.gateway = def.model;
  }

  async setup(ctx: Omit<HarnessStepContext, 'step' | 'stepIndex' | 'instruction'>): Promise<void> {
    if (!this.def.install) return;
    const result = await ctx.sandbox.exec(this.def.install, { env: { ...this.def.env, ...ctx.modelEnv }, signal: ctx.signal });
    ctx.log(`$ install\n${result.stdout}${result.stderr}`);
    if (result.exitCode !== 0) {
      throw new Error(`${this.descriptor.source}: install: the install script exited with ${result.exitCode ?? 'no code (killed)'}; see harness.log`);
    }
  }

  async runStep(ctx: HarnessStepContext): Promise<HarnessStepOutcome> {
    await ctx.sandbox.writeFiles('/logs/agent', [{ path: 'instruction.md', content: ctx.instruction }]);
    const startedAt = new Date().toISOString();
    const result = await ctx.sandbox.exec(this.def.run, {
      env: { ...this.def.env, ...ctx.modelEnv, HBENCH_INSTRUCTION: ctx.instruction, HBENCH_STEP: ctx.step.name },
      user: this.def.user ?? undefined,
      signal: ctx.signal,
      stdoutFile: `${ctx.trialDir}/agent/${ctx.step.name}.stdout.txt`,
      stderrFile: `${ctx.trialDir}/agent/${ctx.step.name}.stderr.txt`,
    });
    ctx.recorder.record({
      startedAt,
      durationMs: result.durationMs,
      action: { tool: 'command', command: this.def.run },
      exitCode: result.exitCode,
      observation: result.stdout + result.stderr,
      bytesCut: result.stdoutBytesCut + result.stderrBytesCut,
      ok: result.exitCode === 0,
      okRule: 'exit code 0',
    });
    return { stopReason: 'finished' };
  }
}
