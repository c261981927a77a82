/**
 * Translation between the two wire formats the gateway speaks (OpenAI Chat Completions, Anthropic Messages) and the
 * provider-neutral ChatRequest / ChatResponse. Streaming replies are rendered from a complete response as well-formed
 * server-sent events, in each API's own event shapes.
 */
import { parseCall } from './openai-provider.js';
import type { ChatMessage, ChatResponse, ToolCall, ToolSpec } from './provider.js';

type Json = Record<string, any>;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p: Json) => (typeof p === 'string' ? p : p?.type === 'text' ? p.text : '')).join('');
  return '';
}

export function fromOpenAIRequest(body: Json): { messages: ChatMessage[]; tools: ToolSpec[] } {
  const messages: ChatMessage[] = [];
  for (const m of (body.messages ?? []) as Json[]) {
    if (m.role === 'system' || m.role === 'developer') messages.push({ role: 'system', content: textOf(m.content) });
    else if (m.role === 'user') messages.push({ role: 'user', content: textOf(m.content) });
    else if (m.role === 'assistant') {
      const toolCalls: ToolCall[] = ((m.tool_calls ?? []) as Json[]).map((c) => parseCall(c.id, c.function?.name ?? '', c.function?.arguments ?? ''));
      messages.push({ role: 'assistant', content: textOf(m.content), ...(toolCalls.length ? { toolCalls } : {}) });
    } else if (m.role === 'tool') messages.push({ role: 'tool', toolCallId: m.tool_call_id, name: m.name ?? '', content: textOf(m.content) });
  }
  const tools: ToolSpec[] = ((body.tools ?? []) as Json[])
    .filter((t) => t.type === 'function' && t.function)
    .map((t) => ({ name: t.function.name, description: t.function.description ?? '', parameters: t.function.parameters ?? { type: 'object' } }));
  return { messages, tools };
}

export function fromAnthropicRequest(body: Json): { messages: ChatMessage[]; tools: ToolSpec[] } {
  const messages: ChatMessage[] = [];
  const system = textOf(body.system);
  if (system) messages.push({ role: 'system', content: system });
  for (const m of (body.messages ?? []) as Json[]) {
    const blocks: Json[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : (m.content ?? []);
    if (m.role === 'assistant') {
      const toolCalls: ToolCall[] = blocks.filter((b) => b.type === 'tool_use').map((b) => ({ id: b.id, name: b.name, arguments: b.input ?? {}, rawArguments: JSON.stringify(b.input ?? {}) }));
      messages.push({ role: 'assistant', content: textOf(blocks.filter((b) => b.type === 'text')), ...(toolCalls.length ? { toolCalls } : {}) });
    } else {
      for (const b of blocks) {
        if (b.type === 'tool_result') messages.push({ role: 'tool', toolCallId: b.tool_use_id, name: '', content: textOf(b.content) });
      }
      const text = textOf(blocks.filter((b) => b.type === 'text'));
      if (text) messages.push({ role: 'user', content: text });
    }
  }
  const tools: ToolSpec[] = ((body.tools ?? []) as Json[]).filter((t) => t.name && t.input_schema).map((t) => ({ name: t.name, description: t.description ?? '', parameters: t.input_schema }));
  return { messages, tools };
}

const OPENAI_FINISH: Record<ChatResponse['stopReason'], string> = { stop: 'stop', tool_calls: 'tool_calls', length: 'length', other: 'stop' };
const ANTHROPIC_STOP: Record<ChatResponse['stopReason'], string> = { stop: 'end_turn', tool_calls: 'tool_use', length: 'max_tokens', other: 'end_turn' };

export function toOpenAIResponse(r: ChatResponse, id: string, model: string): Json {
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: r.text || null,
          ...(r.toolCalls.length ? { tool_calls: r.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.rawArguments } })) } : {}),
        },
        finish_reason: OPENAI_FINISH[r.stopReason],
      },
    ],
    usage: openaiUsage(r),
  };
}

function openaiUsage(r: ChatResponse): Json {
  return { prompt_tokens: r.usage.input, completion_tokens: r.usage.output, total_tokens: r.usage.input + r.usage.output, prompt_tokens_details: { cached_tokens: r.usage.cached } };
}

export function toOpenAIStream(r: ChatResponse, id: string, model: string, includeUsage: boolean): string[] {
  const base = { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model };
  const chunk = (delta: Json, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });
  const events: Json[] = [chunk({ role: 'assistant', content: '' })];
  if (r.text) events.push(chunk({ content: r.text }));
  r.toolCalls.forEach((c, index) => events.push(chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: c.rawArguments } }] })));
  events.push(chunk({}, OPENAI_FINISH[r.stopReason]));
  if (includeUsage) events.push({ ...base, choices: [], usage: openaiUsage(r) });
  return [...events.map((e) => `data: ${JSON.stringify(e)}\n\n`), 'data: [DONE]\n\n'];
}

function anthropicContent(r: ChatResponse): Json[] {
  return [...(r.text ? [{ type: 'text', text: r.text }] : []), ...r.toolCalls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: c.arguments ?? {} }))];
}

function anthropicUsage(r: ChatResponse): Json {
  return { input_tokens: Math.max(0, r.usage.input - r.usage.cached), output_tokens: r.usage.output, cache_read_input_tokens: r.usage.cached, cache_creation_input_tokens: 0 };
}

export function toAnthropicResponse(r: ChatResponse, id: string, model: string): Json {
  return { id, type: 'message', role: 'assistant', model, content: anthropicContent(r), stop_reason: ANTHROPIC_STOP[r.stopReason], stop_sequence: null, usage: anthropicUsage(r) };
}

export function toAnthropicStream(r: ChatResponse, id: string, model: string): string[] {
  const out: Array<[string, Json]> = [];
  const usage = anthropicUsage(r);
  out.push(['message_start', { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 0 } } }]);
  anthropicContent(r).forEach((block, index) => {
    if (block.type === 'text') {
      out.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }]);
      out.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } }]);
    } else {
      out.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }]);
      out.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } }]);
    }
    out.push(['content_block_stop', { type: 'content_block_stop', index }]);
  });
  out.push(['message_delta', { type: 'message_delta', delta: { stop_reason: ANTHROPIC_STOP[r.stopReason], stop_sequence: null }, usage: { output_tokens: r.usage.output } }]);
  out.push(['message_stop', { type: 'message_stop' }]);
  return out.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

export function openaiError(message: string, type: string): Json {
  return { error: { message, type, code: type, param: null } };
}

export function anthropicError(message: string, type: string): Json {
  return { type: 'error', error: { type, message } };
}
