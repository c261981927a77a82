/**
 * Loop detection: the same command (or the same file write/edit) `repeats` times in a row earns a nudge appended to
 * the observation, and the count starts again. Any other action breaks the run.
 */
export function loopNudge(repeats: number): string {
  return `[harness] You have run the same command ${repeats} times in a row. Repeating it will not change the result: try something different, or move on to the next part of the task.`;
}

export class LoopDetector {
  private last: string | null = null;
  private count = 0;

  constructor(private readonly repeats: number | null) {}

  /** Records an action; returns the nudge when it completes a run of `repeats` identical actions. */
  observe(key: string | null): string | null {
    if (this.repeats === null) return null;
    if (key === null || key !== this.last) {
      this.last = key;
      this.count = key === null ? 0 : 1;
      return null;
    }
    this.count++;
    if (this.count < this.repeats) return null;
    this.last = null;
    this.count = 0;
    return loopNudge(this.repeats);
  }
}
