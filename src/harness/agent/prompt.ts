/** The prompt layer: system prompt, the step's instruction message, and the optional environment bootstrap. */
import type { Sandbox } from '../../sandbox/sandbox.js';
import type { AgentDefinition } from './config.js';
import { truncateHeadTail } from './output.js';

export function renderSystemPrompt(def: AgentDefinition, workdir: string): string {
  return def.prompt.system.replace(/\{\{\s*workdir\s*\}\}/g, workdir);
}

/** The first user message of a step. Multi-step tasks say which step this is and that earlier work is in place. */
export function instructionMessage(instruction: string, stepIndex: number, stepCount: number, stepName: string): string {
  if (stepCount <= 1) return instruction.trim();
  return `This is step ${stepIndex + 1} of ${stepCount} (${stepName}) of a multi-step task. The work of the previous steps is already in the container.\n\n${instruction.trim()}`;
}

export const BOOTSTRAP_HEADER = '[harness] Environment snapshot, collected before your first turn:';

export function bootstrapCommand(workdir: string): string {
  const q = `'${workdir.replace(/'/g, `'\\''`)}'`;
  return [
    'echo "## pwd"; pwd',
    `echo "## ls -la ${workdir.replace(/"/g, '')}"; ls -la ${q} 2>&1 | head -n 40`,
    'echo "## tools"; for t in python3 gcc make git node; do if command -v "$t" >/dev/null 2>&1; then echo "$t: $(command -v "$t")"; else echo "$t: not installed"; fi; done',
    'echo "## os"; if [ -r /etc/os-release ]; then . /etc/os-release; echo "${PRETTY_NAME:-unknown}"; else uname -sr; fi',
  ].join('\n');
}

export interface Bootstrap {
  command: string;
  message: string;
  exitCode: number | null;
  bytesCut: number;
  durationMs: number;
}

export async function runBootstrap(def: AgentDefinition, sandbox: Sandbox, signal: AbortSignal): Promise<Bootstrap> {
  const command = bootstrapCommand(sandbox.workdir);
  const r = await sandbox.exec(command, { timeoutMs: 15_000, signal, maxBufferBytes: def.tools.outputLimit });
  const cut = truncateHeadTail(r.stdout + r.stderr, def.tools.outputLimit);
  return {
    command,
    message: `${BOOTSTRAP_HEADER}\n${cut.text.trimEnd()}`,
    exitCode: r.exitCode,
    bytesCut: cut.bytesCut + r.stdoutBytesCut + r.stderrBytesCut,
    durationMs: r.durationMs,
  };
}
