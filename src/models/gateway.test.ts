import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BYTES, ModelGateway, type GatewayCall, type GatewayTraffic } from './gateway.js';
import type { ChatRequest, ChatResponse, ModelProvider } from './provider.js';

/** An upstream that answers from a script and remembers what it was asked. */
class ScriptedModel implements ModelProvider {
  readonly id = 'openai:pinned-model-7';
  readonly simulated = false;
  readonly params = { temperature: 0, maxTokens: 100, seed: null, reasoningEffort: null };
  readonly seen: ChatRequest[] = [];
  constructor(private readonly replies: Array<Partial<ChatResponse>>) {}
  async chat(request: ChatRequest): Promise<ChatResponse> {
    this.seen.push(request);
    const r = this.replies.shift() ?? {};
    return { text: '', toolCalls: [], stopReason: 'stop', usage: { input: 50, output: 10, cached: 5 }, costUsd: 0.001, model: 'pinned-model-7', retries: 0, ...r };
  }
}

const toolReply: Partial<ChatResponse> = {
  text: 'Running it.',
  stopReason: 'tool_calls',
  toolCalls: [{ id: 'call_9', name: 'shell', arguments: { command: 'ls' }, rawArguments: '{"command":"ls"}' }],
};

let gateway: ModelGateway;
let upstream: ScriptedModel;
let calls: GatewayCall[];
let traffic: GatewayTraffic[];
let session: ReturnType<ModelGateway['openSession']>;
let base: string;

async function setup(replies: Array<Partial<ChatResponse>>, budget = { tokens: null as number | null, costUsd: null as number | null }) {
  upstream = new ScriptedModel(replies);
  gateway = new ModelGateway(upstream);
  const { port } = await gateway.listen('127.0.0.1', 0);
  base = `http://127.0.0.1:${port}`;
  calls = [];
  traffic = [];
  session = gateway.openSession('trial-1', { budget, onCall: (c) => calls.push(c), onTraffic: (t) => traffic.push(t) });
}
afterEach(() => gateway.close());

describe('model gateway with the official SDKs as clients', () => {
  beforeEach(() => setup([toolReply, { text: 'All done.' }]));

  it('OpenAI Chat Completions: pins the model, holds the key, translates tool calls both ways', async () => {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: session.token, maxRetries: 0 });
    const first = await client.chat.completions.create({
      model: 'whatever-the-agent-asks-for',
      messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'list files' }],
      tools: [{ type: 'function', function: { name: 'shell', description: 'run', parameters: { type: 'object', properties: { command: { type: 'string' } } } } }],
    });
    expect(first.model).toBe('pinned-model-7');
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function).toEqual({ name: 'shell', arguments: '{"command":"ls"}' });
    expect(first.usage).toMatchObject({ prompt_tokens: 50, completion_tokens: 10 });
    const second = await client.chat.completions.create({
      model: 'x',
      messages: [{ role: 'user', content: 'list files' }, first.choices[0]!.message, { role: 'tool', tool_call_id: 'call_9', content: 'a b c' }],
    });
    expect(second.choices[0]!.message.content).toBe('All done.');
    expect(upstream.seen[1]!.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(upstream.seen[1]!.messages[2]).toMatchObject({ toolCallId: 'call_9', content: 'a b c' });
    expect(calls.map((c) => [c.index, c.api, c.status])).toEqual([[0, 'openai', 200], [1, 'openai', 200]]);
    expect(JSON.stringify(traffic)).not.toContain(session.token);
    expect(traffic[0]).toMatchObject({ api: 'openai', path: '/v1/chat/completions', status: 200, request: { model: 'whatever-the-agent-asks-for' } });
  });

  it('refuses a request body over its cap with 413, as the agent\'s own doing (never an excluded error), memory bounded', async () => {
    const huge = Buffer.alloc(MAX_REQUEST_BYTES + 1024 * 1024, 'a');
    const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' }, body: huge });
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/larger than the gateway's cap of 32 MiB/);
    expect(calls.map((c) => [c.status, c.outcome])).toEqual([[413, 'budget']]);
    expect(upstream.seen).toHaveLength(0);
  });

  it('OpenAI streaming', async () => {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: session.token, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    let args = '';
    let finish: string | null = null;
    let usage: unknown = null;
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        for (const t of c.delta.tool_calls ?? []) args += t.function?.arguments ?? '';
        finish = c.finish_reason ?? finish;
      }
      usage = chunk.usage ?? usage;
    }
    expect(args).toBe('{"command":"ls"}');
    expect(finish).toBe('tool_calls');
    expect(usage).toMatchObject({ prompt_tokens: 50, completion_tokens: 10 });
    expect(calls[0]).toMatchObject({ stream: true, status: 200 });
    expect(String(traffic[0]!.response)).toContain('data: [DONE]');
  });

  it('Anthropic Messages, plain and streaming', async () => {
    const client = new Anthropic({ baseURL: base, apiKey: session.token, maxRetries: 0 });
    const msg = await client.messages.create({ model: 'claude-anything', max_tokens: 100, system: 'sys', messages: [{ role: 'user', content: 'list files' }], tools: [{ name: 'shell', input_schema: { type: 'object', properties: {} } }] });
    expect(msg.model).toBe('pinned-model-7');
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content).toEqual([{ type: 'text', text: 'Running it.' }, { type: 'tool_use', id: 'call_9', name: 'shell', input: { command: 'ls' } }]);
    expect(upstream.seen[0]!.messages.map((m) => m.role)).toEqual(['system', 'user']);
    const stream = client.messages.stream({ model: 'x', max_tokens: 100, messages: [{ role: 'user', content: 'go on' }] });
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'All done.' }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(calls.map((c) => [c.api, c.stream])).toEqual([['anthropic', false], ['anthropic', true]]);
  });

  it('OpenAI Responses: function calls, outputs and instructions both ways; the model pinned; usage', async () => {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: session.token, maxRetries: 0 });
    const tools = [{ type: 'function' as const, name: 'shell', description: 'run', parameters: { type: 'object', properties: { command: { type: 'string' } } }, strict: false }];
    const first = await client.responses.create({ model: 'gpt-anything', instructions: 'sys', input: 'list files', tools });
    expect(first).toMatchObject({ object: 'response', status: 'completed', model: 'pinned-model-7', usage: { input_tokens: 50, output_tokens: 10, total_tokens: 60, input_tokens_details: { cached_tokens: 5 } } });
    expect(first.output_text).toBe('Running it.');
    const call = first.output.find((o) => o.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', call_id: 'call_9', name: 'shell', arguments: '{"command":"ls"}' });
    expect(upstream.seen[0]!.messages).toEqual([{ role: 'system', content: 'sys' }, { role: 'user', content: 'list files' }]);
    expect(upstream.seen[0]!.tools.map((t) => t.name)).toEqual(['shell']);
    // Stateless, as Codex sends it: the whole conversation, calls and outputs as items.
    const second = await client.responses.create({
      model: 'x',
      instructions: 'sys',
      store: false,
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'list files' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Running it.', annotations: [] }], id: 'msg_1', status: 'completed' },
        { type: 'function_call', call_id: 'call_9', name: 'shell', arguments: '{"command":"ls"}' },
        { type: 'function_call_output', call_id: 'call_9', output: 'a b c' },
      ],
      tools,
    });
    expect(second.output_text).toBe('All done.');
    expect(upstream.seen[1]!.messages).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'list files' },
      { role: 'assistant', content: 'Running it.', toolCalls: [{ id: 'call_9', name: 'shell', arguments: { command: 'ls' }, rawArguments: '{"command":"ls"}' }] },
      { role: 'tool', toolCallId: 'call_9', name: '', content: 'a b c' },
    ]);
    expect(calls.map((c) => [c.index, c.api, c.status, c.outcome])).toEqual([[0, 'responses', 200, 'ok'], [1, 'responses', 200, 'ok']]);
    expect(traffic[0]).toMatchObject({ api: 'responses', path: '/v1/responses', status: 200, request: { model: 'gpt-anything' } });
  });

  it('OpenAI Responses streaming: the SDK assembles the events into the final response', async () => {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: session.token, maxRetries: 0 });
    const stream = client.responses.stream({ model: 'x', input: 'hi', tools: [{ type: 'function', name: 'shell', parameters: { type: 'object' }, strict: false }] });
    const types: string[] = [];
    let args = '';
    for await (const e of stream) {
      types.push(e.type);
      if (e.type === 'response.function_call_arguments.delta') args += e.delta;
    }
    const final = await stream.finalResponse();
    expect(args).toBe('{"command":"ls"}');
    expect(final.output_text).toBe('Running it.');
    expect(final.output.map((o) => o.type)).toEqual(['message', 'function_call']);
    expect(final.usage).toMatchObject({ input_tokens: 50, output_tokens: 10 });
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(calls[0]).toMatchObject({ api: 'responses', stream: true, status: 200 });
  });

  it('OpenAI Responses: previous_response_id continues the conversation the gateway served; free-form (custom) tools', async () => {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: session.token, maxRetries: 0 });
    const first = await client.responses.create({ model: 'x', instructions: 'sys', input: 'list files', tools: [{ type: 'custom', name: 'shell', description: 'free-form' }] });
    // A custom tool's call goes back as a custom_tool_call with its raw input.
    // (This upstream answers with JSON arguments, not `{input}`: the raw arguments become the input.)
    expect(first.output.find((o) => o.type !== 'message')).toMatchObject({ type: 'custom_tool_call', call_id: 'call_9', name: 'shell', input: '{"command":"ls"}' });
    const second = await client.responses.create({ model: 'x', previous_response_id: first.id, input: [{ type: 'custom_tool_call_output', call_id: 'call_9', output: 'a b c' }] });
    expect(second.output_text).toBe('All done.');
    expect(upstream.seen[1]!.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(upstream.seen[0]!.tools[0]).toMatchObject({ name: 'shell', parameters: { required: ['input'] } });
    await expect(client.responses.create({ model: 'x', previous_response_id: 'resp_unknown', input: 'hi' })).rejects.toMatchObject({ status: 400 });
    expect(calls.at(-1)).toMatchObject({ status: 400, outcome: 'bad-request' });
  });

  it('an endpoint it does not serve is answered 404 and recorded in the trial\'s traffic as unsupported', async () => {
    const res = await fetch(`${base}/v1/embeddings`, { method: 'POST', headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' }, body: '{"input":"x"}' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/no route POST \/v1\/embeddings: the gateway serves POST \/v1\/chat\/completions, POST \/v1\/responses/);
    expect(calls).toMatchObject([{ api: 'unsupported', status: 404, outcome: 'unsupported' }]);
    expect(traffic).toMatchObject([{ api: 'unsupported', path: '/v1/embeddings', status: 404 }]);
    const models = await new OpenAI({ baseURL: `${base}/v1`, apiKey: session.token, maxRetries: 0 }).models.list();
    expect(models.data.map((m) => m.id)).toEqual(['pinned-model-7']);
  });

  it('Anthropic count_tokens is answered with an estimate, recorded in the traffic but not a model call', async () => {
    const client = new Anthropic({ baseURL: base, apiKey: session.token, maxRetries: 0 });
    const counted = await client.messages.countTokens({ model: 'x', messages: [{ role: 'user', content: 'hello there, how many tokens is this?' }] });
    expect(counted.input_tokens).toBeGreaterThan(0);
    expect(calls).toEqual([]);
    expect(traffic).toMatchObject([{ api: 'anthropic', path: '/v1/messages/count_tokens', status: 200 }]);
    expect(upstream.seen).toHaveLength(0);
  });

  it('refuses unknown keys and says which to use', async () => {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk-real-key-would-go-upstream', maxRetries: 0 });
    await expect(client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 401 });
    expect(upstream.seen).toHaveLength(0);
    const health = await fetch(`${base}/health`).then((r) => r.json());
    expect(health).toEqual({ status: 'ok', model: 'openai:pinned-model-7' });
  });
});

describe('budgets', () => {
  it('stops a trial that used up its tokens with a non-retryable error, and records it', async () => {
    await setup([{ text: 'one' }, { text: 'two' }], { tokens: 60, costUsd: null });
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: session.token, maxRetries: 3 });
    await client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'a' }] });
    const err = await client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'b' }] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400 });
    expect(String((err as Error).message)).toMatch(/budget exceeded: 60 tokens used of 60/);
    expect(upstream.seen).toHaveLength(1);
    expect(calls.map((c) => c.status)).toEqual([200, 400]);
  });
});
