/**
 * `kind: command`: a third-party CLI agent. `install` runs once per trial in the task container (as root, before the
 * first step, within `installTimeoutSec`); `run` runs once per step with the instruction in $HBENCH_INSTRUCTION and in
 * /logs/agent/instruction.md. With `model:`, the agent reaches the run's pinned model through the gateway:
 * OPENAI_BASE_URL / ANTHROPIC_BASE_URL and a per-trial key in OPENAI_API_KEY / ANTHROPIC_API_KEY (never the real key),
 * and HBENCH_MODEL.
 *
 * The agent is brought in from the host, never downloaded in the container (which has no network): `mounts` bind host
 * folders read-only (or upload a copy), and `package` installs an npm package once on the host into a cache folder
 * and binds it at `package.mount` (also in $HBENCH_AGENT_DIR).
 */
import { readFile, stat } from 'node:fs/promises';
import type { FileCap } from '../../common/capped-file.js';
import type { Budget } from '../../records/budget.js';
import type { Harness, HarnessDescriptor, HarnessMount, HarnessStepContext, HarnessStepOutcome } from '../harness.js';
import { installAgentPackage, type AgentPackage } from './agent-package.js';
import { parseAgentOutput, type OutputFormat } from './agent-output.js';

export interface CommandHarnessDefinition {
  install: string | null;
  /** Seconds the install script may take. */
  installTimeoutSec: number;
  run: string;
  env: Record<string, string>;
  user: string | null;
  /** Reach the run's pinned model through the gateway, within this budget per trial. */
  model: Budget | null;
  /** Host folders brought into the container (host paths absolute). */
  mounts: HarnessMount[];
  /** An npm package installed on the host and bound into the container. */
  package: AgentPackage | null;
  /** How to read what `run` prints into trajectory steps (`text`: one step per run). */
  output: OutputFormat;
}

export class CommandHarness implements Harness {
  readonly gateway?: Budget;
  private packageMount: HarnessMount | null = null;

  constructor(
    readonly descriptor: HarnessDescriptor,
    private readonly def: CommandHarnessDefinition,
  ) {
    if (def.model) this.gateway = def.model;
  }

  get mounts(): readonly HarnessMount[] {
    return this.packageMount ? [...this.def.mounts, this.packageMount] : this.def.mounts;
  }

  async prepareHost(): Promise<void> {
    const pkg = this.def.package;
    if (!pkg || this.packageMount) return;
    const hostPath = await installAgentPackage(pkg, this.descriptor.source);
    this.packageMount = { hostPath, containerPath: pkg.mount, mode: 'bind' };
  }

  private env(ctx: { modelEnv?: Record<string, string> }): Record<string, string> {
    return { ...(this.def.package ? { HBENCH_AGENT_DIR: this.def.package.mount } : {}), ...this.def.env, ...ctx.modelEnv };
  }

  async setup(ctx: Omit<HarnessStepContext, 'step' | 'stepIndex' | 'instruction'>): Promise<void> {
    if (!this.def.install) return;
    const result = await ctx.sandbox.exec(this.def.install, {
      env: this.env(ctx),
      signal: ctx.signal,
      timeoutMs: this.def.installTimeoutSec * 1000,
      stdoutFile: `${ctx.trialDir}/agent/install.stdout.txt`,
      stderrFile: `${ctx.trialDir}/agent/install.stderr.txt`,
    });
    ctx.log(`$ install (exit ${result.exitCode ?? 'none'}, ${result.durationMs} ms; output in agent/install.*.txt)`);
    if (result.timedOut) {
      throw new Error(`${this.descriptor.source}: install: did not finish within installTimeoutSec = ${this.def.installTimeoutSec} s; raise it or make the install faster (output in agent/install.*.txt)`);
    }
    if (result.exitCode !== 0) {
      throw new Error(`${this.descriptor.source}: install: the install script exited with ${result.exitCode ?? 'no code (killed)'}; see agent/install.stderr.txt`);
    }
  }

  async runStep(ctx: HarnessStepContext): Promise<HarnessStepOutcome> {
    await ctx.sandbox.writeFiles('/logs/agent', [{ path: 'instruction.md', content: ctx.instruction }]);
    const startedAt = new Date().toISOString();
    const stdoutFile = `${ctx.trialDir}/agent/${ctx.step.name}.stdout.txt`;
    const result = await ctx.sandbox.exec(this.def.run, {
      env: { ...this.env(ctx), HBENCH_INSTRUCTION: ctx.instruction, HBENCH_STEP: ctx.step.name },
      user: this.def.user ?? undefined,
      signal: ctx.signal,
      stdoutFile,
      stderrFile: `${ctx.trialDir}/agent/${ctx.step.name}.stderr.txt`,
      // An event stream is read back into actions: keep more of it than of plain text.
      ...(this.def.output === 'text' ? {} : { fileCap: EVENT_STREAM_CAP, maxOutputBytes: EVENT_STREAM_MAX_BYTES }),
    });
    // What the agent did, as it reported it (tool calls and their results), when its output format is known.
    if (this.def.output !== 'text') {
      for (const action of parseAgentOutput(this.def.output, await fullOutput(stdoutFile, result.stdout))) ctx.recorder.record(action);
    }
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

/**
 * Agents' event streams are read back from the file (memory keeps only a small head and tail), which keeps the first
 * 32 MiB and the last 1 MiB of a longer stream; the event cut in two at the marker is skipped as a non-event line.
 */
const EVENT_STREAM_CAP: FileCap = { headBytes: 32 * 1024 * 1024, tailBytes: 1024 * 1024 };
/** An agent printing an event stream is verbose by design: it is killed only past 256 MiB (plain text: 64 MiB). */
const EVENT_STREAM_MAX_BYTES = 256 * 1024 * 1024;

async function fullOutput(file: string, fallback: string): Promise<string> {
  try {
    return (await stat(file)).size <= EVENT_STREAM_CAP.headBytes + EVENT_STREAM_CAP.tailBytes + 1024 ? await readFile(file, 'utf8') : fallback;
  } catch {
    return fallback;
  }
}
