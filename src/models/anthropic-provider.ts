/** The Anthropic Messages API with tools, through the official `@anthropic-ai/sdk` package. */
import Anthropic from '@anthropic-ai/sdk';
import type { Message, MessageParam, Tool } from '@anthropic-ai/sdk/resources/messages';
import type { ChatMessage, ChatRequest, ChatResponse, ForwardRequest, ForwardResult, ModelParams, ModelProvider, ToolCall } from './provider.js';
import { costOf } from './pricing.js';
import { classifyFailure, DEFAULT_RETRY, fixFor, MalformedAnswerError, readingStream, withRetries, type RetryPolicy } from './retry.js';
import { DEFAULT_TIMEOUT_MS, patienceSettings, type SdkProviderOptions } from './sdk-options.js';

export type AnthropicProviderOptions = SdkProviderOptions;

const THINKING_BUDGET = { low: 2048, medium: 8192, high: 24576 } as const;

export class AnthropicProvider implements ModelProvider {
  readonly id: string;
  readonly simulated = false;
  readonly wireApi = 'anthropic' as const;
  readonly params: ModelParams;
  private readonly client: Anthropic;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(private readonly options: AnthropicProviderOptions) {
    this.id = `anthropic:${options.model}`;
    this.params = options.params;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.client = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseUrl, maxRetries: 0, timeout: this.timeoutMs });
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  settings(): Record<string, unknown> {
    return { id: this.id, baseUrl: this.options.baseUrl ?? 'https://api.anthropic.com', params: this.params, ...patienceSettings(this.timeoutMs, this.retry) };
  }

  async forward(request: ForwardRequest): Promise<ForwardResult> {
    const forwarded: Record<string, unknown> = { ...request.body, model: this.options.model };
    const options = { signal: request.signal, headers: request.headers };
    const { value, retries } = await withRetries(
      `anthropic (${this.options.baseUrl ?? 'api.anthropic.com'})`,
      // Streamed upstream either way (the SDK refuses long non-streaming calls); a client that did not ask for a
      // stream gets the final message as one JSON body, as the API would have sent it. Buffered before the client
      // sees a byte, so an upstream stream that breaks off can be asked for again.
      () =>
        readingStream(Anthropic.AnthropicError, async () => {
          const { stream: wanted, ...rest } = forwarded;
          const s = this.client.messages.stream(rest as never, options);
          const events: string[] = [];
          for await (const event of s) events.push(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
          return { msg: checked(await s.finalMessage()), events: wanted === true ? events : null };
        }),
      classifyFailure,
      this.retry,
      request.signal,
      fixFor(this.options.apiKeyEnv),
    );
    const changed = ['model', ...(forwarded.stream === true ? [] : ['stream (streamed upstream, one JSON body to the client)'])];
    return { forwarded: { ...forwarded, stream: true }, changed, body: value.events ? null : value.msg, events: value.events, response: this.toResponse(value.msg, retries) };
  }

  private toResponse(msg: Message, retries: number): ChatResponse {
    const text = msg.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
    const toolCalls: ToolCall[] = msg.content.flatMap((b) =>
      b.type === 'tool_use' ? [{ id: b.id, name: b.name, arguments: isObject(b.input) ? b.input : null, rawArguments: JSON.stringify(b.input) }] : [],
    );
    const usage = { input: msg.usage.input_tokens + (msg.usage.cache_read_input_tokens ?? 0), output: msg.usage.output_tokens, cached: msg.usage.cache_read_input_tokens ?? 0 };
    return {
      text,
      toolCalls,
      stopReason: msg.stop_reason === 'tool_use' ? 'tool_calls' : msg.stop_reason === 'max_tokens' ? 'length' : msg.stop_reason === 'end_turn' ? 'stop' : 'other',
      usage,
      costUsd: costOf(this.options.prices, msg.model || this.options.model, usage),
      model: msg.model || this.options.model,
      retries,
    };
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const p = this.params;
    const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
    const thinking = p.reasoningEffort ? { thinking: { type: 'enabled' as const, budget_tokens: THINKING_BUDGET[p.reasoningEffort] } } : {};
    const body = {
      model: this.options.model,
      max_tokens: p.maxTokens + (p.reasoningEffort ? THINKING_BUDGET[p.reasoningEffort] : 0),
      ...(system ? { system } : {}),
      messages: toAnthropicMessages(request.messages),
      ...(request.tools.length ? { tools: request.tools.map((t): Tool => ({ name: t.name, description: t.description, input_schema: t.parameters as Tool['input_schema'] })) } : {}),
      ...(p.temperature !== null && !p.reasoningEffort ? { temperature: p.temperature } : {}),
      ...thinking,
    };
    const { value: msg, retries } = await withRetries(
      `anthropic (${this.options.baseUrl ?? 'api.anthropic.com'})`,
      async () => checked(await this.client.messages.create(body, { signal: request.signal })),
      classifyFailure,
      this.retry,
      request.signal,
      fixFor(this.options.apiKeyEnv),
    );
    return this.toResponse(msg, retries);
  }
}

/** A 200 answer without content blocks or usage is the server's fault, retried like a broken connection. */
function checked(msg: Message): Message {
  if (!msg || !Array.isArray(msg.content) || typeof msg.usage !== 'object' || msg.usage === null) throw new MalformedAnswerError(`HTTP 200 without content or usage: ${JSON.stringify(msg)?.slice(0, 120)}`);
  return msg;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Anthropic wants alternating user/assistant turns; tool results travel as user content blocks. */
function toAnthropicMessages(messages: ChatMessage[]): MessageParam[] {
  const out: MessageParam[] = [];
  const push = (role: 'user' | 'assistant', block: Exclude<MessageParam['content'], string>[number]) => {
    const last = out[out.length - 1];
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(block as never);
    else out.push({ role, content: [block] as never });
  };
  for (const m of messages) {
    if (m.role === 'system') continue;
    if (m.role === 'user') push('user', { type: 'text', text: m.content });
    else if (m.role === 'tool') push('user', { type: 'tool_result', tool_use_id: m.toolCallId, content: m.content });
    else {
      if (m.content) push('assistant', { type: 'text', text: m.content });
      for (const c of m.toolCalls ?? []) push('assistant', { type: 'tool_use', id: c.id, name: c.name, input: c.arguments ?? {} });
    }
  }
  return out;
}

