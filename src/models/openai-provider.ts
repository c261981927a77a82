/**
 * Chat Completions with tools against any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp server, LiteLLM,
 * OpenRouter), through the official `openai` package. The SDK's own retries are off: retry.ts retries, and counts.
 */
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import type { ChatMessage, ChatRequest, ChatResponse, ForwardRequest, ForwardResult, ModelParams, ModelProvider, ToolCall } from './provider.js';
import { costOf } from './pricing.js';
import { classifyFailure, DEFAULT_RETRY, fixFor, MalformedAnswerError, readingStream, withRetries, type RetryPolicy } from './retry.js';
import { DEFAULT_TIMEOUT_MS, patienceSettings, type SdkProviderOptions } from './sdk-options.js';

export type OpenAIProviderOptions = SdkProviderOptions;

export class OpenAIProvider implements ModelProvider {
  readonly id: string;
  readonly simulated = false;
  readonly wireApi = 'openai' as const;
  readonly params: ModelParams;
  private readonly client: OpenAI;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(private readonly options: OpenAIProviderOptions) {
    this.id = `openai:${options.model}`;
    this.params = options.params;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseUrl, maxRetries: 0, timeout: this.timeoutMs });
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  settings(): Record<string, unknown> {
    return { id: this.id, baseUrl: this.options.baseUrl ?? 'https://api.openai.com/v1', params: this.params, ...patienceSettings(this.timeoutMs, this.retry) };
  }

  async forward(request: ForwardRequest): Promise<ForwardResult> {
    const stream = request.body.stream === true;
    // Streams are asked for usage (budgets and cost need it); everything else goes as the client sent it.
    const forwarded: Record<string, unknown> = { ...request.body, model: this.options.model, ...(stream ? { stream_options: { ...(request.body.stream_options as object | undefined), include_usage: true } } : {}) };
    const changed = ['model', ...(stream && (request.body.stream_options as { include_usage?: boolean } | undefined)?.include_usage !== true ? ['stream_options.include_usage'] : [])];
    const { value, retries } = await withRetries(
      `openai (${this.options.baseUrl ?? 'api.openai.com'})`,
      async () => {
        if (!stream) return { completion: checked(await this.client.chat.completions.create(forwarded as never, { signal: request.signal }) as ChatCompletion), events: null };
        // Buffered before the client sees a byte, so an upstream stream that breaks off can be asked for again.
        return readingStream(OpenAI.OpenAIError, async () => {
          const s = this.client.chat.completions.stream(forwarded as never, { signal: request.signal });
          const events: string[] = [];
          for await (const chunk of s) events.push(`data: ${JSON.stringify(chunk)}\n\n`);
          events.push('data: [DONE]\n\n');
          return { completion: checked(await s.finalChatCompletion()), events };
        });
      },
      classifyFailure,
      this.retry,
      request.signal,
      fixFor(this.options.apiKeyEnv),
    );
    return { forwarded, changed, body: value.events ? null : value.completion, events: value.events, response: this.toResponse(value.completion, retries) };
  }

  private toResponse(completion: ChatCompletion, retries: number): ChatResponse {
    const choice = completion.choices[0];
    const msg = choice?.message;
    const toolCalls: ToolCall[] = (msg?.tool_calls ?? []).flatMap((c) => (c.type === 'function' ? [parseCall(c.id, c.function.name, c.function.arguments)] : []));
    const usage = {
      input: completion.usage?.prompt_tokens ?? 0,
      output: completion.usage?.completion_tokens ?? 0,
      cached: completion.usage?.prompt_tokens_details?.cached_tokens ?? 0,
    };
    const finish = choice?.finish_reason;
    return {
      text: msg?.content ?? '',
      toolCalls,
      stopReason: finish === 'tool_calls' ? 'tool_calls' : finish === 'length' ? 'length' : finish === 'stop' ? 'stop' : 'other',
      usage,
      costUsd: costOf(this.options.prices, completion.model || this.options.model, usage),
      model: completion.model || this.options.model,
      retries,
    };
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const p = this.params;
    const body = {
      model: this.options.model,
      messages: request.messages.map(toOpenAIMessage),
      ...(request.tools.length ? { tools: request.tools.map((t): ChatCompletionTool => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } })) } : {}),
      max_completion_tokens: p.maxTokens,
      ...(p.temperature !== null ? { temperature: p.temperature } : {}),
      ...(p.seed !== null ? { seed: p.seed } : {}),
      ...(p.reasoningEffort !== null ? { reasoning_effort: p.reasoningEffort } : {}),
    };
    const { value: completion, retries } = await withRetries(
      `openai (${this.options.baseUrl ?? 'api.openai.com'})`,
      async () => checked(await this.client.chat.completions.create(body, { signal: request.signal })),
      classifyFailure,
      this.retry,
      request.signal,
      fixFor(this.options.apiKeyEnv),
    );
    return this.toResponse(completion, retries);
  }
}

/** A 200 answer without choices is the server's fault, retried like a broken connection. */
function checked(completion: ChatCompletion): ChatCompletion {
  if (!completion || !Array.isArray(completion.choices)) throw new MalformedAnswerError(`HTTP 200 without choices: ${JSON.stringify(completion)?.slice(0, 120)}`);
  return completion;
}

export function parseCall(id: string, name: string, raw: string): ToolCall {
  let args: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(raw || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) args = parsed as Record<string, unknown>;
  } catch {
    args = null;
  }
  return { id, name, arguments: args, rawArguments: raw };
}

function toOpenAIMessage(m: ChatMessage): ChatCompletionMessageParam {
  switch (m.role) {
    case 'system':
    case 'user':
      return { role: m.role, content: m.content };
    case 'assistant':
      return {
        role: 'assistant',
        content: m.content || null,
        ...(m.toolCalls?.length ? { tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.rawArguments } })) } : {}),
      };
    case 'tool':
      return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
  }
}

