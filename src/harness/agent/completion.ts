/**
 * What happens when the agent says it is done (the finish tool, or a reply without a tool call), in order:
 * 1. verification.checklist: the first time, the checklist is sent back instead of finishing (event `checklist`).
 * 2. loop.confirmCompletion: `single` asks "are you sure?" once; `double` asks twice (event `confirm`).
 * 3. verification.command: run in the sandbox; a non-zero exit feeds its output back and the agent goes on
 *    (event `verification_failed`), at most MAX_VERIFICATION_FAILURES times; after that the finish is accepted.
 */
import type { Sandbox } from '../../sandbox/sandbox.js';
import type { AgentDefinition } from './config.js';
import { truncateHeadTail } from './output.js';
import { exitCodeLine } from './tools.js';

export const MAX_VERIFICATION_FAILURES = 3;

export const CONFIRM_FIRST = '[harness] Are you sure the task is complete? If it is, call finish again; if not, keep working.';
export const CONFIRM_SECOND = '[harness] Please double-check before finishing: re-check your work with a command. Are you sure the task is complete? If it is, call finish again.';

export function verificationFailedMessage(exitCode: number | null, output: string): string {
  return `[harness] Verification failed: the completion check exited with ${exitCode ?? 'no exit code (killed)'}. The task is not done yet: fix the problem, then call finish again.\n${output}`;
}

export interface GateResult {
  accepted: boolean;
  /** Shown to the model when not accepted (or the verification result when accepted after a check). */
  message: string;
  events: string[];
  exitCode: number | null;
}

export class CompletionGate {
  private checklistSent = false;
  private asks = 0;
  private failures = 0;

  constructor(
    private readonly def: AgentDefinition,
    private readonly sandbox: Sandbox,
    private readonly signal: AbortSignal,
  ) {}

  async attempt(): Promise<GateResult> {
    const v = this.def.verification;
    if (v.checklist && !this.checklistSent) {
      this.checklistSent = true;
      return { accepted: false, message: `[harness] ${v.checklistText.trim()}`, events: ['checklist'], exitCode: null };
    }
    const wanted = { none: 0, single: 1, double: 2 }[this.def.loop.confirmCompletion];
    if (this.asks < wanted) {
      this.asks++;
      return { accepted: false, message: this.asks === 1 ? CONFIRM_FIRST : CONFIRM_SECOND, events: ['confirm'], exitCode: null };
    }
    if (v.command !== null && this.failures < MAX_VERIFICATION_FAILURES) {
      const r = await this.sandbox.exec(v.command, { timeoutMs: this.def.tools.commandTimeoutSec * 1000, signal: this.signal, maxBufferBytes: this.def.tools.outputLimit });
      if (r.exitCode !== 0 || r.timedOut) {
        this.failures++;
        const out = truncateHeadTail(r.stdout + r.stderr, this.def.tools.outputLimit).text;
        const shown = `${out}${out && !out.endsWith('\n') ? '\n' : ''}${r.timedOut ? `[command timed out after ${this.def.tools.commandTimeoutSec} s]` : exitCodeLine(r.exitCode ?? -1)}`;
        return { accepted: false, message: verificationFailedMessage(r.exitCode, shown), events: ['verification_failed'], exitCode: r.exitCode };
      }
      return { accepted: true, message: '[harness] Verification passed. Finished.', events: ['verification_passed'], exitCode: r.exitCode };
    }
    return { accepted: true, message: '[harness] Finished.', events: [], exitCode: null };
  }
}
