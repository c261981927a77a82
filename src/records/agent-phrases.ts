/**
 * The phrases the built-in agent uses for its control messages, shared with the simulated model so it can react to
 * them (as a real model reacts to the words). Kept in one place so the two cannot drift apart.
 */
export const AGENT_PHRASES = {
  checklist: 'PRE-COMPLETION CHECKLIST',
  verificationFailed: 'VERIFICATION FAILED',
  confirm: 'CONFIRM COMPLETION',
  loopDetected: 'LOOP DETECTED',
  summary: 'SUMMARY OF EARLIER WORK',
  malformed: 'MALFORMED TOOL CALL',
  noToolCall: 'NO TOOL CALL',
} as const;

/** How shell observations show the exit code when the harness shows it. */
export const EXIT_CODE_LINE = /^\[exit code (-?\d+|killed)\]/m;

export function formatExitCode(code: number | null): string {
  return `[exit code ${code ?? 'killed'}]`;
}
