/**
 * Set-up and teardown as an ordered list of steps (Playwright's task runner is the model): each step that set
 * something up registers how to undo it, and close() undoes them in reverse order on every path — success, failure or
 * interrupt — collecting teardown errors instead of stopping at the first.
 */
export class Lifecycle {
  private readonly teardowns: Array<{ title: string; run: () => unknown }> = [];
  private closing: Promise<Error[]> | null = null;

  /** Runs `setup`; when it succeeds, `teardown` (if any) is registered to run at close. */
  async step<T>(title: string, setup: () => Promise<T> | T, teardown?: (value: T) => unknown): Promise<T> {
    const value = await setup();
    if (teardown) this.teardowns.push({ title, run: () => teardown(value) });
    return value;
  }

  /** Registers a teardown for something set up outside `step`. */
  defer(title: string, teardown: () => unknown): void {
    this.teardowns.push({ title, run: teardown });
  }

  /** Tears down in reverse order; memoised, so a second call waits for the first. Resolves to the errors met. */
  close(): Promise<Error[]> {
    this.closing ??= (async () => {
      const errors: Error[] = [];
      for (const t of this.teardowns.reverse()) {
        try {
          await t.run();
        } catch (err) {
          errors.push(new Error(`teardown "${t.title}": ${(err as Error).message ?? String(err)}`));
        }
      }
      return errors;
    })();
    return this.closing;
  }
}
