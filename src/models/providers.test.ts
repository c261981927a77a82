import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { anthropicMessage, FakeModelServer, openaiCompletion } from '../test-support/fake-model-server.js';
import { AnthropicProvider } from './anthropic-provider.js';
import { ModelApiError } from './errors.js';
import { OpenAIProvider } from './openai-provider.js';
import { DEFAULT_PRICES } from './pricing.js';
import type { ChatRequest, ModelParams } from './provider.js';
import { resolveModel } from './resolve.js';

const params: ModelParams = { temperature: 0, maxTokens: 512, seed: 7, reasoningEffort: null };
const request: ChatRequest = {
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: 'list files' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'call_0', name: 'shell', arguments: { command: 'pwd' }, rawArguments: '{"command":"pwd"}' }] },
    { role: 'tool', toolCallId: 'call_0', name: 'shell', content: '[exit code 0]\n/app' },
  ],
  tools: [{ name: 'shell', description: 'run', parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } }],
};

let server: FakeModelServer;
const sleeps: number[] = [];
const retry = { sleep: async (ms: number) => void sleeps.push(ms), random: () => 0.5, baseDelayMs: 100 };
beforeEach(async () => {
  server = await new FakeModelServer().start();
  sleeps.length = 0;
});
afterEach(() => server.close());

const openai = () => new OpenAIProvider({ model: 'gpt-4.1-mini', apiKey: 'sk-test', apiKeyEnv: 'OPENAI_API_KEY', baseUrl: `${server.url}/v1`, params, prices: DEFAULT_PRICES, retry });
const anthropic = () => new AnthropicProvider({ model: 'claude-sonnet-4-6', apiKey: 'sk-ant-test', apiKeyEnv: 'ANTHROPIC_API_KEY', baseUrl: server.url, params, prices: DEFAULT_PRICES, retry });

describe('OpenAI-compatible provider (Chat Completions wire format, official SDK)', () => {
  it('sends tools and history in the wire format and parses tool calls, usage and cost', async () => {
    server.reply({ body: openaiCompletion({ tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'shell', arguments: '{"command":"ls -la"}' } }] }) });
    const r = await openai().chat(request);
    expect(r).toMatchObject({ stopReason: 'tool_calls', retries: 0, usage: { input: 100, output: 20, cached: 40 }, toolCalls: [{ id: 'call_1', name: 'shell', arguments: { command: 'ls -la' } }] });
    // gpt-4.1-mini: 60 uncached × 0.4 + 40 cached × 0.1 + 20 out × 1.6, per million.
    expect(r.costUsd).toBeCloseTo((60 * 0.4 + 40 * 0.1 + 20 * 1.6) / 1e6, 12);
    const sent = server.requests[0]!;
    expect(sent.url).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer sk-test');
    expect(sent.body).toMatchObject({ model: 'gpt-4.1-mini', temperature: 0, seed: 7, max_completion_tokens: 512, tools: [{ type: 'function', function: { name: 'shell' } }] });
    expect(sent.body.messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(sent.body.messages[2].tool_calls[0]).toEqual({ id: 'call_0', type: 'function', function: { name: 'shell', arguments: '{"command":"pwd"}' } });
    expect(sent.body.messages[3]).toEqual({ role: 'tool', tool_call_id: 'call_0', content: '[exit code 0]\n/app' });
  });

  it('keeps malformed tool-call JSON as raw text with null arguments', async () => {
    server.reply({ body: openaiCompletion({ tool_calls: [{ id: 'c', type: 'function', function: { name: 'shell', arguments: '{"command": "ls' } }] }) });
    const r = await openai().chat(request);
    expect(r.toolCalls[0]).toEqual({ id: 'c', name: 'shell', arguments: null, rawArguments: '{"command": "ls' });
  });

  it('retries 429 honouring retry-after, and 5xx with backoff; counts retries', async () => {
    server.reply(
      { status: 429, headers: { 'retry-after': '2' }, body: { error: { message: 'rate limited', type: 'rate_limit' } } },
      { status: 503, body: { error: { message: 'overloaded' } } },
      { body: openaiCompletion({ content: 'done' }, undefined, 'stop') },
    );
    const r = await openai().chat(request);
    expect(r).toMatchObject({ text: 'done', retries: 2, stopReason: 'stop' });
    expect(sleeps[0]).toBe(2000);
    expect(sleeps[1]).toBe(150); // second attempt: 100 · 2¹ = 200 → half + random(0.5) · half
    expect(server.requests).toHaveLength(3);
  });

  it('fails at once on 401 with a message that says how to fix it', async () => {
    server.reply({ status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } } });
    const err = await openai().chat(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelApiError);
    expect((err as Error).message).toMatch(/^openai \(http:\/\/127\.0\.0\.1:\d+\/v1\): 401: .*Incorrect API key.*\(check OPENAI_API_KEY\)$/);
    expect(server.requests).toHaveLength(1);
  });

  it('gives up after the last attempt', async () => {
    server.reply(...Array.from({ length: 6 }, () => ({ status: 500, body: { error: { message: 'boom' } } })));
    await expect(openai().chat(request)).rejects.toThrow(/500: .*boom.*gave up after 6 attempts/);
  });

  it('stops when the signal aborts', async () => {
    server.reply({ delayMs: 5000, body: openaiCompletion({ content: 'late' }) });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const started = Date.now();
    await expect(openai().chat({ ...request, signal: ac.signal })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('Anthropic provider (Messages wire format, official SDK)', () => {
  it('separates the system prompt, sends tool_use / tool_result blocks, parses tool calls and usage', async () => {
    server.reply({ body: anthropicMessage([{ type: 'text', text: 'Listing.' }, { type: 'tool_use', id: 'toolu_1', name: 'shell', input: { command: 'ls' } }]) });
    const r = await anthropic().chat(request);
    expect(r).toMatchObject({ text: 'Listing.', stopReason: 'tool_calls', toolCalls: [{ id: 'toolu_1', name: 'shell', arguments: { command: 'ls' } }], usage: { input: 100, output: 15, cached: 20 } });
    const sent = server.requests[0]!;
    expect(sent.url).toBe('/v1/messages');
    expect(sent.headers['x-api-key'] ?? sent.headers.authorization).toMatch(/^(Bearer )?sk-ant-test$/);
    expect(sent.headers['anthropic-version']).toBeTruthy();
    expect(sent.body.system).toBe('be brief');
    expect(sent.body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'list files' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_0', name: 'shell', input: { command: 'pwd' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_0', content: '[exit code 0]\n/app' }] },
    ]);
    expect(sent.body.tools[0]).toMatchObject({ name: 'shell', input_schema: { type: 'object' } });
  });

  it('retries 529 overloaded and 429 with retry-after; 401 names ANTHROPIC_API_KEY', async () => {
    server.reply(
      { status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } },
      { status: 429, headers: { 'retry-after': '1' }, body: { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } } },
      { body: anthropicMessage([{ type: 'text', text: 'ok' }], undefined, 'end_turn') },
      { status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } } },
    );
    const r = await anthropic().chat(request);
    expect(r).toMatchObject({ text: 'ok', retries: 2, stopReason: 'stop' });
    expect(sleeps).toEqual([75, 1000]);
    await expect(anthropic().chat(request)).rejects.toThrow(/401: .*invalid x-api-key.*check ANTHROPIC_API_KEY/);
  });
});

describe('resolveModel', () => {
  it('pins parameters, records no secret, and needs the key from the environment', async () => {
    const m = await resolveModel('openai:gpt-4.1-mini', { params: { temperature: 0.2 }, env: { OPENAI_API_KEY: 'sk-secret-value' } });
    expect(m.record).toMatchObject({ id: 'openai:gpt-4.1-mini', simulated: false, params: { temperature: 0.2, maxTokens: 4096 } });
    expect(JSON.stringify(m.record)).not.toContain('sk-secret-value');
    await expect(resolveModel('openai:gpt-4.1-mini', { env: {} })).rejects.toThrow(/set OPENAI_API_KEY/);
    await expect(resolveModel('anthropic:claude-sonnet-4-6', { env: {}, apiKeyEnv: 'MY_KEY' })).rejects.toThrow(/set MY_KEY/);
    // A local OpenAI-compatible server (vLLM, Ollama) may need no key.
    expect((await resolveModel('openai:llama3', { baseUrl: 'http://127.0.0.1:1/v1', env: {} })).record.id).toBe('openai:llama3');
    expect((await resolveModel('sim', {})).record).toMatchObject({ id: 'sim:default', simulated: true });
  });
});
