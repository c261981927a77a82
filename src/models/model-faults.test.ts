/**
 * Every fault a long run meets from a model API, against the official SDK clients through the project's providers,
 * both wire formats, streaming and not: retried within the bound (attempts counted from the server's request log),
 * answered once the fault clears, and a one-line ModelUnreachableError when it does not.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { anthropicMessage, errorBody, FakeModelServer, openaiCompletion } from '../test-support/fake-model-server.js';
import { callPaths, FAULT_CASES as FAULTS } from '../test-support/model-fault-table.js';
import { AnthropicProvider } from './anthropic-provider.js';
import { ModelApiError, ModelUnreachableError } from './errors.js';
import { OpenAIProvider } from './openai-provider.js';
import { DEFAULT_PRICES } from './pricing.js';
import type { ChatRequest, ModelParams } from './provider.js';
import { patienceFromEnv, resolveModel } from './resolve.js';

const params: ModelParams = { temperature: 0, maxTokens: 256, seed: null, reasoningEffort: null };
const request: ChatRequest = { messages: [{ role: 'user', content: 'say done' }], tools: [] };
/** One attempt's limit in these tests: a `hang` costs this much per attempt. */
const TIMEOUT_MS = 300;

let server: FakeModelServer;
const sleeps: number[] = [];
const retry = { maxAttempts: 3, sleep: async (ms: number) => void sleeps.push(ms), random: () => 0.5, baseDelayMs: 100 };
beforeEach(async () => {
  server = await new FakeModelServer().start();
  sleeps.length = 0;
});
afterEach(() => server.close());

const openai = () => new OpenAIProvider({ model: 'gpt-4.1-mini', apiKey: 'sk-test', apiKeyEnv: 'OPENAI_API_KEY', baseUrl: `${server.url}/v1`, params, prices: DEFAULT_PRICES, retry, timeoutMs: TIMEOUT_MS });
const anthropic = () => new AnthropicProvider({ model: 'claude-sonnet-4-6', apiKey: 'sk-ant-test', apiKeyEnv: 'ANTHROPIC_API_KEY', baseUrl: server.url, params, prices: DEFAULT_PRICES, retry, timeoutMs: TIMEOUT_MS });

const openaiDone = openaiCompletion({ content: 'done' }, undefined, 'stop');
const anthropicDone = anthropicMessage([{ type: 'text', text: 'done' }], undefined, 'end_turn');
const PATHS = callPaths(() => server, retry, TIMEOUT_MS);

describe.each(PATHS)('$name', (path) => {
  it.each(FAULTS)('$kind: retried, then answered once it clears', async (fault) => {
    server.reply(fault.make(path), fault.make(path), path.answer);
    const r = await path.call();
    expect(r).toMatchObject({ text: 'done', retries: 2 });
    expect(server.requests).toHaveLength(3);
    expect(server.requests.map((q) => q.failed ?? 'answered')).toEqual([...Array(2).fill(fault.make(path).fault ?? 'answered'), 'answered']);
    expect(sleeps).toHaveLength(2);
    if (fault.sleep) expect(sleeps[0]).toBe(fault.sleep);
  });

  it.each(FAULTS)('$kind: a fault that does not clear fails with one line after the bound', async (fault) => {
    server.reply(fault.make(path), fault.make(path), fault.make(path), path.answer);
    const err = await path.call().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelUnreachableError);
    expect(err).toMatchObject({ code: 'MODEL_API' });
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(fault.says);
    expect(message).toMatch(/gave up after 3 attempts: the model API is unreachable or overloaded/);
    // Exactly the bound: the fourth (healthy) answer was never asked for.
    expect(server.requests).toHaveLength(3);
  });
});

describe('outages', () => {
  it.each(['reset', 'refuse', 'hang', { status: 503 }] as const)('an outage (%o) fails every attempt; healed, the next call is answered', async (kind) => {
    await server.outage(kind);
    const err = await openai().chat(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelUnreachableError);
    // Refused connections never reach the server: nothing to count there.
    expect(server.requests).toHaveLength(kind === 'refuse' ? 0 : 3);
    await server.heal();
    server.reply({ body: openaiDone });
    expect(await openai().chat(request)).toMatchObject({ text: 'done', retries: 0 });
  });

  it('a call stopped while the model keeps failing is unreachable; one stopped while merely slow is not', async () => {
    await server.outage('reset');
    const patient = new OpenAIProvider({ model: 'm', apiKey: 'k', apiKeyEnv: 'OPENAI_API_KEY', baseUrl: `${server.url}/v1`, params, prices: DEFAULT_PRICES, retry: { maxAttempts: 50, baseDelayMs: 20, random: () => 0.5 } });
    const failing = await patient.chat({ ...request, signal: AbortSignal.timeout(400) }).catch((e: unknown) => e);
    expect(failing).toBeInstanceOf(ModelUnreachableError);
    expect((failing as Error).message).toMatch(/connection error: .*the call was stopped after \d+ failed attempts: the model API was failing/);
    await server.heal();
    server.reply({ delayMs: 5000, body: openaiDone });
    const slow = await patient.chat({ ...request, signal: AbortSignal.timeout(200) }).catch((e: unknown) => e);
    expect(slow).toBeInstanceOf(Error);
    expect(slow).not.toBeInstanceOf(ModelApiError);
  });

  it('a refusal (401) is not an outage: one attempt, a plain ModelApiError', async () => {
    server.reply({ status: 401, body: errorBody('/v1/messages', 401, 'invalid x-api-key') });
    const err = await anthropic().chat(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelApiError);
    expect(err).not.toBeInstanceOf(ModelUnreachableError);
    expect(server.requests).toHaveLength(1);
  });

  it('an HTTP 200 without what the API promises is retried as a malformed answer', async () => {
    server.reply({ body: {} }, { body: { id: 'x' } }, { body: openaiDone });
    expect(await openai().chat(request)).toMatchObject({ text: 'done', retries: 2 });
    server.reply({ body: { type: 'message' } }, { body: anthropicDone });
    expect(await anthropic().chat(request)).toMatchObject({ text: 'done', retries: 1 });
  });
});

describe('patience from the environment', () => {
  it('sets the per-attempt timeout, attempts and backoff, recorded in the provider settings; a bad value names the variable', async () => {
    const env = { OPENAI_API_KEY: 'k', HBENCH_MODEL_TIMEOUT_SEC: '2.5', HBENCH_MODEL_MAX_ATTEMPTS: '2', HBENCH_MODEL_RETRY_BASE_MS: '10', HBENCH_MODEL_RETRY_MAX_MS: '50' };
    const m = await resolveModel('openai:gpt-4.1-mini', { baseUrl: `${server.url}/v1`, env });
    expect(m.record.provider).toMatchObject({ timeoutMs: 2500, retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50 } });
    // The defaults, recorded too.
    expect((await resolveModel('anthropic:claude-sonnet-4-6', { env: { ANTHROPIC_API_KEY: 'k' } })).record.provider).toMatchObject({ timeoutMs: 600_000, retry: { maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 60_000 } });
    // The bound is the one set: two attempts, retry-after capped at 50 ms.
    server.reply({ status: 429, headers: { 'retry-after': '30' }, body: errorBody('/v1/chat/completions', 429, 'slow down') }, { status: 503, body: errorBody('/v1/chat/completions', 503, 'down') });
    const started = Date.now();
    await expect(m.provider.chat(request)).rejects.toThrow(/503: .*gave up after 2 attempts/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(() => patienceFromEnv({ HBENCH_MODEL_MAX_ATTEMPTS: '0' })).toThrow(/HBENCH_MODEL_MAX_ATTEMPTS=0: give a number ≥ 1/);
    expect(() => patienceFromEnv({ HBENCH_MODEL_TIMEOUT_SEC: 'soon' })).toThrow(/HBENCH_MODEL_TIMEOUT_SEC=soon/);
  });
});
