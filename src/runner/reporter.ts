/**
 * The reporter contract, owned by the runner that calls it (implementations live in report/). Reporters observe a
 * run through optional hooks. The multiplexer calls each one and turns a reporter's exception
 * into a warning, so one broken reporter never stops a run or loses a result.
 */
import { errorMessage } from '../common/errors.js';
import type { ModelRecord } from '../records/model.js';
import type { TrialResult } from '../records/trial-result.js';
import type { RunSummary } from '../scoring/summary.js';

export interface RunInfo {
  runId: string;
  outDir: string;
  /** Trials this invocation will run. */
  planned: number;
  /** Trials already finished by an earlier invocation (resume). */
  alreadyDone: number;
  harnesses: string[];
  tasks: number;
  trials: number;
  model: ModelRecord | null;
}

export interface Reporter {
  readonly name: string;
  onBegin?(info: RunInfo): void;
  onTrialBegin?(key: string): void;
  onTrialEnd?(result: TrialResult): void;
  onInterrupt?(): void;
  /** `all` holds every trial of the run, earlier invocations included. */
  onEnd?(summary: RunSummary, all: TrialResult[], interrupted: boolean): void | Promise<void>;
}

export class ReporterMux implements Reporter {
  readonly name = 'mux';
  constructor(
    private readonly reporters: Reporter[],
    private readonly warn: (message: string) => void = (m) => process.stderr.write(`${m}\n`),
  ) {}

  private call(hook: string, fn: (r: Reporter) => unknown): Promise<void> {
    const pending: Promise<unknown>[] = [];
    for (const r of this.reporters) {
      try {
        const out = fn(r);
        if (out instanceof Promise) pending.push(out.catch((e) => this.warn(`reporter ${r.name} failed in ${hook}: ${errorMessage(e)}`)));
      } catch (e) {
        this.warn(`reporter ${r.name} failed in ${hook}: ${errorMessage(e)}`);
      }
    }
    return Promise.all(pending).then(() => undefined);
  }

  onBegin(info: RunInfo): void {
    void this.call('onBegin', (r) => r.onBegin?.(info));
  }
  onTrialBegin(key: string): void {
    void this.call('onTrialBegin', (r) => r.onTrialBegin?.(key));
  }
  onTrialEnd(result: TrialResult): void {
    void this.call('onTrialEnd', (r) => r.onTrialEnd?.(result));
  }
  onInterrupt(): void {
    void this.call('onInterrupt', (r) => r.onInterrupt?.());
  }
  onEnd(summary: RunSummary, all: TrialResult[], interrupted: boolean): Promise<void> {
    return this.call('onEnd', (r) => r.onEnd?.(summary, all, interrupted));
  }
}
