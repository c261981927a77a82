/**
 * A third-party agent calling the gateway while the pinned model's API fails: the gateway retries upstream within
 * the provider's bound, relays a clean answer once the fault clears (a broken-off upstream stream included, since it
 * is buffered before the client sees a byte), and when it gives up answers 503 and marks the call
 * `upstream-unreachable` (the runner makes that trial an error with code MODEL_API). The client's own retries are
 * answered at once: the upstream is not asked again for that trial.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { anthropicMessage, anthropicStream, FakeModelServer, openaiCompletion } from '../test-support/fake-model-server.js';
import { AnthropicProvider } from './anthropic-provider.js';
import { ModelGateway, type GatewayCall } from './gateway.js';
import { OpenAIProvider } from './openai-provider.js';
import { DEFAULT_PRICES } from './pricing.js';

const params = { temperature: null, maxTokens: 1000, seed: null, reasoningEffort: null };
const retry = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };
let upstream: FakeModelServer;
let gateway: ModelGateway;
let base: string;

async function open(provider: OpenAIProvider | AnthropicProvider) {
  gateway = new ModelGateway(provider);
  base = `http://127.0.0.1:${(await gateway.listen('127.0.0.1', 0)).port}`;
}
function session(calls: GatewayCall[]) {
  return gateway.openSession('t', { budget: { tokens: null, costUsd: null }, onCall: (c) => calls.push(c) }).token;
}

beforeEach(async () => {
  upstream = await new FakeModelServer().start();
});
afterEach(async () => {
  await gateway.close();
  await upstream.close();
});

describe('the gateway while the upstream model API fails', () => {
  it('gives up after the bound, answers 503, and does not ask the upstream again for that trial', async () => {
    await open(new OpenAIProvider({ model: 'gpt-pinned', apiKey: 'sk-real', apiKeyEnv: 'OPENAI_API_KEY', baseUrl: `${upstream.url}/v1`, params, prices: DEFAULT_PRICES, retry }));
    await upstream.outage('reset');
    const calls: GatewayCall[] = [];
    // As a third-party agent would: the SDK's own retries on.
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: session(calls), maxRetries: 1 });
    const err = await client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    // Three upstream attempts (the bound), although the client asked twice.
    expect(upstream.requests).toHaveLength(3);
    expect(calls.map((c) => [c.outcome, c.status])).toEqual([['upstream-unreachable', 503], ['upstream-unreachable', 503]]);
    expect(calls[0]!.error).toMatch(/^upstream model unreachable: openai .*connection error: .*gave up after 3 attempts/);
    expect(calls[1]!.error).toMatch(/earlier in this trial, not asked again/);

    // Another trial's session asks the upstream again: once healed, it is answered.
    await upstream.heal();
    upstream.reply({ body: openaiCompletion({ content: 'back' }, undefined, 'stop') });
    const later = new OpenAI({ baseURL: `${base}/v1`, apiKey: session([]), maxRetries: 0 });
    expect((await later.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] })).choices[0]!.message.content).toBe('back');
  });

  it('an upstream stream that breaks off is asked for again; the client gets one whole stream; the retries are on the call', async () => {
    await open(new AnthropicProvider({ model: 'claude-pinned', apiKey: 'sk-real', apiKeyEnv: 'ANTHROPIC_API_KEY', baseUrl: upstream.url, params, prices: DEFAULT_PRICES, retry }));
    const events = anthropicStream(anthropicMessage([{ type: 'text', text: 'whole answer' }], { input_tokens: 9, output_tokens: 2, cache_read_input_tokens: 0 }, 'end_turn'));
    upstream.reply({ fault: 'cut', cutAfter: 3, sse: events, body: null }, { status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } }, { sse: events, body: null });
    const calls: GatewayCall[] = [];
    const client = new Anthropic({ baseURL: base, apiKey: session(calls), maxRetries: 0 });
    const final = await client.messages.stream({ model: 'x', max_tokens: 100, messages: [{ role: 'user', content: 'go' }] }).finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'whole answer' }]);
    expect(upstream.requests.map((r) => r.failed ?? 'answered')).toEqual(['cut', 'answered', 'answered']);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ outcome: 'ok', status: 200, response: { retries: 2 } });
  });

  it('a refusal upstream (401) is an upstream error (502), not an outage', async () => {
    await open(new OpenAIProvider({ model: 'gpt-pinned', apiKey: 'sk-wrong', apiKeyEnv: 'OPENAI_API_KEY', baseUrl: `${upstream.url}/v1`, params, prices: DEFAULT_PRICES, retry }));
    upstream.reply({ status: 401, body: { error: { message: 'Incorrect API key provided' } } });
    const calls: GatewayCall[] = [];
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: session(calls), maxRetries: 0 });
    await expect(client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 502 });
    expect(calls[0]).toMatchObject({ outcome: 'upstream-error', status: 502 });
    expect(upstream.requests).toHaveLength(1);
  });
});
