/** A model call made through the gateway, as an action of the trial's trajectory. */
import type { NewActionRecord } from '../harness/trajectory.js';
import type { GatewayCall } from '../models/gateway.js';
import { retriedEvent } from '../records/action-record.js';

export function gatewayAction(c: GatewayCall): NewActionRecord {
  return {
    startedAt: c.startedAt,
    durationMs: c.durationMs,
    modelReply: c.response?.text ?? null,
    action: { tool: 'model_call', args: { api: c.api, stream: c.stream, toolCalls: c.response?.toolCalls.map((t) => ({ name: t.name, arguments: t.arguments ?? t.rawArguments })) ?? [] } },
    exitCode: null,
    observation: c.error,
    tokens: c.response?.usage ?? { input: 0, output: 0, cached: 0 },
    costUsd: c.response?.costUsd ?? 0,
    events: [...(c.outcome === 'budget' ? ['budget_exhausted'] : []), ...(c.response?.retries ? [retriedEvent(c.response.retries)] : [])],
    ok: c.status === 200,
    okRule: 'model call answered (HTTP 200)',
  };
}
