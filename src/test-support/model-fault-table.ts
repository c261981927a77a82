/**
 * The faults a model API throws at a long run, and every way the project calls a model, as one table: the fault tests
 * (src/models/model-faults.test.ts) and the chaos figures (src/bench/chaos/model-faults.ts) both play it.
 */
import { AnthropicProvider } from '../models/anthropic-provider.js';
import { OpenAIProvider } from '../models/openai-provider.js';
import { DEFAULT_PRICES } from '../models/pricing.js';
import type { ChatResponse, ModelParams } from '../models/provider.js';
import type { RetryPolicy } from '../models/retry.js';
import { anthropicMessage, anthropicStream, errorBody, openaiCompletion, openaiStream, type FakeModelServer, type ScriptedResponse } from './fake-model-server.js';

const params: ModelParams = { temperature: 0, maxTokens: 256, seed: null, reasoningEffort: null };
const openaiDone = openaiCompletion({ content: 'done' }, undefined, 'stop');
const anthropicDone = anthropicMessage([{ type: 'text', text: 'done' }], undefined, 'end_turn');

/** One way the project calls a model: the answer a healthy server gives, and the call (its text is `done`). */
export interface CallPath {
  name: string;
  /** The path the SDK posts to (for error bodies in the right wire format). */
  url: string;
  answer: ScriptedResponse;
  call(): Promise<ChatResponse>;
}

/**
 * The providers' chat (non-streaming) and forward (the gateway's: streaming and not), both wire formats. `server` is
 * asked for at call time (a test starts a new server for each case).
 */
export function callPaths(server: () => FakeModelServer, retry: Partial<RetryPolicy>, timeoutMs: number): CallPath[] {
  const openai = () => new OpenAIProvider({ model: 'gpt-4.1-mini', apiKey: 'sk-test', apiKeyEnv: 'OPENAI_API_KEY', baseUrl: `${server().url}/v1`, params, prices: DEFAULT_PRICES, retry, timeoutMs });
  const anthropic = () => new AnthropicProvider({ model: 'claude-sonnet-4-6', apiKey: 'sk-ant-test', apiKeyEnv: 'ANTHROPIC_API_KEY', baseUrl: server().url, params, prices: DEFAULT_PRICES, retry, timeoutMs });
  const user = [{ role: 'user', content: 'go' }];
  return [
    { name: 'openai chat (non-streaming)', url: '/v1/chat/completions', answer: { body: openaiDone }, call: () => openai().chat({ messages: [{ role: 'user', content: 'go' }], tools: [] }) },
    { name: 'openai forward (non-streaming)', url: '/v1/chat/completions', answer: { body: openaiDone }, call: async () => (await openai().forward({ body: { model: 'x', messages: user }, headers: {} })).response },
    { name: 'openai forward (streaming)', url: '/v1/chat/completions', answer: { body: null, sse: openaiStream(openaiDone) }, call: async () => (await openai().forward({ body: { model: 'x', stream: true, messages: user }, headers: {} })).response },
    { name: 'anthropic chat (non-streaming)', url: '/v1/messages', answer: { body: anthropicDone }, call: () => anthropic().chat({ messages: [{ role: 'user', content: 'go' }], tools: [] }) },
    { name: 'anthropic forward (streamed upstream)', url: '/v1/messages', answer: { body: null, sse: anthropicStream(anthropicDone) }, call: async () => (await anthropic().forward({ body: { model: 'x', max_tokens: 64, stream: true, messages: user }, headers: {} })).response },
  ];
}

export interface FaultCase {
  kind: string;
  make(p: CallPath): ScriptedResponse;
  /** What the final error says in place of a status (the status itself, `timeout`, `connection error`, …). */
  says: RegExp;
  /** The wait before the second attempt with the tests' policy (base 100 ms, random 0.5), when it is the server's. */
  sleep?: number;
}

export const FAULT_CASES: FaultCase[] = [
  { kind: '429 with retry-after', make: (p) => ({ status: 429, headers: { 'retry-after': '1' }, body: errorBody(p.url, 429, 'rate limited') }), says: /: 429: .*rate limited/, sleep: 1000 },
  { kind: '429 without retry-after', make: (p) => ({ status: 429, body: errorBody(p.url, 429, 'rate limited') }), says: /: 429: /, sleep: 75 },
  { kind: '500', make: (p) => ({ status: 500, body: errorBody(p.url, 500, 'internal') }), says: /: 500: / },
  { kind: '502', make: (p) => ({ status: 502, body: errorBody(p.url, 502, 'bad gateway') }), says: /: 502: / },
  { kind: '503', make: (p) => ({ status: 503, body: errorBody(p.url, 503, 'unavailable') }), says: /: 503: / },
  { kind: 'timeout (no answer ever)', make: () => ({ fault: 'hang', body: null }), says: /: timeout: / },
  { kind: 'connection reset', make: () => ({ fault: 'reset', body: null }), says: /: connection error: / },
  { kind: 'reset mid-answer', make: (p) => ({ fault: 'cut', cutAfter: 2, body: p.answer.body, sse: p.answer.sse }), says: /: malformed answer: / },
  { kind: 'malformed JSON', make: (p) => ({ fault: 'malformed', body: null, sse: p.answer.sse }), says: /: malformed answer: / },
];
