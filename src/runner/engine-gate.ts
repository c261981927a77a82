/**
 * The executor's view of the sandbox engine's health. After a trial ends as an error the engine is pinged; when it
 * does not answer, the gate closes: no trial starts or is retried, the engine is polled with backoff, and the gate
 * opens again when it answers (after the backend removed what the outage left behind) — or, past `waitMs`, stays
 * shut: the engine is lost and the run stops, leaving what it did not finish to --resume.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage, oneLine } from '../common/errors.js';
import type { SandboxBackend } from '../sandbox/sandbox.js';

export interface EngineEvents {
  /** The engine stopped answering: starting and retrying trials pause. */
  onEngineDown?(e: { since: Date; waitSec: number; detail: string }): void;
  /** It answers again after `downMs`; `swept` is what the outage left (stopped containers, unused networks) and was removed. */
  onEngineBack?(e: { downMs: number; swept: { containers: number; networks: number } }): void;
  /** It did not come back within the wait: the run stops. */
  onEngineLost?(e: { since: Date; waitSec: number; reason: string }): void;
}

export interface EngineGateOptions {
  /** How long an unreachable engine is waited for. */
  waitMs: number;
  signal: AbortSignal;
  events?: EngineEvents;
  /** First poll interval (default 0.5 s); doubles up to `maxPollMs` (default 2 s). */
  pollMs?: number;
  maxPollMs?: number;
  /** A ping that takes longer than this counts as no answer. */
  pingTimeoutMs?: number;
}

export class EngineGate {
  private outage: Promise<boolean> | null = null;
  /** Why the run must stop, once the engine was lost. */
  lost: string | null = null;
  /** Outages the engine came back from. */
  recovered = 0;

  constructor(
    private readonly backend: SandboxBackend,
    private readonly o: EngineGateOptions,
  ) {}

  /** Waits while an outage lasts; false when trials must not start (the engine is lost, or the run was interrupted). */
  async ready(): Promise<boolean> {
    if (this.outage) await this.outage;
    return !this.lost && !this.o.signal.aborted;
  }

  /**
   * Pings the engine (after an error); when it does not answer, waits for it as `ready` does. Returns whether the
   * engine was down (an outage was under way or began now).
   */
  async check(): Promise<boolean> {
    if (this.lost) return true;
    if (this.outage) {
      await this.outage;
      return true;
    }
    const failure = await this.ping();
    if (failure === null) return false;
    this.outage ??= this.waitForEngine(failure).finally(() => (this.outage = null));
    await this.outage;
    return true;
  }

  /** null when the engine answered, else why not. */
  private async ping(): Promise<string | null> {
    const timeoutMs = this.o.pingTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no answer to a ping within ${timeoutMs / 1000} s`), timeoutMs)));
    try {
      return await Promise.race([this.backend.ping().then(() => null, (e: unknown) => oneLine(errorMessage(e), 200)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async waitForEngine(detail: string): Promise<boolean> {
    const since = new Date();
    const t0 = performance.now();
    const waitSec = Math.round(this.o.waitMs / 1000);
    this.o.events?.onEngineDown?.({ since, waitSec, detail });
    let poll = this.o.pollMs ?? 500;
    while (performance.now() - t0 < this.o.waitMs) {
      const left = this.o.waitMs - (performance.now() - t0);
      const aborted = await sleep(Math.min(poll, Math.max(0, left)), false, { signal: this.o.signal }).then(() => false, () => true);
      if (aborted) return false;
      poll = Math.min(poll * 2, this.o.maxPollMs ?? 2000);
      if ((await this.ping()) !== null) continue;
      // Back: what the outage killed (containers stopped by the restart) goes before anything new starts.
      const swept = (await this.backend.recover?.().catch(() => null)) ?? { containers: 0, networks: 0 };
      this.recovered++;
      this.o.events?.onEngineBack?.({ downMs: Math.round(performance.now() - t0), swept });
      return true;
    }
    this.lost = `the Docker engine was unreachable from ${clock(since)} for ${waitSec} s (--engine-wait): ${detail}`;
    this.o.events?.onEngineLost?.({ since, waitSec, reason: this.lost });
    return false;
  }
}

/** HH:MM:SS of a time, local. */
export function clock(d: Date): string {
  return d.toTimeString().slice(0, 8);
}
