/**
 * Load on the model gateway as a run's agents put it there: many trials' sessions open at once, each agent streaming
 * through the official SDK it would use in its container (half the OpenAI SDK, forwarded as sent to the pinned
 * OpenAI-compatible upstream; half the Anthropic SDK, translated), against a real upstream server that streams. Used
 * by the gateway's load test and by `npm run chaos` (load); it lives here because only models/ may import the SDKs.
 *
 * Round 1: every session streams one call at once (the figures). Round 2: every session calls again at once; even
 * sessions' budgets allow one call, odd sessions' two, so a budget counted across sessions instead of per session
 * shows up as wrong refusals.
 */
import { randomBytes } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { errorMessage } from '../common/errors.js';
import { ModelGateway, type GatewayTraffic } from './gateway.js';
import { OpenAIProvider } from './openai-provider.js';
import { DEFAULT_PRICES } from './pricing.js';

export interface GatewayLoadOptions {
  /** An OpenAI-compatible server that answers `echo: <last user message>` (streamed when asked). */
  upstreamUrl: string;
  /** Tokens the upstream reports per call (input + output): each session's budget is counted in them. */
  tokensPerCall: number;
  sessions: number;
}

export interface SessionOutcome {
  index: number;
  sdk: 'openai' | 'anthropic';
  /** The words this session's agent said (only it may get them back). */
  nonce: string;
  /** What each call's stream assembled to, or the error it ended with. */
  replies: Array<{ text: string } | { error: string; status: number | null }>;
  durationsMs: number[];
  traffic: GatewayTraffic[];
}

export interface GatewayLoadResult {
  sessions: SessionOutcome[];
  /** Wall time of round 1 (every session streaming once, all at once). */
  round1Ms: number;
  /** The same streams straight to the upstream, at once, with the OpenAI SDK: what the gateway adds to. */
  directMs: number[];
}

export async function driveGatewayLoad(o: GatewayLoadOptions): Promise<GatewayLoadResult> {
  const provider = new OpenAIProvider({ model: 'echo-pinned', apiKey: 'sk-upstream-key', apiKeyEnv: 'OPENAI_API_KEY', baseUrl: `${o.upstreamUrl}/v1`, params: { temperature: null, maxTokens: 100, seed: null, reasoningEffort: null }, prices: DEFAULT_PRICES });
  const gateway = new ModelGateway(provider);
  try {
    const { host, port } = await gateway.listen('127.0.0.1', 0);
    const sessions = Array.from({ length: o.sessions }, (_, index) => {
      const outcome: SessionOutcome = { index, sdk: index % 2 ? 'anthropic' : 'openai', nonce: `session-${index}-${randomBytes(6).toString('hex')}`, replies: [], durationsMs: [], traffic: [] };
      const budget = { tokens: o.tokensPerCall * (index % 2 ? 2 : 1), costUsd: null };
      const session = gateway.openSession(`load-${index}`, { budget, onTraffic: (t) => outcome.traffic.push(t) });
      const env = session.env(host);
      const call = outcome.sdk === 'openai' ? openaiStream(env.OPENAI_BASE_URL!, session.token) : anthropicStream(env.ANTHROPIC_BASE_URL!, session.token);
      return { outcome, session, call };
    });
    // Warm both paths first (connections, first-call costs), so the figures compare steady states.
    const direct = openaiStream(`${o.upstreamUrl}/v1`, 'sk-upstream-key');
    const warm = gateway.openSession('warm-up', { budget: { tokens: null, costUsd: null } });
    const warmEnv = warm.env(host);
    await Promise.all([direct('warm-up'), openaiStream(warmEnv.OPENAI_BASE_URL!, warm.token)('warm-up'), anthropicStream(warmEnv.ANTHROPIC_BASE_URL!, warm.token)('warm-up')]);
    warm.close();
    const round = (n: number) =>
      Promise.all(
        sessions.map(async ({ outcome, call }) => {
          const started = performance.now();
          outcome.replies.push(await call(`${outcome.nonce} call ${n}`).then((text) => ({ text }), (err: unknown) => ({ error: errorMessage(err), status: (err as { status?: number }).status ?? null })));
          outcome.durationsMs.push(performance.now() - started);
        }),
      );
    const t0 = performance.now();
    await round(1);
    const round1Ms = performance.now() - t0;
    await round(2);
    // Odd sessions have one more call in their budget, then are refused too.
    await Promise.all(sessions.filter((s) => s.outcome.index % 2).map(async ({ outcome, call }) => {
      outcome.replies.push(await call(`${outcome.nonce} call 3`).then((text) => ({ text }), (err: unknown) => ({ error: errorMessage(err), status: (err as { status?: number }).status ?? null })));
    }));
    for (const s of sessions) s.session.close();

    const directMs = await Promise.all(sessions.map(async ({ outcome }) => {
      const started = performance.now();
      await direct(`${outcome.nonce} direct`);
      return performance.now() - started;
    }));
    return { sessions: sessions.map((s) => s.outcome), round1Ms, directMs };
  } finally {
    await gateway.close();
  }
}

/** One streamed Chat Completions call as an agent makes it; resolves to the text the stream assembled. */
function openaiStream(baseURL: string, apiKey: string): (said: string) => Promise<string> {
  const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
  return async (said) => {
    let text = '';
    const stream = await client.chat.completions.create({ model: 'whatever-the-agent-asks', messages: [{ role: 'user', content: said }], stream: true });
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    return text;
  };
}

/** One streamed Messages call as Claude Code makes it; resolves to the final message's text. */
function anthropicStream(baseURL: string, apiKey: string): (said: string) => Promise<string> {
  const client = new Anthropic({ baseURL, apiKey, maxRetries: 0 });
  return async (said) => {
    const final = await client.messages.stream({ model: 'claude-whatever', max_tokens: 100, messages: [{ role: 'user', content: said }] }).finalMessage();
    return final.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  };
}

/** The p-th percentile (0–100) of some numbers, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
