/** Harbor task.toml tables beyond the basics: healthchecks and artifacts, validated and resolved. */
import { z } from 'zod';
import type { ArtifactSpec, Healthcheck } from './task.js';

const seconds = z.number().positive();

export const HealthcheckToml = z.looseObject({
  command: z.string().min(1, 'expected the command that checks readiness'),
  interval_sec: seconds.optional(),
  timeout_sec: seconds.optional(),
  start_period_sec: z.number().min(0).optional(),
  start_interval_sec: seconds.optional(),
  retries: z.number().int().min(1).optional(),
});

export const ArtifactToml = z.union([
  z.string().startsWith('/', 'expected an absolute path in the container'),
  z.looseObject({ source: z.string().startsWith('/', 'expected an absolute path in the container'), destination: z.string().min(1).optional(), exclude: z.array(z.string()).optional() }),
]);

/** Defaults follow Docker's HEALTHCHECK where it has one, with shorter intervals for a gate that waits on a trial. */
export function healthcheck(h: z.infer<typeof HealthcheckToml> | undefined): Healthcheck | null {
  if (!h) return null;
  return { command: h.command, intervalSec: h.interval_sec ?? 5, timeoutSec: h.timeout_sec ?? 30, startPeriodSec: h.start_period_sec ?? 0, startIntervalSec: h.start_interval_sec ?? 1, retries: h.retries ?? 3 };
}

export function artifacts(list: Array<z.infer<typeof ArtifactToml>> | undefined): ArtifactSpec[] {
  return (list ?? []).map((a) => {
    const spec = typeof a === 'string' ? { source: a } : a;
    const destination = (typeof a === 'string' ? undefined : a.destination) ?? spec.source.replace(/^\/+/, '').replace(/\/+$/, '');
    return { source: spec.source, destination: destination.replace(/^\/+/, ''), exclude: (typeof a === 'string' ? undefined : a.exclude) ?? [] };
  });
}
